import Foundation

/// A UTC calendar day as the wire writes it (`YYYY-MM-DD`) and as the stores keep it: days since
/// 1970-01-01 (an integer, 4 bytes in PostgreSQL, 1–3 in SQLite).
public struct UTCDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var number: Int

    public init(number: Int) { self.number = number }

    /// The day `date` falls in (UTC).
    public init(_ date: Date) { number = Int((date.timeIntervalSince1970 / 86_400).rounded(.down)) }

    /// Strictly `YYYY-MM-DD` with a real month and day, 2000…2199; nil otherwise.
    public init?(parsing text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            (2000...2199).contains(year), (1...12).contains(month), day >= 1
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
            calendar.component(.day, from: date) == day
        else { return nil }
        self.init(date)
    }

    public var start: Date { Date(timeIntervalSince1970: Double(number) * 86_400) }

    public var description: String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: start)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.year!)-\(two(parts.month!))-\(two(parts.day!))"
    }

    public static func < (lhs: UTCDay, rhs: UTCDay) -> Bool { lhs.number < rhs.number }
}
