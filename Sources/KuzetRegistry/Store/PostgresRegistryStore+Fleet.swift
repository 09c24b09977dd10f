import Foundation
import PostgresNIO

extension PostgresRegistryStore {
    public func fleet(region: String?) async throws -> [FleetGroup] {
        // The version and fingerprint are in the state JSON (`StoredStateJSON`), read where they are.
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 512, interpolationCount: 2)
        sql.appendLiteral(
            """
            SELECT r, v, f, COUNT(*) FROM (
                SELECT COALESCE(region, '\(UnknownRegion.name)') AS r, (state_json::json)->>'agentVersion' AS v,
                    (state_json::json)->>'configFingerprint' AS f
                FROM schools WHERE state_json IS NOT NULL
            """)
        if let region {
            sql.appendLiteral(" AND COALESCE(region, '\(UnknownRegion.name)') = ")
            sql.appendInterpolation(region)
        }
        sql.appendLiteral(") AS agents WHERE v IS NOT NULL GROUP BY r, v, f ORDER BY r, v, f LIMIT ")
        sql.appendInterpolation(FleetGroup.limit)
        let rows = try await client.query(PostgresQuery(stringInterpolation: sql), logger: logger)
        var groups: [FleetGroup] = []
        for try await (region, version, fingerprint, count) in rows.decode((String, String, String?, Int64).self) {
            groups.append(
                FleetGroup(region: region, agentVersion: version, configFingerprint: fingerprint, schools: Int(count)))
        }
        return groups
    }
}
