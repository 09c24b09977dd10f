import Foundation

/// Whether the agent's wall clock can be trusted to date footage, and why.
///
/// Trusted when the kernel says an NTP client keeps the clock synchronised (its maximum error
/// within ``Tolerances/kernelMaxErrorSeconds``), or the registry's time agreed with ours within
/// ``Tolerances/agreementSeconds`` with no step since. Never trusted while the registry's last
/// answer disagrees beyond that. Footage is deleted by age only on trusted time.
public struct ClockTrust: Sendable, Equatable {
    public var trusted: Bool
    /// The kernel reports the clock synchronised (NTP, systemd-timesyncd).
    public var synchronised: Bool
    /// Our clock minus the registry's at the last measurement, seconds; nil before one.
    public var offsetSeconds: Double?
    /// When that measurement was taken (our clock).
    public var offsetMeasuredAt: Date?
    /// The last step seen since the agent started.
    public var lastStep: ClockStep?
    /// Why the clock is not trusted, in words for `check` and logs; nil when trusted.
    public var reason: String?

    public init(
        trusted: Bool, synchronised: Bool, offsetSeconds: Double? = nil, offsetMeasuredAt: Date? = nil,
        lastStep: ClockStep? = nil, reason: String? = nil
    ) {
        self.trusted = trusted
        self.synchronised = synchronised
        self.offsetSeconds = offsetSeconds
        self.offsetMeasuredAt = offsetMeasuredAt
        self.lastStep = lastStep
        self.reason = reason
    }

    /// The tolerances trust is decided with.
    public struct Tolerances: Sendable, Equatable {
        /// Wall and monotonic time may drift apart this much between two samples before it counts
        /// as a step (NTP slews at most 0.5 ms/s: a second of samples never comes near).
        public var stepSeconds: Double = 2
        /// Our clock and the registry's may differ this much (plus half the round trip) and agree.
        /// HTTP `Date` has 1-second resolution; the registry's flag `CLOCK_SKEW` starts far above.
        public var agreementSeconds: Double = 5
        /// The kernel's maximum error above which "synchronised" is not believed.
        public var kernelMaxErrorSeconds: Double = 5

        public init() {}
        public static let standard = Tolerances()
    }
}
