import Foundation
import Synchronization

/// Decides ``ClockTrust`` and detects steps of the wall clock while the agent runs, by comparing
/// how far wall and monotonic time moved since the previous sample.
///
/// A step forgets the registry's agreement (it held for the clock before the step); the kernel's
/// word is read afresh at every sample (setting the clock by hand clears its "synchronised").
/// Time sources are injected so tests can step a wall clock without root.
public final class ClockTrustMonitor: Sendable {
    public struct Sources: Sendable {
        public var wall: @Sendable () -> Date
        public var monotonic: @Sendable () -> MonotonicInstant
        public var kernel: @Sendable () -> KernelClockState?

        public init(
            wall: @escaping @Sendable () -> Date, monotonic: @escaping @Sendable () -> MonotonicInstant,
            kernel: @escaping @Sendable () -> KernelClockState?
        ) {
            self.wall = wall
            self.monotonic = monotonic
            self.kernel = kernel
        }

        /// The system's clocks and the kernel's NTP state.
        public static let system = Sources(
            wall: { Date() }, monotonic: { MonotonicInstant.now() }, kernel: { KernelClockState.read() })
    }

    public let tolerances: ClockTrust.Tolerances
    private let sources: Sources
    private let state: Mutex<State>

    private struct State: Sendable {
        var wall: Date
        var monotonic: MonotonicInstant
        var kernel: KernelClockState?
        /// The registry agreed (true) or disagreed (false) since the last step; nil: not asked since.
        var registryAgrees: Bool?
        var offset: Double?
        var offsetAt: Date?
        var lastStep: ClockStep?
        var unreported: [ClockStep] = []
    }

    public init(sources: Sources = .system, tolerances: ClockTrust.Tolerances = .standard) {
        self.sources = sources
        self.tolerances = tolerances
        state = Mutex(State(wall: sources.wall(), monotonic: sources.monotonic(), kernel: sources.kernel()))
    }

    /// The wall clock the monitor watches (the system's, or a test's), for measuring against the registry.
    public var wallNow: Date { sources.wall() }

    /// Reads the clocks: a step since the previous sample is returned (and kept for ``drainSteps()``).
    @discardableResult
    public func sample() -> ClockStep? {
        let wall = sources.wall()
        let monotonic = sources.monotonic()
        let kernel = sources.kernel()
        return state.withLock { state in
            defer {
                state.wall = wall
                state.monotonic = monotonic
                state.kernel = kernel
            }
            let drift = wall.timeIntervalSince(state.wall) - state.monotonic.seconds(to: monotonic)
            guard abs(drift) > tolerances.stepSeconds else { return nil }
            let step = ClockStep(at: wall, seconds: drift)
            state.lastStep = step
            state.registryAgrees = nil
            state.unreported.append(step)
            if state.unreported.count > 16 { state.unreported.removeFirst() }
            return step
        }
    }

    /// The registry's clock read `server` at the midpoint of a request that left at `sentAt` (our
    /// clock) and took `roundTripSeconds`: records the offset and whether the clocks agree.
    public func registryTime(_ server: Date, sentAt: Date, roundTripSeconds: Double) {
        sample()
        let roundTrip = max(0, roundTripSeconds)
        let offset = sentAt.addingTimeInterval(roundTrip / 2).timeIntervalSince(server)
        state.withLock { state in
            state.offset = offset
            state.offsetAt = sentAt
            state.registryAgrees = abs(offset) <= tolerances.agreementSeconds + roundTrip / 2
        }
    }

    /// Trust now (samples the clocks first, so a step just made is seen).
    public var trust: ClockTrust {
        sample()
        return state.withLock { state in
            let synchronised =
                state.kernel.map { $0.synchronised && $0.maxErrorSeconds <= tolerances.kernelMaxErrorSeconds }
                ?? false
            var reason: String?
            if state.registryAgrees == false, let offset = state.offset {
                reason = String(
                    format: "the clock is %.0f s off the registry's (more than %.0f s)", offset,
                    tolerances.agreementSeconds)
            } else if !synchronised && state.registryAgrees != true {
                reason =
                    state.lastStep == nil
                    ? "the system clock is not synchronised (NTP) and the registry has not confirmed it"
                    : "the clock stepped and neither NTP nor the registry has confirmed it since"
            }
            return ClockTrust(
                trusted: reason == nil, synchronised: synchronised, offsetSeconds: state.offset,
                offsetMeasuredAt: state.offsetAt, lastStep: state.lastStep, reason: reason)
        }
    }

    /// Steps seen since the last call, oldest first (at most 16 kept), for events.
    public func drainSteps() -> [ClockStep] {
        state.withLock { state in
            defer { state.unreported.removeAll() }
            return state.unreported
        }
    }
}
