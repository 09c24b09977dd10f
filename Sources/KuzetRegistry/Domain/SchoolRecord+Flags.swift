import Foundation

extension SchoolRecord {
    /// When the school counts as offline at the latest: last contact + intervals × interval.
    /// A school that never reported is offline from its registration.
    public func offlineSince(policy: FlagPolicy) -> Date? {
        guard let lastContactAt, let state else { return registeredAt }
        return lastContactAt.addingTimeInterval(policy.offlineAfterIntervals * Double(state.intervalSeconds))
    }

    /// Online at `now`: a heartbeat within `offlineAfterIntervals` reporting intervals.
    public func isOnline(at now: Date, policy: FlagPolicy) -> Bool {
        guard let since = offlineSince(policy: policy), state != nil else { return false }
        return now <= since
    }

    /// All flags set at `now`, OFFLINE first.
    public func flags(at now: Date, policy: FlagPolicy) -> [FlagMark] {
        var marks = state?.flags ?? []
        if !isOnline(at: now, policy: policy), let since = offlineSince(policy: policy) {
            marks.insert(FlagMark(flag: .offline, since: since), at: 0)
        }
        return marks
    }

    /// Delivering to the ЦОУ now: online and no NOT_DELIVERING.
    public func isDelivering(at now: Date, policy: FlagPolicy) -> Bool {
        isOnline(at: now, policy: policy) && state?.flags.since(.notDelivering) == nil
    }

    /// Keeping the legal minimum according to its latest report (a school that never reported does not).
    public var isRetentionCompliant: Bool {
        guard let state else { return false }
        return state.flags.since(.retentionBelowMinimum) == nil
    }
}
