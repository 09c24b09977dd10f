/// Exponential backoff with jitter, capped: after the n-th failure in a row it waits between
/// half and all of `min(cap, initial × 2ⁿ⁻¹)` (so many agents, or many cameras, failing together
/// do not retry in lockstep), or what the registry's `Retry-After` asks, if longer (up to
/// ``retryAfterLimit``, so a wrong header cannot silence an agent for a day).
///
/// The one backoff: the uplink's retries to the registry and the recorder's reconnects to cameras
/// and to the centre.
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var cap: Duration
    public var retryAfterLimit: Duration
    public private(set) var failures = 0

    public init(
        initial: Duration = .seconds(1), cap: Duration = .seconds(300), retryAfterLimit: Duration = .seconds(900)
    ) {
        self.initial = initial
        self.cap = cap
        self.retryAfterLimit = retryAfterLimit
    }

    /// Records a failure and returns how long to wait. `jitter` in 0...1 picks the point in the
    /// upper half of the window (injected by tests; random otherwise).
    public mutating func next(retryAfter: Duration? = nil, jitter: Double = Double.random(in: 0...1)) -> Duration {
        failures += 1
        let exponent = min(failures - 1, 30)
        var window = initial * (1 << exponent)
        if window > cap { window = cap }
        let wait = window * (0.5 + 0.5 * min(max(jitter, 0), 1))
        guard let retryAfter else { return wait }
        return max(wait, min(retryAfter, max(cap, retryAfterLimit)))
    }

    /// ``next(retryAfter:jitter:)`` in seconds, for the threads that wait on a `Date`.
    public mutating func nextSeconds(jitter: Double = Double.random(in: 0...1)) -> Double {
        let wait = next(jitter: jitter).components
        return Double(wait.seconds) + Double(wait.attoseconds) / 1e18
    }

    /// A success: the next failure starts from `initial` again.
    public mutating func reset() { failures = 0 }
}
