import Foundation

/// What OFFLINE and the other read-time conditions are computed from, for a full `SchoolRecord` and
/// for a `SchoolListing` alike.
public protocol SchoolCondition {
    var registeredAt: Date { get }
    var lastContactAt: Date? { get }
    /// The reporting interval of the newest heartbeat; nil if the school never reported.
    var reportedIntervalSeconds: Int? { get }
    /// The school-level flags of its current state (never OFFLINE).
    var conditionFlags: [FlagMark] { get }
}

extension SchoolCondition {
    /// When the school counts as offline at the latest: last contact + intervals × interval.
    /// A school that never reported is offline from its registration.
    public func offlineSince(policy: FlagPolicy) -> Date? {
        guard let lastContactAt, let interval = reportedIntervalSeconds else { return registeredAt }
        return lastContactAt.addingTimeInterval(policy.offlineAfterIntervals * Double(interval))
    }

    /// Online at `now`: a heartbeat within `offlineAfterIntervals` reporting intervals.
    public func isOnline(at now: Date, policy: FlagPolicy) -> Bool {
        guard let since = offlineSince(policy: policy), reportedIntervalSeconds != nil else { return false }
        return now <= since
    }

    /// All flags set at `now`, OFFLINE first.
    public func flags(at now: Date, policy: FlagPolicy) -> [FlagMark] {
        var marks = conditionFlags
        if !isOnline(at: now, policy: policy), let since = offlineSince(policy: policy) {
            marks.insert(FlagMark(flag: .offline, since: since), at: 0)
        }
        return marks
    }

    /// Delivering to the ЦОУ now: online and no NOT_DELIVERING.
    public func isDelivering(at now: Date, policy: FlagPolicy) -> Bool {
        isOnline(at: now, policy: policy) && conditionFlags.since(.notDelivering) == nil
    }

    /// Keeping the legal minimum according to its latest report (a school that never reported does not).
    public var isRetentionCompliant: Bool {
        guard reportedIntervalSeconds != nil else { return false }
        return conditionFlags.since(.retentionBelowMinimum) == nil
    }
}
