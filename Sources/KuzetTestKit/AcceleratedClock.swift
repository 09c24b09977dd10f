import Foundation

/// A clock that runs `factor` times faster than real time, for tests of long time spans (an
/// outage of ten minutes of 30 s intervals) that still use real sockets and real processes.
/// Sleeping 30 s on it takes 30/factor real seconds; ``date()`` is the matching wall-clock time.
public struct AcceleratedClock: Clock, Sendable {
    public struct Instant: InstantProtocol, Sendable {
        /// Virtual time since the clock was made.
        public var offset: Duration
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    public let factor: Double
    private let origin: ContinuousClock.Instant
    private let wallOrigin: Date

    public init(factor: Double, startingAt wallOrigin: Date = Date()) {
        precondition(factor > 0)
        self.factor = factor
        self.origin = ContinuousClock.now
        self.wallOrigin = wallOrigin
    }

    public var now: Instant { Instant(offset: (ContinuousClock.now - origin) * factor) }
    public var minimumResolution: Duration { .microseconds(1) }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let remaining = now.duration(to: deadline)
        if remaining > .zero { try await Task.sleep(for: remaining / factor) }
        try Task.checkCancellation()
    }

    /// The virtual wall-clock time now.
    public func date() -> Date {
        let offset = now.offset.components
        return wallOrigin.addingTimeInterval(Double(offset.seconds) + Double(offset.attoseconds) / 1e18)
    }
}
