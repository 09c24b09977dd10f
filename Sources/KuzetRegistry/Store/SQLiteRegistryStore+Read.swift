import Foundation
import GRDB
import KuzetProtocol

extension SQLiteRegistryStore {
    public func schools(_ query: SchoolQuery, at now: Date, policy: FlagPolicy) async throws -> SchoolPage {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let region = query.region {
            conditions.append("COALESCE(region, ?) = ?")
            arguments += [UnknownRegion.name, region]
        }
        if let flag = query.flag {
            if let condition = SchoolFlagRows.condition(for: flag) {
                conditions.append(condition)
            } else {
                conditions.append("NOT (\(Self.onlineCondition))")
                arguments += [policy.offlineAfterIntervals, now.timeIntervalSince1970]
            }
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let pageArguments = arguments + [query.limit, query.offset]
        let countArguments = arguments
        return try await pool.read { db in
            let total =
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM schools \(whereClause)", arguments: countArguments) ?? 0
            let rows = try Row.fetchAll(
                db, sql: "\(Self.selectListings) \(whereClause) ORDER BY id LIMIT ? OFFSET ?", arguments: pageArguments)
            // The page's flag rows, by school.
            var flags: [String: [(flag: String, since: Double)]] = [:]
            let flagRows = try Row.fetchAll(
                db,
                sql: """
                    SELECT f.school_id, f.flag, f.since FROM \(SchoolFlagRows.allFlags) AS f
                    JOIN (SELECT id FROM schools \(whereClause) ORDER BY id LIMIT ? OFFSET ?) AS page ON page.id = f.school_id
                    """, arguments: pageArguments)
            for row in flagRows {
                let id: String = row[0]
                flags[id, default: []].append((flag: row[1], since: row[2]))
            }
            return SchoolPage(
                total: total,
                schools: try rows.map {
                    try Self.listing($0, flags: SchoolFlagRows.marks(flags[$0["id"] as String] ?? []))
                })
        }
    }

    public func school(id: String) async throws -> SchoolRecord? {
        try await pool.read { db in
            guard
                var record = try Row.fetchOne(db, sql: "\(Self.selectSchools) WHERE id = ?", arguments: [id]).map(
                    Self.record)
            else { return nil }
            record.proofFlags = SchoolFlagRows.marks(
                try Row.fetchAll(
                    db, sql: "SELECT flag, since FROM school_proof_flags WHERE school_id = ?", arguments: [id]
                ).map { (flag: $0[0], since: $0[1]) })
            return record
        }
    }

    public func history(schoolID: String, limit: Int) async throws -> [HistoryEntry] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM heartbeats WHERE school_id = ? ORDER BY sequence DESC LIMIT ?",
                arguments: [schoolID, limit]
            ).map { row in
                HistoryEntry(
                    sequence: UInt64(row["sequence"] as Int64), sentAt: Date(timeIntervalSince1970: row["sent_at"]),
                    receivedAt: Date(timeIntervalSince1970: row["received_at"]), payload: row["payload"])
            }
        }
    }

    public func report(region: String?, at now: Date, policy: FlagPolicy) async throws -> RegistryReport {
        let online = Self.onlineCondition
        var arguments: StatementArguments = [
            UnknownRegion.name, policy.offlineAfterIntervals, now.timeIntervalSince1970, policy.offlineAfterIntervals,
            now.timeIntervalSince1970,
        ]
        var whereClause = ""
        if let region {
            whereClause = "WHERE COALESCE(region, ?) = ?"
            arguments += [UnknownRegion.name, region]
        }
        let sql = """
            SELECT COALESCE(region, ?) AS r, COUNT(*) AS schools,
                SUM(CASE WHEN \(online) THEN 1 ELSE 0 END) AS online,
                SUM(CASE WHEN \(online) AND \(SchoolFlagRows.notSet(.notDelivering)) THEN 1 ELSE 0 END) AS delivering,
                SUM(CASE WHEN last_sequence IS NOT NULL AND \(SchoolFlagRows.notSet(.retentionBelowMinimum)) THEN 1 ELSE 0 END) AS compliant,
                SUM(CASE WHEN \(SchoolFlagRows.condition(for: .cameraObstructed) ?? "FALSE") THEN 1 ELSE 0 END) AS obstructed
            FROM schools \(whereClause) GROUP BY r ORDER BY r
            """
        let reportArguments = arguments
        return try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: reportArguments).map { row in
                RegionCounts(
                    region: row["r"], schools: row["schools"], online: row["online"], delivering: row["delivering"],
                    retentionCompliant: row["compliant"], cameraObstructed: row["obstructed"])
            }
            return RegistryReport(generatedAt: now, regions: rows)
        }
    }

    /// Online: reported, and the last contact is within intervals × interval of now (two arguments).
    static let onlineCondition = "(last_sequence IS NOT NULL AND last_contact_at + interval_seconds * ? >= ?)"

    /// Schools with their state blob (kept in its own table).
    static let selectSchools =
        "SELECT schools.*, school_states.state_json AS state_json FROM schools LEFT JOIN school_states ON school_states.school_id = schools.id"

    /// Schools for a list: the row's columns; the state JSON only for rows written before the
    /// status columns existed (`cameras` NULL although the school reported).
    static let selectListings = """
        SELECT schools.*, CASE WHEN schools.cameras IS NULL AND schools.last_sequence IS NOT NULL THEN school_states.state_json END AS legacy_state
        FROM schools LEFT JOIN school_states ON school_states.school_id = schools.id
        """

    /// - Parameter flags: the school's flag rows (`school_flags`).
    static func listing(_ row: Row, flags: [FlagMark]) throws -> SchoolListing {
        var status: SchoolStatus?
        if let legacy = row["legacy_state"] as Data? {
            status = SchoolStatus(try StoredJSON.decode(SchoolState.self, legacy))
        } else if let sequence = row["last_sequence"] as Int64?, let interval = row["interval_seconds"] as Int? {
            status = SchoolStatus(
                lastSequence: UInt64(sequence), intervalSeconds: interval, flags: flags, cameras: row["cameras"] ?? 0,
                camerasRecording: row["cameras_recording"] ?? 0, minimumRetentionDays: row["minimum_retention_days"])
        }
        return SchoolListing(
            id: row["id"], name: row["name"], region: row["region"],
            registeredAt: Date(timeIntervalSince1970: row["registered_at"]),
            lastContactAt: (row["last_contact_at"] as Double?).map(Date.init(timeIntervalSince1970:)), status: status,
            regionMismatch: regionMismatch(row))
    }

    static func record(_ row: Row) throws -> SchoolRecord {
        SchoolRecord(
            id: row["id"], name: row["name"], region: row["region"],
            registeredAt: Date(timeIntervalSince1970: row["registered_at"]),
            lastContactAt: (row["last_contact_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            state: try (row["state_json"] as Data?).map { try StoredJSON.decode(SchoolState.self, $0) },
            regionMismatch: regionMismatch(row))
    }

    static func regionMismatch(_ row: Row) -> RegionMismatch? {
        RegionMismatch(reported: row["reported_region"], since: row["region_mismatch_since"])
    }
}
