import Foundation
import GRDB

extension SQLiteRegistryStore {
    public func fleet(region: String?) async throws -> [FleetGroup] {
        var arguments: StatementArguments = [UnknownRegion.name]
        var whereClause = ""
        if let region {
            whereClause = "WHERE COALESCE(schools.region, ?) = ?"
            arguments += [UnknownRegion.name, region]
        }
        arguments += [FleetGroup.limit]
        // The version and fingerprint are in the state JSON (`StoredStateJSON`), read where they are.
        let sql = """
            SELECT r, v, f, COUNT(*) AS n FROM (
                SELECT COALESCE(schools.region, ?) AS r, json_extract(CAST(state_json AS TEXT), '$.agentVersion') AS v,
                    json_extract(CAST(state_json AS TEXT), '$.configFingerprint') AS f
                FROM schools JOIN school_states ON school_states.school_id = schools.id \(whereClause))
            WHERE v IS NOT NULL GROUP BY r, v, f ORDER BY r, v, f LIMIT ?
            """
        let fleetArguments = arguments
        return try await pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: fleetArguments).map { row in
                FleetGroup(region: row["r"], agentVersion: row["v"], configFingerprint: row["f"], schools: row["n"])
            }
        }
    }
}
