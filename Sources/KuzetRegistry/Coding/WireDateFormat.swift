import Foundation
import KuzetProtocol

/// ISO 8601 wire dates without ICU on the common path. `JSONDecoder.kuzetWire` builds two
/// `ISO8601DateFormatter`s for every date it reads, which was 40 % of the registry's ingest CPU
/// (perf, release bench). Here the form agents send — `2026-11-23T15:17:45Z`: whole seconds, UTC,
/// years 1900–9999 — is read and written directly; any other text or date goes to Foundation
/// (`WireDate.parse`, `JSONEncoder.kuzetWire`), so what is accepted and produced is unchanged.
enum WireDateFormat {
    /// The date `WireDate.parse` would return for `text`.
    static func parse(_ text: String) -> Date? {
        if let date = fastParse(text) { return date }
        return WireDate.parse(text)
    }

    /// The text `JSONEncoder.kuzetWire` writes for `date` (`.iso8601`: whole seconds, rounded down, UTC).
    static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, seconds >= earliest, seconds < latest else { return foundationFormat(date) }
        let whole = Int(seconds.rounded(.down))
        let (days, secondOfDay) = whole.quotientAndRemainder(dividingBy: 86_400)
        let (dayNumber, time) = secondOfDay < 0 ? (days - 1, secondOfDay + 86_400) : (days, secondOfDay)
        let (year, month, day) = civil(fromDays: dayNumber)
        var bytes = [UInt8](repeating: 0, count: 20)
        func put(_ value: Int, at start: Int, digits: Int) {
            var value = value
            for index in stride(from: start + digits - 1, through: start, by: -1) {
                bytes[index] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(year, at: 0, digits: 4)
        bytes[4] = UInt8(ascii: "-")
        put(month, at: 5, digits: 2)
        bytes[7] = UInt8(ascii: "-")
        put(day, at: 8, digits: 2)
        bytes[10] = UInt8(ascii: "T")
        put(time / 3600, at: 11, digits: 2)
        bytes[13] = UInt8(ascii: ":")
        put(time / 60 % 60, at: 14, digits: 2)
        bytes[16] = UInt8(ascii: ":")
        put(time % 60, at: 17, digits: 2)
        bytes[19] = UInt8(ascii: "Z")
        return String(decoding: bytes, as: UTF8.self)
    }

    /// 1900-01-01T00:00:00Z and 10000-01-01T00:00:00Z: the range of the direct path.
    static let earliest: Double = -2_208_988_800
    static let latest: Double = 253_402_300_800

    /// `yyyy-MM-ddTHH:mm:ssZ` with every field in range, else nil (then Foundation decides).
    static func fastParse(_ text: String) -> Date? {
        let parsed = text.utf8.withContiguousStorageIfAvailable { bytes -> Date? in
            guard bytes.count == 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
                bytes[10] == UInt8(ascii: "T"),
                bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "Z")
            else { return nil }
            func number(_ start: Int, _ count: Int) -> Int? {
                var value = 0
                for index in start..<(start + count) {
                    let digit = Int(bytes[index]) - Int(UInt8(ascii: "0"))
                    guard (0...9).contains(digit) else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
                (1900...9999).contains(year), (1...12).contains(month), day >= 1,
                day <= daysIn(month: month, year: year),
                hour <= 23, minute <= 59, second <= 59
            else { return nil }
            let days = daysFromCivil(year: year, month: month, day: day)
            return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60 + second))
        }
        return parsed ?? nil
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shifted = month <= 2 ? year - 1 : year
        let era = (shifted >= 0 ? shifted : shifted - 399) / 400
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The inverse of `daysFromCivil` (`civil_from_days`).
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Foundation's text for dates outside the direct path's range.
    static func foundationFormat(_ date: Date) -> String {
        guard let data = try? JSONEncoder.kuzetWire.encode([date]),
            let text = String(data: data, encoding: .utf8)
        else { return "\(date)" }
        return String(text.dropFirst(2).dropLast(2))
    }
}
