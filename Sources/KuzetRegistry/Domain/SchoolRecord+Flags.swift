import Foundation

extension SchoolRecord: SchoolCondition {
    public var reportedIntervalSeconds: Int? { state?.intervalSeconds }
    public var conditionFlags: [FlagMark] {
        ((state?.flags ?? []) + proofFlags).sorted { $0.flag < $1.flag }.adding(regionMismatch)
    }

    /// The school as a list shows it.
    public var listing: SchoolListing {
        var status = state.map(SchoolStatus.init)
        if !proofFlags.isEmpty, var shown = status {
            shown.flags = (shown.flags + proofFlags).sorted { $0.flag < $1.flag }
            status = shown
        }
        return SchoolListing(
            id: id, name: name, region: region, registeredAt: registeredAt, lastContactAt: lastContactAt,
            status: status,
            regionMismatch: regionMismatch)
    }
}
