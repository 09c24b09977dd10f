import Foundation

/// How delivery to the registry is going, for the agent's status page and `check`.
public struct UplinkStatus: Sendable, Equatable {
    /// Heartbeats waiting in the outbox.
    public var queued: Int
    public var acknowledgedSequence: UInt64
    public var lastDelivery: Date?
    /// Set while delivery fails: why (never a token or password).
    public var problem: String?
    public var consecutiveFailures: Int
    /// Heartbeats the registry refused, set aside under `outbox/parked/`.
    public var parked: Int
    /// Set while heartbeats cannot be written to the outbox (disk full, permissions): why.
    public var queueProblem: String?

    public init(
        queued: Int = 0, acknowledgedSequence: UInt64 = 0, lastDelivery: Date? = nil, problem: String? = nil,
        consecutiveFailures: Int = 0, parked: Int = 0,
        queueProblem: String? = nil
    ) {
        self.queued = queued
        self.acknowledgedSequence = acknowledgedSequence
        self.lastDelivery = lastDelivery
        self.problem = problem
        self.consecutiveFailures = consecutiveFailures
        self.parked = parked
        self.queueProblem = queueProblem
    }
}
