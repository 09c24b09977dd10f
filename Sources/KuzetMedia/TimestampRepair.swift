/// Repairs the timestamps of one camera stream before they reach a muxer.
///
/// Cameras and DVRs send decoding timestamps that go backwards, repeat, are missing, or jump by
/// hours for a single frame. Muxers refuse such packets, so per track:
/// - a missing or non-increasing DTS becomes the previous DTS plus the last frame interval (at least 1 tick);
/// - a single packet far off (more than `maximumJump` seconds) is pulled back into line;
/// - two far-off packets in a row mean the clock really jumped: ``Outcome/discontinuity``, and the
///   caller starts a new segment (calling ``reset()`` and then `repair` again for that packet).
public struct TimestampRepair: Sendable {
    public enum Outcome: Sendable, Equatable {
        case write(dts: Int64, pts: Int64)
        case discontinuity
    }

    struct TrackState: Sendable {
        var lastDTS: Int64
        var lastInterval: Int64
        var outliers: Int
    }

    public var maximumJump: Double
    private var tracks: [Int: TrackState] = [:]
    /// Packets whose timestamps were changed, since creation.
    public private(set) var repairedCount = 0

    public init(maximumJump: Double = 10) {
        self.maximumJump = maximumJump
    }

    /// Forgets every track (after a reconnect or a discontinuity).
    public mutating func reset() { tracks.removeAll() }

    /// The timestamps to write for one packet of `track`, whose time base is `timeBase`.
    public mutating func repair(
        track: Int, dts: Int64?, pts: Int64?, duration: Int64, timeBase: (numerator: Int32, denominator: Int32)
    ) -> Outcome {
        guard var state = tracks[track] else {
            guard let first = dts ?? pts else {
                // Nothing to anchor on yet: start this track at zero.
                tracks[track] = TrackState(lastDTS: 0, lastInterval: max(duration, 1), outliers: 0)
                repairedCount += 1
                return .write(dts: 0, pts: 0)
            }
            tracks[track] = TrackState(lastDTS: first, lastInterval: max(duration, 1), outliers: 0)
            return .write(dts: first, pts: max(pts ?? first, first))
        }
        let expected = state.lastDTS + state.lastInterval
        let rawDTS = dts ?? pts ?? expected
        let rawPTS = pts ?? rawDTS
        let presentationOffset = rawPTS - rawDTS
        let delta = rawDTS - state.lastDTS
        let limit = Int64(maximumJump * Double(timeBase.denominator) / Double(max(timeBase.numerator, 1)))
        var written: (dts: Int64, pts: Int64)
        if abs(delta) <= limit {
            state.outliers = 0
            if delta > 0 {
                written = (rawDTS, max(rawPTS, rawDTS))
                state.lastInterval = delta
            } else {
                let fixed = state.lastDTS + max(state.lastInterval, 1)
                written = (fixed, max(rawPTS, fixed))
                repairedCount += 1
            }
        } else {
            state.outliers += 1
            if state.outliers >= 2 {
                tracks[track] = nil
                return .discontinuity
            }
            // One frame hours off: keep it, in line with its neighbours.
            let offset = (0...limit).contains(presentationOffset) ? presentationOffset : 0
            written = (expected, expected + offset)
            repairedCount += 1
        }
        if dts == nil && pts == nil { repairedCount += 1 }
        state.lastDTS = written.dts
        tracks[track] = state
        return .write(dts: written.dts, pts: written.pts)
    }
}
