import KuzetCore

/// A bitrate measured over windows (on the monotonic clock) of a couple of seconds (not thread-safe; its owner locks).
struct RateMeter: Sendable {
    var window: Double = 2
    private var windowStart = MonotonicInstant.now()
    private var windowBytes = 0
    private(set) var kilobitsPerSecond: Double = 0

    mutating func add(bytes: Int, now: MonotonicInstant = .now()) {
        windowBytes += bytes
        let elapsed = windowStart.seconds(to: now)
        if elapsed >= window {
            kilobitsPerSecond = Double(windowBytes) * 8 / elapsed / 1000
            windowBytes = 0
            windowStart = now
        }
    }

    /// Reads the rate, decaying it to zero when nothing arrived for a whole window.
    func current(now: MonotonicInstant = .now()) -> Double {
        windowStart.seconds(to: now) > 2 * window ? 0 : kilobitsPerSecond
    }

    mutating func reset() { self = RateMeter(window: window) }
}
