import Foundation

/// Schools of one region whose agents run one version with one configuration (`GET /api/v1/fleet`,
/// the dashboard's agent table). Schools that never reported are not in any group.
public struct FleetGroup: Sendable, Equatable {
    public var region: String
    public var agentVersion: String
    /// Nil for agents that do not send one (before December 2026).
    public var configFingerprint: String?
    public var schools: Int

    public init(region: String, agentVersion: String, configFingerprint: String?, schools: Int) {
        self.region = region
        self.agentVersion = agentVersion
        self.configFingerprint = configFingerprint
        self.schools = schools
    }

    /// Groups read at most (agents choose the version and fingerprint they send; schools bound them).
    public static let limit = 2000
}

/// The fleet by agent version: schools and distinct configurations per version, most schools first.
public struct FleetVersion: Sendable, Equatable {
    public var agentVersion: String
    public var schools: Int
    /// Distinct configuration fingerprints among them (agents without one count as one).
    public var configurations: Int

    public static func summarise(_ groups: [FleetGroup]) -> [FleetVersion] {
        Dictionary(grouping: groups, by: \.agentVersion).map { version, groups in
            FleetVersion(
                agentVersion: version, schools: groups.reduce(0) { $0 + $1.schools },
                configurations: Set(groups.map { $0.configFingerprint ?? "" }).count)
        }.sorted { ($0.schools, $1.agentVersion) > ($1.schools, $0.agentVersion) }
    }
}
