import Foundation
import Testing

@testable import KuzetRecorder

/// Issue 26: what a new segment is named when the footage's own time and the wall clock part.
struct SegmentNamingTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func footageInStepWithTheClockIsNamedByItsOwnTimeInOrder() {
        let derived = now.addingTimeInterval(1.5)
        let decision = SegmentNaming.decide(derived: derived, now: now, previousEnd: derived, clockTrusted: true)
        #expect(decision == .init(start: derived, reanchor: false))
    }

    @Test func aClockSteppedForwardNamesByTheClockWhetherTrustedOrNot() {
        for trusted in [true, false] {
            let decision = SegmentNaming.decide(
                derived: now.addingTimeInterval(-86_400), now: now, previousEnd: now.addingTimeInterval(-86_400),
                clockTrusted: trusted)
            #expect(decision == .init(start: now, reanchor: true))
        }
    }

    @Test func anUntrustedClockSteppedBackLeavesNamesOnTheFootagesOwnTime() {
        let derived = now.addingTimeInterval(3600)
        let decision = SegmentNaming.decide(derived: derived, now: now, previousEnd: derived, clockTrusted: false)
        #expect(decision == .init(start: derived, reanchor: false))
    }

    /// A clock that ran ahead (12 h) and was corrected: once trusted again, new footage is named
    /// by the right time, before the earlier (wrong) names.
    @Test func aTrustedClockCorrectedBackNamesNewFootageByTheRightTime() {
        let derived = now.addingTimeInterval(12 * 3600)
        let decision = SegmentNaming.decide(derived: derived, now: now, previousEnd: derived, clockTrusted: true)
        #expect(decision == .init(start: now, reanchor: true, followsCorrectedClock: true))
    }

    /// A camera whose media clock runs fast: a few seconds ahead of a trusted clock is re-anchored
    /// but never named before the previous segment's end (no overlap, names in order).
    @Test func mediaTimeALittleAheadOfATrustedClockStaysInOrder() {
        let previousEnd = now.addingTimeInterval(4)
        let decision = SegmentNaming.decide(
            derived: now.addingTimeInterval(5), now: now, previousEnd: previousEnd, clockTrusted: true)
        #expect(decision == .init(start: previousEnd, reanchor: true))
    }

    @Test func theFirstSegmentIsNamedByTheClock() {
        #expect(
            SegmentNaming.decide(derived: nil, now: now, previousEnd: nil, clockTrusted: false)
                == .init(start: now, reanchor: true))
    }
}
