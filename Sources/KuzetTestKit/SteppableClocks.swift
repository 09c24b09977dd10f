import Foundation
import KuzetCore
import Synchronization

/// Clocks a test moves by hand for a `ClockTrustMonitor`: a wall clock it can step, a monotonic
/// clock, and the kernel's NTP word (nil: unknown, so not synchronised).
public final class SteppableClocks: Sendable {
    private let state = Mutex<(wall: Date, monotonic: UInt64, kernel: KernelClockState?)>(
        (Date(timeIntervalSince1970: 1_790_812_800), 1_000_000_000_000, nil))

    public init(wall: Date = Date(timeIntervalSince1970: 1_790_812_800)) { step(wall.timeIntervalSince(self.wall)) }

    public var wall: Date { state.withLock { $0.wall } }
    /// The wall clock as code that takes `now: @Sendable () -> Date` wants it.
    public var now: @Sendable () -> Date { { self.wall } }
    /// Real time passes: both clocks move.
    public func pass(_ seconds: Double) {
        state.withLock {
            $0.wall = $0.wall.addingTimeInterval(seconds)
            $0.monotonic += UInt64(seconds * 1e9)
        }
    }
    /// The wall clock alone moves (a step).
    public func step(_ seconds: Double) { state.withLock { $0.wall = $0.wall.addingTimeInterval(seconds) } }
    public func kernel(_ kernel: KernelClockState?) { state.withLock { $0.kernel = kernel } }

    public var sources: ClockTrustMonitor.Sources {
        ClockTrustMonitor.Sources(
            wall: { self.state.withLock { $0.wall } },
            monotonic: { MonotonicInstant(nanoseconds: self.state.withLock { $0.monotonic }) },
            kernel: { self.state.withLock { $0.kernel } })
    }
}
