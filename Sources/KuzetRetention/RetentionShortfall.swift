import Foundation
import KuzetCore

/// A camera kept less than `retention.days` because the disk was full: which camera, since when,
/// and the retention achieved when footage was last deleted early.
public struct RetentionShortfall: Sendable, Equatable, Codable {
    public var camera: String
    public var since: Date
    public var achievedDays: Double
    public var lastForcedDeletion: Date

    enum CodingKeys: String, CodingKey {
        case camera, since
        case achievedDays = "achieved_days"
        case lastForcedDeletion = "last_forced_deletion"
    }
}
