/// Bytes counted in one-second buckets over the last `seconds` (5 by default): the average rate
/// over that window, as the heartbeat's `live_kbps` / `upload_kbps` and the budget report it.
/// Measured on the monotonic clock (a stepped wall clock neither empties nor freezes it).
/// Not thread-safe: its owner locks. Memory is `seconds` buckets whatever the traffic.
public struct SlidingRate: Sendable {
    public let seconds: Int
    private var buckets: [Int]
    private var bucketSecond: Int64

    public init(seconds: Int = 5, now: MonotonicInstant = .now()) {
        self.seconds = max(1, seconds)
        self.buckets = Array(repeating: 0, count: max(1, seconds))
        self.bucketSecond = Int64(now.nanoseconds / 1_000_000_000)
    }

    public mutating func add(bytes: Int, now: MonotonicInstant = .now()) {
        advance(to: now)
        let index = Int(bucketSecond % Int64(seconds))
        buckets[index] = buckets[index].addingReportingOverflow(max(0, bytes)).partialValue
    }

    /// kbit/s averaged over the last `seconds` whole seconds (the current partial second included).
    public mutating func kbps(now: MonotonicInstant = .now()) -> Double {
        advance(to: now)
        let total = buckets.reduce(0) { $0.addingReportingOverflow($1).partialValue }
        return Double(total) * 8 / Double(seconds) / 1000
    }

    private mutating func advance(to now: MonotonicInstant) {
        let second = Int64(now.nanoseconds / 1_000_000_000)
        guard second > bucketSecond else { return }
        let steps = min(Int(min(second - bucketSecond, Int64(seconds))), seconds)
        for step in 1...steps { buckets[Int((bucketSecond + Int64(step)) % Int64(seconds))] = 0 }
        bucketSecond = second
    }
}
