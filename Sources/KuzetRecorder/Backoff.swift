/// Jittered exponential backoff with a cap: `cap`, never more; each delay is drawn from
/// [½, 1] of the exponential step so that many cameras failing together do not retry in lockstep.
public struct Backoff: Sendable {
    public var initial: Double
    public var cap: Double
    private(set) var attempt = 0

    public init(initial: Double = 0.25, cap: Double = 2) {
        self.initial = initial
        self.cap = cap
    }

    /// The delay before the next attempt (and counts the attempt).
    public mutating func next<G: RandomNumberGenerator>(using generator: inout G) -> Double {
        let step = min(cap, initial * Double(1 << min(attempt, 20)))
        attempt += 1
        return Double.random(in: (step / 2)...step, using: &generator)
    }

    public mutating func next() -> Double {
        var generator = SystemRandomNumberGenerator()
        return next(using: &generator)
    }

    /// After a success: the next failure starts from `initial` again.
    public mutating func reset() { attempt = 0 }
}
