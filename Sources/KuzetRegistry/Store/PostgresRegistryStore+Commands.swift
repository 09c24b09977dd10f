import Foundation
import PostgresNIO

extension PostgresRegistryStore {
    static let commandColumns = """
        id, school_id, kind, camera, stream, duration_seconds, from_at, to_at, issued_at, expires_at, issued_by, state,
        message, bytes, updated_at, evidence_sha256, evidence_bytes, evidence_at
        """

    public func insertCommand(_ command: PoliceCommand) async throws {
        try await client.query(
            """
            INSERT INTO commands (id, school_id, kind, camera, stream, duration_seconds, from_at, to_at, issued_at,
                expires_at, issued_by, state, message, bytes, updated_at)
            VALUES (\(command.id), \(command.schoolID), \(command.kind.rawValue), \(command.camera), \(command.stream?.rawValue),
                \(command.durationSeconds.map(Int32.init)), \(command.from?.timeIntervalSince1970), \(command.to?.timeIntervalSince1970),
                \(command.issuedAt.timeIntervalSince1970), \(command.expiresAt.timeIntervalSince1970), \(command.issuedBy),
                \(command.state.rawValue), \(command.message), \(command.bytes), \(command.updatedAt.timeIntervalSince1970))
            """, logger: logger)
    }

    public func command(id: String) async throws -> PoliceCommand? {
        let rows = try await client.query(
            "SELECT \(unescaped: Self.commandColumns) FROM commands WHERE id = \(id)", logger: logger)
        for try await row in rows { return try Self.command(row) }
        return nil
    }

    public func commands(ids: [String]) async throws -> [PoliceCommand] {
        guard !ids.isEmpty else { return [] }
        let rows = try await client.query(
            "SELECT \(unescaped: Self.commandColumns) FROM commands WHERE id = ANY(\(ids)::text[])", logger: logger)
        var commands: [PoliceCommand] = []
        for try await row in rows { if let command = try Self.command(row) { commands.append(command) } }
        return commands
    }

    public func commands(schoolID: String, limit: Int) async throws -> [PoliceCommand] {
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.commandColumns) FROM commands WHERE school_id = \(schoolID)
            ORDER BY issued_at DESC, id LIMIT \(limit)
            """, logger: logger)
        var commands: [PoliceCommand] = []
        for try await row in rows { if let command = try Self.command(row) { commands.append(command) } }
        return commands
    }

    public func pendingCommands(schoolID: String, at now: Date, limit: Int) async throws -> [PoliceCommand] {
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.commandColumns) FROM commands
            WHERE school_id = \(schoolID) AND state = 'pending' AND expires_at > \(now.timeIntervalSince1970)
            ORDER BY issued_at, id LIMIT \(limit)
            """, logger: logger)
        var commands: [PoliceCommand] = []
        for try await row in rows { if let command = try Self.command(row) { commands.append(command) } }
        return commands
    }

    public func schoolsWithPendingCommands(at now: Date, limit: Int) async throws -> [String] {
        let rows = try await client.query(
            """
            SELECT DISTINCT school_id FROM commands WHERE state = 'pending' AND expires_at > \(now.timeIntervalSince1970)
            LIMIT \(limit)
            """, logger: logger)
        var schools: [String] = []
        for try await school in rows.decode(String.self) { schools.append(school) }
        return schools
    }

    public func updateCommand(
        id: String, state: PoliceCommand.State, message: String?, bytes: Int64?, evidence: PoliceCommand.Evidence?,
        at date: Date
    ) async throws -> Bool {
        let rows = try await client.query(
            """
            UPDATE commands SET state = \(state.rawValue), message = COALESCE(\(message), message),
                bytes = COALESCE(\(bytes), bytes), updated_at = \(date.timeIntervalSince1970),
                evidence_sha256 = COALESCE(\(evidence?.sha256), evidence_sha256),
                evidence_bytes = COALESCE(\(evidence?.bytes), evidence_bytes),
                evidence_at = COALESCE(\(evidence?.receivedAt.timeIntervalSince1970), evidence_at)
            WHERE id = \(id) AND (state NOT IN ('done', 'failed', 'refused', 'expired') OR state = \(state.rawValue))
            RETURNING 1
            """, logger: logger)
        for try await _ in rows.decode(Int32.self) { return true }
        return false
    }

    public func appendAudit(_ entry: AuditEntry) async throws {
        try await client.query(
            """
            INSERT INTO audit_log (at, actor, action, school_id, command_id, detail, outcome)
            VALUES (\(entry.at.timeIntervalSince1970), \(entry.actor), \(entry.action), \(entry.schoolID), \(entry.commandID),
                \(entry.detail), \(entry.outcome))
            """, logger: logger)
    }

    public func audit(since: Date, limit: Int) async throws -> [AuditEntry] {
        let rows = try await client.query(
            """
            SELECT at, actor, action, school_id, command_id, detail, outcome FROM audit_log
            WHERE at >= \(since.timeIntervalSince1970) ORDER BY at, id LIMIT \(limit)
            """, logger: logger)
        var entries: [AuditEntry] = []
        for try await (at, actor, action, school, command, detail, outcome) in rows.decode(
            (Double, String, String, String?, String?, String, String).self)
        {
            entries.append(
                AuditEntry(
                    at: Date(timeIntervalSince1970: at), actor: actor, action: action, schoolID: school,
                    commandID: command, detail: detail, outcome: outcome))
        }
        return entries
    }

    static func command(_ postgresRow: PostgresRow) throws -> PoliceCommand? {
        let row = postgresRow.makeRandomAccess()
        let date = { (column: String) throws -> Date? in
            try row[column].decode(Double?.self).map(Date.init(timeIntervalSince1970:))
        }
        guard let kind = PoliceCommand.Kind(rawValue: try row["kind"].decode(String.self)),
            let state = PoliceCommand.State(rawValue: try row["state"].decode(String.self))
        else { return nil }
        var evidence: PoliceCommand.Evidence?
        if let sha256 = try row["evidence_sha256"].decode(String?.self),
            let bytes = try row["evidence_bytes"].decode(Int64?.self), let at = try date("evidence_at")
        {
            evidence = .init(sha256: sha256, bytes: bytes, receivedAt: at)
        }
        return PoliceCommand(
            id: try row["id"].decode(String.self), schoolID: try row["school_id"].decode(String.self), kind: kind,
            camera: try row["camera"].decode(String.self),
            stream: try row["stream"].decode(String?.self).flatMap(PoliceCommand.Stream.init(rawValue:)),
            durationSeconds: try row["duration_seconds"].decode(Int32?.self).map(Int.init), from: try date("from_at"),
            to: try date("to_at"), issuedAt: try date("issued_at") ?? .distantPast,
            expiresAt: try date("expires_at") ?? .distantPast, issuedBy: try row["issued_by"].decode(String.self),
            state: state, message: try row["message"].decode(String?.self),
            bytes: try row["bytes"].decode(Int64?.self), updatedAt: try date("updated_at"), evidence: evidence)
    }
}
