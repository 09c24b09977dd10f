import Foundation

/// The scheme's two time texts, written and read by hand so they are exact and locale-free:
/// a segment's start, `2026-12-04T10:00:00.000Z` (UTC, milliseconds), and a UTC day, `2026-12-04`.
/// Parsing is strict: only what ``timestamp(milliseconds:)`` / ``day(_:)`` write is accepted.
public enum CommitmentTime {
    static let millisecondsPerDay: Int64 = 86_400_000

    /// Milliseconds since 1970 of `date`, to the nearest millisecond.
    public static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    public static func timestamp(milliseconds: Int64) -> String {
        let days = floorDiv(milliseconds, millisecondsPerDay)
        let inDay = milliseconds - days * millisecondsPerDay
        let (y, m, d) = civil(days: days)
        let (h, mi, s, ms) = (inDay / 3_600_000, inDay / 60_000 % 60, inDay / 1000 % 60, inDay % 1000)
        return String(format: "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ", y, m, d, h, mi, s, ms)
    }

    /// The UTC day (`YYYY-MM-DD`) a moment falls in.
    public static func day(milliseconds: Int64) -> String {
        let (y, m, d) = civil(days: floorDiv(milliseconds, millisecondsPerDay))
        return String(format: "%04lld-%02lld-%02lld", y, m, d)
    }

    public static func day(_ date: Date) -> String { day(milliseconds: milliseconds(date)) }

    /// Milliseconds of `2026-12-04T10:00:00.000Z` exactly; nil otherwise.
    public static func parseTimestamp(_ text: some StringProtocol) -> Int64? {
        let c = Array(text.utf8)
        guard c.count == 24, c[10] == UInt8(ascii: "T"), c[13] == UInt8(ascii: ":"), c[16] == UInt8(ascii: ":"),
            c[19] == UInt8(ascii: "."), c[23] == UInt8(ascii: "Z"),
            let days = parseDayBytes(Array(c[0..<10])),
            let h = number(c[11..<13]), let mi = number(c[14..<16]), let s = number(c[17..<19]),
            let ms = number(c[20..<23]), h < 24, mi < 60, s < 60
        else { return nil }
        return days * millisecondsPerDay + ((h * 60 + mi) * 60 + s) * 1000 + ms
    }

    /// Milliseconds of the start of UTC day `YYYY-MM-DD`; nil for anything else.
    public static func parseDay(_ text: some StringProtocol) -> Int64? {
        parseDayBytes(Array(text.utf8)).map { $0 * millisecondsPerDay }
    }

    /// Days since 1970-01-01 of `YYYY-MM-DD` (a real date, year 1970…9999).
    private static func parseDayBytes(_ c: [UInt8]) -> Int64? {
        guard c.count == 10, c[4] == UInt8(ascii: "-"), c[7] == UInt8(ascii: "-"),
            let y = number(c[0..<4]), let m = number(c[5..<7]), let d = number(c[8..<10]),
            y >= 1970, (1...12).contains(m), d >= 1
        else { return nil }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let lengths: [Int64] = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard d <= lengths[Int(m - 1)] else { return nil }
        return days(year: y, month: m, day: d)
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int64? {
        var value: Int64 = 0
        for c in digits {
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(c - UInt8(ascii: "0"))
        }
        return value
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    // Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian, exact).
    private static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civil(days z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
