import Foundation
import KuzetProtocol
import PostgresNIO

extension PostgresRegistryStore {
    static let schoolColumns =
        "id, name, region, registered_at, last_contact_at, state_json, reported_region, region_mismatch_since"
    typealias SchoolRow = (String, String?, String?, Double, Double?, String?, String?, Double?)

    public func schools(_ query: SchoolQuery, at now: Date, policy: FlagPolicy) async throws -> SchoolPage {
        func filtered(_ head: String, _ tail: ((inout PostgresQuery.StringInterpolation) -> Void)? = nil)
            -> PostgresQuery
        {
            var sql = PostgresQuery.StringInterpolation(literalCapacity: 256, interpolationCount: 4)
            sql.appendLiteral(head + " WHERE TRUE")
            if let region = query.region {
                sql.appendLiteral(" AND COALESCE(region, '\(UnknownRegion.name)') = ")
                sql.appendInterpolation(region)
            }
            if let flag = query.flag {
                if let condition = SchoolFlagRows.condition(for: flag) {
                    sql.appendLiteral(" AND \(condition)")
                } else {
                    sql.appendLiteral(" AND NOT ")
                    Self.appendOnline(to: &sql, now: now, policy: policy)
                }
            }
            tail?(&sql)
            return PostgresQuery(stringInterpolation: sql)
        }
        let countRows = try await client.query(filtered("SELECT COUNT(*) FROM schools"), logger: logger)
        var total = 0
        for try await count in countRows.decode(Int64.self) { total = Int(count) }
        let select = filtered("SELECT \(Self.listingColumns) FROM schools") { sql in
            sql.appendLiteral(" ORDER BY id LIMIT ")
            sql.appendInterpolation(query.limit)
            sql.appendLiteral(" OFFSET ")
            sql.appendInterpolation(query.offset)
        }
        let rows = try await client.query(select, logger: logger)
        var listed: [ListingRow] = []
        for try await row in rows.decode(ListingRow.self) { listed.append(row) }
        // The page's flag rows, by school.
        var flags: [String: [(flag: String, since: Double)]] = [:]
        let ids = listed.map(\.0)
        if !ids.isEmpty {
            let flagRows = try await client.query(
                "SELECT school_id, flag, since FROM \(unescaped: SchoolFlagRows.allFlags) AS f WHERE school_id = ANY(\(ids)::text[])",
                logger: logger)
            for try await (id, flag, since) in flagRows.decode((String, String, Double).self) {
                flags[id, default: []].append((flag, since))
            }
        }
        let schools = try listed.map { try Self.listing($0, flags: SchoolFlagRows.marks(flags[$0.0] ?? [])) }
        return SchoolPage(total: total, schools: schools)
    }

    public func school(id: String) async throws -> SchoolRecord? {
        let rows = try await client.query(
            "SELECT id, name, region, registered_at, last_contact_at, state_json, reported_region, region_mismatch_since FROM schools WHERE id = \(id)",
            logger: logger)
        var found: SchoolRecord?
        for try await row in rows.decode(SchoolRow.self) { found = try Self.record(row) }
        guard var record = found else { return nil }
        var marks: [(flag: String, since: Double)] = []
        for try await (flag, since) in try await client.query(
            "SELECT flag, since FROM school_proof_flags WHERE school_id = \(id)", logger: logger
        ).decode((String, Double).self) {
            marks.append((flag, since))
        }
        record.proofFlags = SchoolFlagRows.marks(marks)
        return record
    }

    public func history(schoolID: String, limit: Int) async throws -> [HistoryEntry] {
        let rows = try await client.query(
            "SELECT sequence, sent_at, received_at, payload FROM heartbeats WHERE school_id = \(schoolID) ORDER BY sequence DESC LIMIT \(limit)",
            logger: logger)
        var entries: [HistoryEntry] = []
        for try await (sequence, sent, received, payload) in rows.decode((Int64, Double, Double, String).self) {
            entries.append(
                HistoryEntry(
                    sequence: UInt64(sequence), sentAt: Date(timeIntervalSince1970: sent),
                    receivedAt: Date(timeIntervalSince1970: received),
                    payload: Data(payload.utf8)))
        }
        return entries
    }

