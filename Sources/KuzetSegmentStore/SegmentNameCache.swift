import Foundation

/// Parses segment file names for a scan, 1.4 M at a time, with exactly ``SegmentName``'s answers.
///
/// `SegmentName(fileName:)` goes through `Calendar` for every name. Names in a folder share their
/// day, so only the day (`YYYY-MM-DD`) is parsed by `SegmentName` itself — once per day, from
/// `<day>T00-00-00.000Z.<ext>` — and the time of day is added in integer milliseconds (UTC has no
/// DST, so that is what `Calendar` computes). Any name not of the strict digit shape, or with a
/// time of day out of range, is handed to `SegmentName(fileName:)` whole.
/// `SegmentNameCacheTests` holds the two to the same answers: change both together.
package struct SegmentNameCache {
    private var midnights: [String: Int64?] = [:]
    /// Each format's extension as bytes, compared after the fixed-width time.
    private static let extensions = SegmentFormat.allCases.map { (Array($0.fileExtension.utf8), $0) }

    package init() {}

    /// The start (ms since 1970) and format of a segment file name; nil for anything else.
    package mutating func parse(_ fileName: String) -> (start: Int64, format: SegmentFormat)? {
        if let fast = fastParse(fileName) { return fast }
        return SegmentName(fileName: fileName).map { ($0.start.millisecondsSince1970, $0.format) }
    }

    /// The name of a segment, or nil for anything else.
    package mutating func name(_ fileName: String) -> SegmentName? {
        parse(fileName).map { SegmentName(start: Date(millisecondsSince1970: $0.start), format: $0.format) }
    }

    private mutating func fastParse(_ fileName: String) -> (start: Int64, format: SegmentFormat)? {
        let bytes = Array(fileName.utf8)
        // YYYY-MM-DDTHH-MM-SS.mmmZ.<ext>
        guard bytes.count > 25, bytes[4] == 45, bytes[7] == 45, bytes[10] == 84, bytes[13] == 45, bytes[16] == 45,
            bytes[19] == 46, bytes[23] == 90, bytes[24] == 46,
            let format = Self.extensions.first(where: { $0.0.elementsEqual(bytes[25...]) })?.1
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                let digit = bytes[index] &- 48
                guard digit < 10 else { return nil }
                value = value * 10 + Int64(digit)
            }
            return value
        }
        guard let hours = number(11..<13), let minutes = number(14..<16), let seconds = number(17..<19),
            let millis = number(20..<23),
            number(0..<4) != nil, number(5..<7) != nil, number(8..<10) != nil, hours < 24, minutes < 60, seconds < 60
        else { return nil }
        let day = String(decoding: bytes[0..<10], as: UTF8.self)
        let midnight: Int64?
        if let known = midnights[day] {
            midnight = known
        } else {
            midnight =
                SegmentName(fileName: "\(day)T00-00-00.000Z.\(format.fileExtension)")?.start.millisecondsSince1970
            midnights[day] = midnight
        }
        guard let midnight else { return nil }
        return (midnight + ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis, format)
    }
}
