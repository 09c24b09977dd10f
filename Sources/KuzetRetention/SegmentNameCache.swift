import Foundation
import KuzetConfiguration
import KuzetCore

/// Parses segment file names for the scan, 1.4 M at a time, with exactly ``SegmentName``'s answers.
///
/// `SegmentName(fileName:)` goes through `Calendar` for every name. Names in a folder share their
/// day, so only the day (`YYYY-MM-DD`) is parsed by `SegmentName` itself — once per day, from
/// `<day>T00-00-00.000Z.mp4` — and the time of day is added in integer milliseconds (UTC has no
/// DST, so that is what `Calendar` computes). Any name not of the strict digit shape, or with a
/// time of day out of range, is handed to `SegmentName(fileName:)` whole.
struct SegmentNameCache {
    private var midnights: [String: Int64?] = [:]

    /// The start (ms since 1970) and format of a segment file name; nil for anything else.
    mutating func parse(_ fileName: String) -> (start: Int64, format: AgentConfiguration.Storage.Format)? {
        if let fast = fastParse(fileName) { return fast }
        return SegmentName(fileName: fileName).map { ($0.start.millisecondsSince1970, $0.format) }
    }

    private mutating func fastParse(_ fileName: String) -> (start: Int64, format: AgentConfiguration.Storage.Format)? {
        let bytes = Array(fileName.utf8)
        // YYYY-MM-DDTHH-MM-SS.mmmZ.mp4 | .ts
        guard bytes.count == 28 || bytes.count == 27, bytes[4] == 45, bytes[7] == 45, bytes[10] == 84, bytes[13] == 45, bytes[16] == 45,
            bytes[19] == 46, bytes[23] == 90, bytes[24] == 46
        else { return nil }
        let format: AgentConfiguration.Storage.Format
        switch bytes[25...] {
        case [109, 112, 52]: format = .fmp4  // mp4
        case [116, 115]: format = .mpegts  // ts
        default: return nil
        }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                let digit = bytes[index] &- 48
                guard digit < 10 else { return nil }
                value = value * 10 + Int64(digit)
            }
            return value
        }
        guard let hours = number(11..<13), let minutes = number(14..<16), let seconds = number(17..<19), let millis = number(20..<23),
            number(0..<4) != nil, number(5..<7) != nil, number(8..<10) != nil, hours < 24, minutes < 60, seconds < 60
        else { return nil }
        let day = String(decoding: bytes[0..<10], as: UTF8.self)
        let midnight: Int64?
        if let known = midnights[day] {
            midnight = known
        } else {
            midnight = SegmentName(fileName: day + "T00-00-00.000Z.mp4")?.start.millisecondsSince1970
            midnights[day] = midnight
        }
        guard let midnight else { return nil }
        return (midnight + ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis, format)
    }
}
