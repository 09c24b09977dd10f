import Foundation

/// What a new segment is named (its start on the wall clock), from the footage's own time and
/// the wall clock (issue 26).
///
/// A segment is named by its media time carried on from where the wall clock anchored the current
/// run of footage, so names follow the footage's order and never run backwards — except:
/// - media time fell more than ``drift`` behind the wall clock (a cheap camera's slow clock, a
///   wall clock stepped forward): named by the wall clock again;
/// - it runs more than ``drift`` ahead of a TRUSTED wall clock: named by the wall clock again,
///   and when that is a step back of ``correctedStep`` or more (a clock that ran ahead and was
///   corrected, confirmed by NTP or the registry) new footage follows the corrected clock even
///   though earlier names were later: footage is named by the right time, not by the wrong one
///   forever. Earlier footage keeps its names (they are committed to; renaming would break that),
///   and no file is overwritten (the store makes every name unique).
/// While the wall clock is untrusted, names carry on from the footage's own time: a step of an
/// untrusted clock may itself be the mistake.
enum SegmentNaming {
    static let drift: TimeInterval = 2
    static let correctedStep: TimeInterval = 60

    struct Decision: Equatable {
        var start: Date
        /// Anchor the run of footage at this segment (its media time ↔ `start`).
        var reanchor: Bool
        /// Named before the previous segment's end: the trusted clock was corrected back.
        var followsCorrectedClock = false
    }

    /// - Parameters:
    ///   - derived: the start carried on from the run's anchor by media time (nil: no anchor yet).
    ///   - previousEnd: where the last segment written ended (start + media duration).
    static func decide(derived: Date?, now: Date, previousEnd: Date?, clockTrusted: Bool) -> Decision {
        func inOrder(_ start: Date, reanchor: Bool) -> Decision {
            // Names follow the footage's order, even after a camera clock jump or a burst.
            if let previousEnd, start < previousEnd { return Decision(start: previousEnd, reanchor: reanchor) }
            return Decision(start: start, reanchor: reanchor)
        }
        guard let derived else { return inOrder(now, reanchor: true) }
        let ahead = derived.timeIntervalSince(now)
        if ahead < -drift { return inOrder(now, reanchor: true) }
        if ahead > drift && clockTrusted {
            if let previousEnd, previousEnd.timeIntervalSince(now) >= correctedStep {
                return Decision(start: now, reanchor: true, followsCorrectedClock: true)
            }
            return inOrder(now, reanchor: true)
        }
        return inOrder(derived, reanchor: false)
    }
}
