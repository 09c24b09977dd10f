import Foundation

/// A school whose heartbeats name a region other than its registered one: what they name, and
/// since when (`REGION_MISMATCH`). The registry sets regions; this is only recorded.
public struct RegionMismatch: Sendable, Equatable {
    /// The region the school's newest heartbeat names.
    public var reported: String
    public var since: Date

    public init(reported: String, since: Date) {
        self.reported = reported
        self.since = since
    }

    /// From the two columns both stores keep (`reported_region`, `region_mismatch_since`).
    init?(reported: String?, since: Double?) {
        guard let reported, let since else { return nil }
        self.init(reported: reported, since: Date(timeIntervalSince1970: since))
    }

    var mark: FlagMark { FlagMark(flag: .regionMismatch, since: since) }
}

extension [FlagMark] {
    /// These flags with REGION_MISMATCH added when there is one (flags stay in `SchoolFlag` order).
    func adding(_ mismatch: RegionMismatch?) -> [FlagMark] {
        guard let mismatch else { return self }
        return (self + [mismatch.mark]).sorted { $0.flag < $1.flag }
    }
}
