import Foundation

/// Counts of one region (or of all regions: `region == nil` in `RegistryReport.total`).
public struct RegionCounts: Sendable, Equatable {
    public var region: String
    public var schools: Int
    public var online: Int
    public var delivering: Int
    public var retentionCompliant: Int
    /// Issue 21: schools whose retention a challenge proved in the last 7 days.
    public var retentionProven = 0
    /// Issue 23: schools with CAMERA_OBSTRUCTED (a camera's picture flagged).
    public var cameraObstructed: Int

    public init(
        region: String, schools: Int, online: Int, delivering: Int, retentionCompliant: Int, cameraObstructed: Int = 0
    ) {
        self.cameraObstructed = cameraObstructed
        self.region = region
        self.schools = schools
        self.online = online
        self.delivering = delivering
        self.retentionCompliant = retentionCompliant
    }

    /// `part` of `schools` in percent, rounded to one decimal (0 when there are no schools).
    public func percent(_ part: Int) -> Double {
        guard schools > 0 else { return 0 }
        return (Double(part) * 1000 / Double(schools)).rounded() / 10
    }
}

/// `GET /api/v1/report`: per region and in total.
public struct RegistryReport: Sendable, Equatable {
    public var generatedAt: Date
    public var regions: [RegionCounts]
    public var total: RegionCounts

    public init(generatedAt: Date, regions: [RegionCounts]) {
        self.generatedAt = generatedAt
        self.regions = regions.sorted { $0.region < $1.region }
        self.total = RegionCounts(
            region: "TOTAL", schools: regions.reduce(0) { $0 + $1.schools },
            online: regions.reduce(0) { $0 + $1.online },
            delivering: regions.reduce(0) { $0 + $1.delivering },
            retentionCompliant: regions.reduce(0) { $0 + $1.retentionCompliant },
            cameraObstructed: regions.reduce(0) { $0 + $1.cameraObstructed })
    }
}

/// The region a school without one is counted under.
public enum UnknownRegion {
    public static let name = "(none)"
}
