import Foundation
import KuzetSegmentStore
import Testing

/// The index's expiry pass (retention's age sweep): what may go goes, oldest first; what is held
/// back stays in order; it stops at a protected segment.
@Suite struct CameraSegmentsTests {
    func segments(_ starts: [Int64]) -> CameraSegments {
        var segments = CameraSegments()
        for start in starts {
            segments.insert(IndexedSegment(start: start, bytes: 100, duration: 60_000, format: .fmp4))
        }
        return segments
    }

    @Test func expiredSegmentsGoExceptThoseHeldBackWhichStayInOrder() {
        var index = segments([0, 60_000, 120_000, 180_000, 240_000, 300_000])
        let removed = index.removeExpired(
            endingBy: 250_000, stop: { _, _ in false }, keep: { $0.start == 60_000 || $0.start == 120_000 })
        #expect(removed.map(\.start) == [0, 180_000])
        #expect(index.all.map(\.start) == [60_000, 120_000, 240_000, 300_000])
        #expect(index.bytes == 400)
        #expect(index.oldest?.start == 60_000)
    }

    @Test func theExpiryPassStopsAtAProtectedSegment() {
        var index = segments([0, 60_000, 120_000])
        let removed = index.removeExpired(
            endingBy: 1_000_000, stop: { segment, isNewest in segment.start == 60_000 || isNewest },
            keep: { _ in false })
        #expect(removed.map(\.start) == [0])
        #expect(index.all.map(\.start) == [60_000, 120_000])
    }

    @Test func nothingHeldBackEmptiesTheIndexOfEverythingExpired() {
        var index = segments([0, 60_000])
        #expect(index.removeExpired(endingBy: 120_000, stop: { _, _ in false }, keep: { _ in false }).count == 2)
        #expect(index.isEmpty && index.bytes == 0)
        index.insert(IndexedSegment(start: 500_000, bytes: 7, duration: 1000, format: .fmp4))
        #expect(index.all.map(\.start) == [500_000])
    }
}
