import Foundation

/// A bitrate measured over windows of a couple of seconds (not thread-safe; its owner locks).
struct RateMeter: Sendable {
    var window: Double = 2
    private var windowStart = Date()
    private var windowBytes = 0
    private(set) var kilobitsPerSecond: Double = 0

    mutating func add(bytes: Int, now: Date = Date()) {
        windowBytes += bytes
        let elapsed = now.timeIntervalSince(windowStart)
        if elapsed >= window {
            kilobitsPerSecond = Double(windowBytes) * 8 / elapsed / 1000
            windowBytes = 0
            windowStart = now
        }
    }

    /// Reads the rate, decaying it to zero when nothing arrived for a whole window.
    func current(now: Date = Date()) -> Double {
        now.timeIntervalSince(windowStart) > 2 * window ? 0 : kilobitsPerSecond
    }

    mutating func reset() { self = RateMeter(window: window) }
}
