import Foundation

/// A school as a page of schools shows it: its row and status figures, not its full state.
public struct SchoolListing: Sendable, Equatable, SchoolCondition {
    public var id: String
    public var name: String?
    public var region: String?
    public var registeredAt: Date
    /// Registry clock when the school last sent anything.
    public var lastContactAt: Date?
    /// Nil until its first heartbeat.
    public var status: SchoolStatus?
    /// Set while its heartbeats name another region than `region`.
    public var regionMismatch: RegionMismatch?

    public init(
        id: String, name: String?, region: String?, registeredAt: Date, lastContactAt: Date?, status: SchoolStatus?,
        regionMismatch: RegionMismatch? = nil
    ) {
        self.id = id
        self.name = name
        self.region = region
        self.registeredAt = registeredAt
        self.lastContactAt = lastContactAt
        self.status = status
        self.regionMismatch = regionMismatch
    }

    public var reportedIntervalSeconds: Int? { status?.intervalSeconds }
    public var conditionFlags: [FlagMark] { (status?.flags ?? []).adding(regionMismatch) }
}
