import Foundation
import GRDB

extension SQLiteRegistryStore {
    public func insertCommand(_ command: PoliceCommand) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO commands (id, school_id, kind, camera, stream, duration_seconds, from_at, to_at, issued_at,
                        expires_at, issued_by, state, message, bytes, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    command.id, command.schoolID, command.kind.rawValue, command.camera, command.stream?.rawValue,
                    command.durationSeconds, command.from?.timeIntervalSince1970, command.to?.timeIntervalSince1970,
                    command.issuedAt.timeIntervalSince1970, command.expiresAt.timeIntervalSince1970, command.issuedBy,
                    command.state.rawValue, command.message, command.bytes, command.updatedAt.timeIntervalSince1970,
                ])
        }
    }

    public func command(id: String) async throws -> PoliceCommand? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM commands WHERE id = ?", arguments: [id]).flatMap(Self.command)
        }
    }

    public func commands(ids: [String]) async throws -> [PoliceCommand] {
        guard !ids.isEmpty else { return [] }
        return try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM commands WHERE id IN (\(databaseQuestionMarks(count: ids.count)))",
                arguments: StatementArguments(ids)
            ).compactMap(Self.command)
        }
    }

    public func commands(schoolID: String, limit: Int) async throws -> [PoliceCommand] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM commands WHERE school_id = ? ORDER BY issued_at DESC, id LIMIT ?",
                arguments: [schoolID, limit]
            ).compactMap(Self.command)
        }
    }

    public func pendingCommands(schoolID: String, at now: Date, limit: Int) async throws -> [PoliceCommand] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM commands WHERE school_id = ? AND state = 'pending' AND expires_at > ?
                    ORDER BY issued_at, id LIMIT ?
                    """,
                arguments: [schoolID, now.timeIntervalSince1970, limit]
            ).compactMap(Self.command)
        }
    }

    public func schoolsWithPendingCommands(at now: Date, limit: Int) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(
                db,
                sql: "SELECT DISTINCT school_id FROM commands WHERE state = 'pending' AND expires_at > ? LIMIT ?",
                arguments: [now.timeIntervalSince1970, limit])
        }
    }

    public func updateCommand(
        id: String, state: PoliceCommand.State, message: String?, bytes: Int64?, evidence: PoliceCommand.Evidence?,
        at date: Date
    ) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE commands SET state = ?, message = COALESCE(?, message), bytes = COALESCE(?, bytes), updated_at = ?,
                        evidence_sha256 = COALESCE(?, evidence_sha256), evidence_bytes = COALESCE(?, evidence_bytes),
                        evidence_at = COALESCE(?, evidence_at)
                    WHERE id = ? AND (state NOT IN ('done', 'failed', 'refused', 'expired') OR state = ?)
                    """,
                arguments: [
                    state.rawValue, message, bytes, date.timeIntervalSince1970, evidence?.sha256, evidence?.bytes,
                    evidence?.receivedAt.timeIntervalSince1970, id, state.rawValue,
                ])
            return db.changesCount > 0
        }
    }

    public func appendAudit(_ entry: AuditEntry) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO audit_log (at, actor, action, school_id, command_id, detail, outcome)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    entry.at.timeIntervalSince1970, entry.actor, entry.action, entry.schoolID, entry.commandID,
                    entry.detail, entry.outcome,
                ])
        }
    }

    public func audit(since: Date, limit: Int) async throws -> [AuditEntry] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM audit_log WHERE at >= ? ORDER BY at, rowid LIMIT ?",
                arguments: [since.timeIntervalSince1970, limit]
            ).map { row in
                AuditEntry(
                    at: Date(timeIntervalSince1970: row["at"]), actor: row["actor"], action: row["action"],
                    schoolID: row["school_id"], commandID: row["command_id"], detail: row["detail"],
                    outcome: row["outcome"])
            }
        }
    }

    static func command(_ row: Row) -> PoliceCommand? {
        guard let kind = PoliceCommand.Kind(rawValue: row["kind"]),
            let state = PoliceCommand.State(rawValue: row["state"])
        else { return nil }
        let date = { (column: String) -> Date? in (row[column] as Double?).map(Date.init(timeIntervalSince1970:)) }
        var evidence: PoliceCommand.Evidence?
        if let sha256: String = row["evidence_sha256"], let bytes: Int64 = row["evidence_bytes"],
            let at = date("evidence_at")
        {
            evidence = .init(sha256: sha256, bytes: bytes, receivedAt: at)
        }
        return PoliceCommand(
            id: row["id"], schoolID: row["school_id"], kind: kind, camera: row["camera"],
            stream: (row["stream"] as String?).flatMap(PoliceCommand.Stream.init(rawValue:)),
            durationSeconds: row["duration_seconds"], from: date("from_at"), to: date("to_at"),
            issuedAt: Date(timeIntervalSince1970: row["issued_at"]),
            expiresAt: Date(timeIntervalSince1970: row["expires_at"]), issuedBy: row["issued_by"], state: state,
            message: row["message"], bytes: row["bytes"], updatedAt: Date(timeIntervalSince1970: row["updated_at"]),
            evidence: evidence)
    }
}
