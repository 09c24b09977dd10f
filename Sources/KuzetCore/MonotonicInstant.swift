import Glibc

/// A point on the kernel's monotonic clock (`CLOCK_MONOTONIC`), in nanoseconds: what every wait,
/// timeout, backoff and rate in the agent is measured on. It never jumps when the wall clock is
/// stepped (NTP, a hand-set date, a dead RTC battery), so a 1-hour backward step cannot make a
/// 1-second wait last an hour. `Date` is for naming and dating footage and heartbeats only.
///
/// `CLOCK_MONOTONIC` rather than `ContinuousClock` (which is `CLOCK_BOOTTIME` on Linux) because
/// ``MonotonicCondition`` waits on it: `pthread_condattr_setclock` accepts only it and the wall clock.
public struct MonotonicInstant: Sendable, Hashable, Comparable {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public static func now() -> MonotonicInstant {
        var time = Glibc.timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return MonotonicInstant(nanoseconds: UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec))
    }

    /// This instant plus `seconds` (negative, NaN and huge values are clamped: a wait is never forever).
    public func adding(seconds: Double) -> MonotonicInstant {
        let bounded = seconds.isNaN ? 0 : min(max(seconds, 0), 100 * 365 * 86_400)
        return MonotonicInstant(nanoseconds: nanoseconds &+ UInt64(bounded * 1e9))
    }

    /// Seconds from `self` to `other` (negative when `other` is earlier).
    public func seconds(to other: MonotonicInstant) -> Double {
        other.nanoseconds >= nanoseconds
            ? Double(other.nanoseconds - nanoseconds) / 1e9 : -Double(nanoseconds - other.nanoseconds) / 1e9
    }

    /// Seconds since this instant, now.
    public var elapsedSeconds: Double { seconds(to: .now()) }

    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    var cTime: Glibc.timespec {
        Glibc.timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    }
}
