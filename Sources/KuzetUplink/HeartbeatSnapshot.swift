import KuzetProtocol

/// What the rest of the agent knows right now, for one heartbeat. The service adds school id,
/// sequence, clock, agent version and uptime.
public struct HeartbeatSnapshot: Sendable, Equatable {
    public var cameras: [CameraReport]
    public var storage: StorageReport
    public var centre: CentreReport?
    /// Events since the previous snapshot (the provider hands each event out once).
    public var events: [AgentEvent]
    // Issue 21 (provable retention): the device key, signed day roots and challenge answers not
    // yet sent (the provider hands each out once).
    public var deviceKey: String?
    public var dayRoots: [DayRootReport]?
    public var challengeAnswers: [ChallengeAnswer]?
    /// Whether the agent trusts its wall clock.
    public var clock: ClockReport?

    public init(
        cameras: [CameraReport], storage: StorageReport, centre: CentreReport? = nil, events: [AgentEvent] = [],
        clock: ClockReport? = nil
    ) {
        self.cameras = cameras
        self.storage = storage
        self.centre = centre
        self.events = events
        self.clock = clock
    }
}

/// Filled in by the agent's wiring from the recorder, retention and relay.
public protocol HeartbeatSnapshotProvider: Sendable {
    func heartbeatSnapshot() async -> HeartbeatSnapshot
    /// The registry's receipt of a delivered batch (issue 21: its `challenges`). Default: ignored.
    func receiptArrived(_ receipt: HeartbeatReceipt)
    /// Whether the heartbeat made from `snapshot` is on disk in the outbox (issue 21: what it
    /// carried is marked sent only then, and handed out again otherwise). Default: ignored.
    func snapshotQueued(_ snapshot: HeartbeatSnapshot, queued: Bool)
}

extension HeartbeatSnapshotProvider {
    public func receiptArrived(_ receipt: HeartbeatReceipt) {}
    public func snapshotQueued(_ snapshot: HeartbeatSnapshot, queued: Bool) {}
}

/// A provider made from a closure.
public struct ClosureSnapshotProvider: HeartbeatSnapshotProvider {
    let body: @Sendable () async -> HeartbeatSnapshot
    public init(_ body: @escaping @Sendable () async -> HeartbeatSnapshot) { self.body = body }
    public func heartbeatSnapshot() async -> HeartbeatSnapshot { await body() }
}
