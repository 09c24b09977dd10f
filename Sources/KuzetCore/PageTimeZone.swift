import Foundation

/// The zone the pages show times in (`serve --time-zone`, the agent's `status.time_zone`):
/// an IANA name such as `Asia/Almaty` (the default: UTC+5 throughout Kazakhstan since
/// 1 March 2024) or a fixed offset `UTC+5`, `+05:00`, `UTC`. Each time on a page carries the
/// zone's offset at that moment (`2026-12-05 05:35:36 UTC+5`), so it is never ambiguous; the
/// API and CSV keep ISO 8601 with the offset.
public struct PageTimeZone: Sendable, Equatable, CustomStringConvertible {
    public let zone: TimeZone
    /// As it was given (shown in errors and on `--help`).
    public let description: String

    public static let defaultName = "Asia/Almaty"
    /// The default; UTC+5 if this machine's zone files do not know Asia/Almaty.
    public static let almaty = PageTimeZone(defaultName) ?? PageTimeZone(fixedSeconds: 5 * 3600, description: "UTC+5")

    /// An IANA name or a fixed offset (`UTC`, `UTC+5`, `UTC+05:30`, `+05:00`, `-03`); nil otherwise.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Self.fixedOffset(trimmed) {
            self.init(fixedSeconds: seconds, description: trimmed)
        } else if trimmed.contains("/"), trimmed.utf8.count <= 64, let zone = TimeZone(identifier: trimmed) {
            self.init(zone: zone, description: trimmed)
        } else {
            return nil
        }
    }

    init(fixedSeconds: Int, description: String) {
        // Offsets from -14:00 to +14:00 always make a zone; UTC is the last resort.
        self.init(zone: TimeZone(secondsFromGMT: fixedSeconds) ?? TimeZone.gmt, description: description)
    }

    init(zone: TimeZone, description: String) {
        self.zone = zone
        self.description = description
    }

    /// `UTC`, `UTC+5`, `UTC+05:30`, `+05:00`, `-3` as seconds east of UTC, within ±14 h.
    static func fixedOffset(_ text: String) -> Int? {
        var rest = Substring(text)
        if rest.uppercased().hasPrefix("UTC") || rest.uppercased().hasPrefix("GMT") { rest = rest.dropFirst(3) }
        if rest.isEmpty { return text.isEmpty ? nil : 0 }
        guard let sign = rest.first, sign == "+" || sign == "-" else { return nil }
        let parts = rest.dropFirst().split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count),
            parts.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy(\.isASCII) }),
            let hours = Int(parts[0]), let minutes = parts.count == 2 ? Int(parts[1]) : 0, hours <= 14, minutes < 60
        else { return nil }
        let seconds = hours * 3600 + minutes * 60
        guard seconds <= 14 * 3600 else { return nil }
        return sign == "-" ? -seconds : seconds
    }

    /// `UTC+5`, `UTC+5:30`, `UTC-3` or `UTC`: the offset at `date`.
    public func label(at date: Date) -> String {
        let seconds = zone.secondsFromGMT(for: date)
        guard seconds != 0 else { return "UTC" }
        let minutes = abs(seconds) / 60
        let sign = seconds < 0 ? "-" : "+"
        return "UTC\(sign)\(minutes / 60)" + (minutes % 60 == 0 ? "" : String(format: ":%02d", minutes % 60))
    }

    /// `2026-12-05 05:35:36 UTC+5`: the moment in this zone, with the zone.
    public func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let text = String(
            format: "%04d-%02d-%02d %02d:%02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0,
            parts.minute ?? 0,
            parts.second ?? 0)
        return text + " " + label(at: date)
    }

    public static func == (lhs: PageTimeZone, rhs: PageTimeZone) -> Bool { lhs.zone == rhs.zone }
}
