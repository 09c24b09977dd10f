/// Who a token belongs to.
public enum Role: String, Codable, Sendable, CaseIterable {
    /// A school's agent: writes its own heartbeats, reads nothing.
    case school
    /// Police / ministry: reads everything, or one region only.
    case viewer
    /// Operators: reads everything (and manages schools and tokens through the CLI).
    case admin
}

/// The authenticated caller of a request.
public struct Principal: Sendable, Equatable {
    public var role: Role
    /// The school a `school` token writes for.
    public var schoolID: String?
    /// A `viewer` limited to one region.
    public var region: String?

    public init(role: Role, schoolID: String? = nil, region: String? = nil) {
        self.role = role
        self.schoolID = schoolID
        self.region = region
    }

    /// Viewers and admins read; school tokens do not.
    public var canRead: Bool { role == .viewer || role == .admin }

    /// The region this principal is limited to when reading (nil: all regions).
    public var readableRegion: String? { role == .viewer ? region : nil }
}
