import Foundation

/// Schools counted by region and flag, as `/metrics` exports them (`SchoolGauges`). Taken through
/// the store's report and school-list counts (`RegistryStore.report`, `RegistryStore.schools` with
/// `limit: 0`), never per school: its cost grows with regions × flags, not with schools.
public struct SchoolCensus: Sendable, Equatable {
    public struct Region: Sendable, Equatable {
        public var name: String
        public var schools: Int
        public var online: Int
        /// Schools with each flag set (every `SchoolFlag`, zero included).
        public var flagged: [SchoolFlag: Int]
    }

    public var takenAt: Date
    /// Sorted by name; the regions beyond `regionLimit` summed into one named `otherRegions`.
    public var regions: [Region]

    /// The region the regions beyond the limit are summed under.
    public static let otherRegions = "(other)"
    /// Regions exported by name at most: a region is set by an admin, but a label per value must
    /// stay a small set whatever happens.
    public static let defaultRegionLimit = 64

    /// Counts the schools in `store` at `now`. The `regionLimit` regions with the most schools are
    /// kept by name; the rest are summed into `otherRegions` (their flag counts are the totals less
    /// the named regions', so they cost no query per region).
    public static func take(
        from store: any RegistryStore, at now: Date, policy: FlagPolicy, regionLimit: Int = defaultRegionLimit
    ) async throws -> SchoolCensus {
        let report = try await store.report(region: nil, at: now, policy: policy)
        let named = report.regions.sorted { ($0.schools, $1.region) > ($1.schools, $0.region) }.prefix(
            max(regionLimit, 0))
        var regions: [Region] = []
        for counts in named {
            var flagged: [SchoolFlag: Int] = [:]
            for flag in SchoolFlag.allCases {
                flagged[flag] = try await count(
                    store, SchoolQuery(region: counts.region, flag: flag), at: now, policy: policy)
            }
            regions.append(
                Region(name: counts.region, schools: counts.schools, online: counts.online, flagged: flagged))
        }
        if report.regions.count > named.count {
            let rest = report.regions.filter { counts in !named.contains { $0.region == counts.region } }
            var flagged: [SchoolFlag: Int] = [:]
            for flag in SchoolFlag.allCases {
                let total = try await count(store, SchoolQuery(flag: flag), at: now, policy: policy)
                flagged[flag] = max(total - regions.reduce(0) { $0 + ($1.flagged[flag] ?? 0) }, 0)
            }
            regions.append(
                Region(
                    name: otherRegions, schools: rest.reduce(0) { $0 + $1.schools },
                    online: rest.reduce(0) { $0 + $1.online },
                    flagged: flagged))
        }
        return SchoolCensus(takenAt: now, regions: regions.sorted { $0.name < $1.name })
    }

    /// How many schools `query` matches (a page of none: only the count is read).
    private static func count(_ store: any RegistryStore, _ query: SchoolQuery, at now: Date, policy: FlagPolicy)
        async throws -> Int
    {
        var query = query
        query.limit = 0
        return try await store.schools(query, at: now, policy: policy).total
    }
}
