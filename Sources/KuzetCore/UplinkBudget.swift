import Synchronization

/// `centre.max_kbps` enforced while the agent runs (issue 22): everything sent to the centre
/// shares it. Live pushes come first — the key cameras' permanent pushes, then on-demand live
/// pushes, each admitted only if its stream's rate still fits (else refused with a reason);
/// clip and snapshot uploads get what is left; heartbeats always go (``heartbeatReserveKbps`` is
/// kept for them and never handed out).
public final class UplinkBudget: Sendable {
    /// A live push admitted against the budget; give it back with ``release(_:)``.
    public struct Reservation: Sendable, Hashable {
        public let id: String
        public let kbps: Double
    }

    public let maxKbps: Int
    public let heartbeatReserveKbps: Double
    /// An on-demand push is admitted at its stream's measured rate times this (bitrates vary).
    public static let headroom = 1.1
    /// Key cameras' pushes are held back from uploads at the highest rate measured over this many
    /// seconds, times ``permanentHeadroom``: a pushed stream's 5-s rate swings above its measured
    /// average with every keyframe (seen under `tc`: 9,216 kbit/s in a 5-s window of two pushes
    /// measured at 8,024, i.e. +15 %), and an upload filling the average would put those windows
    /// over `centre.max_kbps`.
    public static let permanentPeakSeconds: Double = 30
    public static let permanentHeadroom = 1.2
    /// Below this, an upload waits rather than trickles (a chunk at 8 kbit/s would outlive its timeout).
    public static let minimumUploadKbps = 64.0

    private struct State {
        var reservations: [String: Double] = [:]
        var live = SlidingRate()
        var upload = SlidingRate()
        /// The key cameras' measured rate, sampled when an upload asks (at most 64 kept).
        var permanentSamples: [(at: MonotonicInstant, kbps: Double)] = []
    }
    private let state = Mutex(State())
    /// What the permanent pushes (`push:` cameras) take now, kbit/s (their streams' measured rates).
    private let permanentKbps: @Sendable () -> Double

    public init(
        maxKbps: Int, heartbeatReserveKbps: Double = 64, permanentKbps: @escaping @Sendable () -> Double = { 0 }
    ) {
        self.maxKbps = max(0, maxKbps)
        self.heartbeatReserveKbps = heartbeatReserveKbps
        self.permanentKbps = permanentKbps
    }

    /// What pushes and uploads may use together.
    public var sharedKbps: Double { max(0, Double(maxKbps) - heartbeatReserveKbps) }

    /// Admits a live push of a stream measured at `streamKbps`, or says why not (the budget's
    /// arithmetic in words, and what to do).
    public func admitLive(id: String, streamKbps: Double) -> Result<Reservation, BudgetRefusal> {
        let needed = max(1, streamKbps) * Self.headroom
        let permanent = permanentKbps()
        return state.withLock { state in
            let live = state.reservations.values.reduce(0, +)
            guard permanent + live + needed <= sharedKbps else {
                return .failure(
                    BudgetRefusal(
                        maxKbps: maxKbps, permanentKbps: permanent, liveKbps: live, neededKbps: needed,
                        reserveKbps: heartbeatReserveKbps))
            }
            state.reservations[id] = needed
            return .success(Reservation(id: id, kbps: needed))
        }
    }

    public func release(_ reservation: Reservation) {
        _ = state.withLock { $0.reservations.removeValue(forKey: reservation.id) }
    }

    /// On-demand live pushes admitted now.
    public var liveSessions: Int { state.withLock { $0.reservations.count } }

    /// What an upload may send at now, kbit/s: the shared budget less the permanent pushes (at
    /// their peak of the last ``permanentPeakSeconds``, with ``permanentHeadroom``) and
    /// the on-demand pushes (their reservation or what they achieve, whichever is larger). 0:
    /// nothing left (the upload waits).
    public func uploadAllowanceKbps(now: MonotonicInstant = .now()) -> Double {
        let current = permanentKbps()
        let left = state.withLock { state in
            state.permanentSamples.removeAll { $0.at.seconds(to: now) > Self.permanentPeakSeconds }
            if state.permanentSamples.count >= 64 { state.permanentSamples.removeFirst() }
            state.permanentSamples.append((now, current))
            let permanent = (state.permanentSamples.map(\.kbps).max() ?? current) * Self.permanentHeadroom
            let reserved = state.reservations.values.reduce(0, +)
            return sharedKbps - permanent - max(reserved, state.live.kbps(now: now))
        }
        return left >= Self.minimumUploadKbps ? left : 0
    }

    /// Counts bytes an on-demand live push sent (for `live_kbps`).
    public func countLive(bytes: Int, now: MonotonicInstant = .now()) {
        state.withLock { $0.live.add(bytes: bytes, now: now) }
    }
    /// Counts bytes an upload sent (for `upload_kbps`).
    public func countUpload(bytes: Int, now: MonotonicInstant = .now()) {
        state.withLock { $0.upload.add(bytes: bytes, now: now) }
    }

    /// Achieved rates, last 5 s average.
    public func achieved(now: MonotonicInstant = .now()) -> (liveKbps: Double, uploadKbps: Double) {
        state.withLock { ($0.live.kbps(now: now), $0.upload.kbps(now: now)) }
    }
}

/// Why a live push was not started: the budget's arithmetic, for the command's status and the log.
public struct BudgetRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var maxKbps: Int
    public var permanentKbps: Double
    public var liveKbps: Double
    public var neededKbps: Double
    public var reserveKbps: Double

    public var description: String {
        "centre.max_kbps \(maxKbps): this stream needs about \(Int(neededKbps.rounded())) kbit/s but "
            + "\(Int(permanentKbps.rounded())) go to key cameras, \(Int(liveKbps.rounded())) to live views already "
            + "running and \(Int(reserveKbps)) stay for heartbeats — stop a live view, ask for the sub stream, "
            + "or raise centre.max_kbps if the uplink allows"
    }
}
