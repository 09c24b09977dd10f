import Foundation
import KuzetSegmentStore
import Testing

/// The scan's fast name parsing must agree with SegmentName (THE naming) on every name, in both formats.
@Suite struct SegmentNameCacheTests {
    @Test func agreesWithSegmentNameOnValidAndInvalidNames() {
        var names = [
            "2026-11-23T09-15-00.250Z.mp4", "2026-11-23T23-59-59.999Z.ts", "2024-02-29T12-00-00.000Z.mp4",
            "2026-01-01T00-00-00.000Z.mp4",
            "2025-02-29T12-00-00.000Z.mp4", "2026-13-01T00-00-00.000Z.mp4", "2026-11-23T24-00-00.000Z.mp4",
            "2026-11-23T09-60-00.000Z.mp4",
            "2026-11-23T09-15-60.000Z.mp4", "2026-11-23T09-15-00.250Z.mkv", "2026-11-23T09-15-00.250.mp4",
            "2026-11-23T09-15-00.+25Z.mp4",
            "2026-11-23 09-15-00.250Z.mp4", "2026-11-23T09-15-00.250Z.mp4.part", "notes.txt", "",
            "2026-11-23T9-15-00.250Z.mp4",
            "2026-11-23T09-15-00.250Z.MP4", "+026-11-23T09-15-00.250Z.mp4",
        ]
        // And a day of real names, as the recorder writes them.
        let start = Date(timeIntervalSince1970: 1_790_812_800.123)
        for format in SegmentFormat.allCases {
            names += stride(from: 0.0, to: 86_400, by: 599.5).map {
                SegmentName(start: start.addingTimeInterval($0), format: format).fileName
            }
        }
        var cache = SegmentNameCache()
        for name in names {
            let fast = cache.parse(name)
            let reference = SegmentName(fileName: name)
            #expect(
                fast?.start == reference.map { Int64(($0.start.timeIntervalSince1970 * 1000).rounded()) }, "\(name)")
            #expect(fast?.format == reference?.format, "\(name)")
        }
    }
}
