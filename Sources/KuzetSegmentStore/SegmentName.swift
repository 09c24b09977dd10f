import Foundation

/// The one place that knows how a segment file is named: `<root>/<camera-id>/<UTC start>.<ext>`,
/// for example `entrance/2026-11-23T09-15-00.250Z.mp4`. The retention cleaner deletes only
/// files whose names parse here. ``SegmentNameCache`` parses the same names faster for a scan and
/// is tested to agree with ``init(fileName:)``; ``SegmentNameTests`` pin the format.
public struct SegmentName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var start: Date
    public var format: SegmentFormat

    public init(start: Date, format: SegmentFormat) {
        // Millisecond precision is what the name carries; keep the value equal to its parse.
        self.start = Date(timeIntervalSince1970: (start.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
        self.format = format
    }

    /// Parses a file name (not a path); nil for anything that is not one of our segments.
    public init?(fileName: String) {
        let parts = fileName.split(separator: ".")
        guard parts.count == 3, parts[1].count == 4, parts[1].last == "Z",
            let format = SegmentFormat.allCases.first(where: { $0.fileExtension == parts[2] }),
            let millis = Int(parts[1].dropLast()), millis >= 0
        else { return nil }
        let fields = parts[0].split(separator: "T")
        guard fields.count == 2 else { return nil }
        let date = fields[0].split(separator: "-").compactMap { Int($0) }
        let time = fields[1].split(separator: "-").compactMap { Int($0) }
        guard date.count == 3, time.count == 3, fields[0].count == 10, fields[1].count == 8 else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day) = (date[0], date[1], date[2])
        (components.hour, components.minute, components.second) = (time[0], time[1], time[2])
        guard components.isValidDate(in: Self.calendar), let seconds = Self.calendar.date(from: components) else {
            return nil
        }
        self.start = seconds.addingTimeInterval(Double(millis) / 1000)
        self.format = format
    }

    public var fileName: String {
        let whole = start.timeIntervalSince1970.rounded(.down)
        let millis = Int(((start.timeIntervalSince1970 - whole) * 1000).rounded())
        let c = Self.calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: whole))
        let text = String(
            format: "%04d-%02d-%02dT%02d-%02d-%02d.%03dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!,
            min(millis, 999))
        return "\(text).\(format.fileExtension)"
    }

    public var description: String { fileName }

    public static func < (lhs: SegmentName, rhs: SegmentName) -> Bool { lhs.start < rhs.start }

    /// The path of a segment of `camera` under the storage root.
    public func path(root: String, camera: String) -> String {
        ((root as NSString).appendingPathComponent(camera) as NSString).appendingPathComponent(fileName)
    }

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