    public func report(region: String?, at now: Date, policy: FlagPolicy) async throws -> RegistryReport {
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 512, interpolationCount: 5)
        sql.appendLiteral("SELECT COALESCE(region, '\(UnknownRegion.name)') AS r, COUNT(*)::bigint, SUM(CASE WHEN ")
        Self.appendOnline(to: &sql, now: now, policy: policy)
        sql.appendLiteral(" THEN 1 ELSE 0 END)::bigint, SUM(CASE WHEN ")
        Self.appendOnline(to: &sql, now: now, policy: policy)
        sql.appendLiteral(" AND \(SchoolFlagRows.notSet(.notDelivering)) THEN 1 ELSE 0 END)::bigint,")
        sql.appendLiteral(
            " SUM(CASE WHEN state_json IS NOT NULL AND \(SchoolFlagRows.notSet(.retentionBelowMinimum)) THEN 1 ELSE 0 END)::bigint,"
        )
        sql.appendLiteral(
            " SUM(CASE WHEN \(SchoolFlagRows.condition(for: .cameraObstructed) ?? "FALSE") THEN 1 ELSE 0 END)::bigint FROM schools"
        )
        if let region {
            sql.appendLiteral(" WHERE COALESCE(region, '\(UnknownRegion.name)') = ")
            sql.appendInterpolation(region)
        }
        sql.appendLiteral(" GROUP BY r ORDER BY r")
        let rows = try await client.query(PostgresQuery(stringInterpolation: sql), logger: logger)
        var counts: [RegionCounts] = []
        for try await (name, schools, online, delivering, compliant, obstructed) in rows.decode(
            (String, Int64, Int64, Int64, Int64, Int64).self)
        {
            counts.append(
                RegionCounts(
                    region: name, schools: Int(schools), online: Int(online), delivering: Int(delivering),
                    retentionCompliant: Int(compliant), cameraObstructed: Int(obstructed)))
        }
        return RegistryReport(generatedAt: now, regions: counts)
    }

    /// Online: reported, and the last contact is within intervals × interval of now.
    static func appendOnline(to sql: inout PostgresQuery.StringInterpolation, now: Date, policy: FlagPolicy) {
        sql.appendLiteral("(state_json IS NOT NULL AND last_contact_at + interval_seconds * ")
        sql.appendInterpolation(policy.offlineAfterIntervals)
        sql.appendLiteral(" >= ")
        sql.appendInterpolation(now.timeIntervalSince1970)
        sql.appendLiteral(")")
    }

    /// Schools for a list: the row's columns; the state JSON only for rows written before the
    /// status columns existed (`cameras` NULL although the school reported).
    static let listingColumns = """
        id, name, region, registered_at, last_contact_at, last_sequence, interval_seconds, \
        cameras, cameras_recording, minimum_retention_days, CASE WHEN cameras IS NULL AND last_sequence IS NOT NULL THEN state_json END, \
        reported_region, region_mismatch_since
        """
    typealias ListingRow = (
        String, String?, String?, Double, Double?, Int64?, Int32?, Int32?, Int32?, Double?, String?, String?, Double?
    )

    /// - Parameter flags: the school's flag rows (`school_flags`).
    static func listing(_ row: ListingRow, flags: [FlagMark]) throws -> SchoolListing {
        var status: SchoolStatus?
        if let legacy = row.10 {
            status = SchoolStatus(try StoredJSON.decode(SchoolState.self, Data(legacy.utf8)))
        } else if let sequence = row.5, let interval = row.6 {
            status = SchoolStatus(
                lastSequence: UInt64(sequence), intervalSeconds: Int(interval), flags: flags, cameras: Int(row.7 ?? 0),
                camerasRecording: Int(row.8 ?? 0), minimumRetentionDays: row.9)
        }
        return SchoolListing(
            id: row.0, name: row.1, region: row.2, registeredAt: Date(timeIntervalSince1970: row.3),
            lastContactAt: row.4.map(Date.init(timeIntervalSince1970:)), status: status,
            regionMismatch: RegionMismatch(reported: row.11, since: row.12))
    }

    static func record(_ row: SchoolRow) throws -> SchoolRecord {
        SchoolRecord(
            id: row.0, name: row.1, region: row.2, registeredAt: Date(timeIntervalSince1970: row.3),
            lastContactAt: row.4.map(Date.init(timeIntervalSince1970:)),
            state: try row.5.map { try StoredJSON.decode(SchoolState.self, Data($0.utf8)) },
            regionMismatch: RegionMismatch(reported: row.6, since: row.7))
    }
}
