import KuzetProtocol

/// What the rest of the agent knows right now, for one heartbeat. The service adds school id,
/// sequence, clock, agent version and uptime.
public struct HeartbeatSnapshot: Sendable, Equatable {
    public var cameras: [CameraReport]
    public var storage: StorageReport
    public var centre: CentreReport?
    /// Events since the previous snapshot (the provider hands each event out once).
    public var events: [AgentEvent]
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
}

/// A provider made from a closure.
public struct ClosureSnapshotProvider: HeartbeatSnapshotProvider {
    let body: @Sendable () async -> HeartbeatSnapshot
    public init(_ body: @escaping @Sendable () async -> HeartbeatSnapshot) { self.body = body }
    public func heartbeatSnapshot() async -> HeartbeatSnapshot { await body() }
}
