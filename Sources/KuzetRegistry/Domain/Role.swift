/// Who a token belongs to.
public enum Role: String, Codable, Sendable, CaseIterable {
    /// A school's agent: writes its own heartbeats, reads nothing.
    case school
    /// Police / ministry: reads everything, or one region only.
    case viewer
    /// Operators: reads everything (and manages schools and tokens through the CLI).
    case admin
    /// A ЦОУ operator: reads like a viewer (one region, or all) and may issue commands (live view,
    /// clips, snapshots) for the schools it reads (issue 22).
    case `operator`
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

    /// Viewers, operators and admins read; school tokens do not.
    public var canRead: Bool { role == .viewer || role == .admin || role == .operator }

    /// The region this principal is limited to when reading (nil: all regions).
    public var readableRegion: String? { role == .viewer || role == .operator ? region : nil }

    /// Operators and admins may issue commands to the schools they read; viewers may not.
    public var canCommand: Bool { role == .operator || role == .admin }
}
