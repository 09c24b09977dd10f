import Foundation
import KuzetTestKit

/// A second, real client session on the test's database (`sqlite3` or `psql` reading statements
/// from a pipe), e.g. to hold the tables locked while ingests pile up in the group writer, or to
/// add a trigger. Ended (rolled back if still open) when `close()` runs or the value goes away.
final class DatabaseSession: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let outputPath: String

    init(_ info: StoreLocationInfo) throws {
        outputPath = NSTemporaryDirectory() + "kuzet-db-session-\(UUID().uuidString.prefix(8)).log"
        FileManager.default.createFile(atPath: outputPath, contents: nil)
        if let path = info.sqlitePath {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            process.arguments = ["-bail", path]
        } else if let url = info.postgresURL {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
            process.arguments = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", url]
        } else {
            throw TestKitError("DatabaseSession: neither a SQLite path nor a PostgreSQL URL")
        }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    deinit { close() }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// Sends `sql` and waits (up to 20 s) until the session has run it: it prints a marker after it.
    func execute(_ sql: String) throws {
        let marker = "done-\(UUID().uuidString.prefix(8))"
        input.fileHandleForWriting.write(Data("\(sql)\nSELECT '\(marker)';\n".utf8))
        guard eventually(timeout: 20, { output.contains(marker) || !process.isRunning }), output.contains(marker) else {
            throw TestKitError("database session: \(sql.prefix(120)) did not complete: \(output.suffix(500))")
        }
    }

    /// Ends the session (an open transaction is rolled back by the client exiting).
    func close() {
        guard process.isRunning else { return }
        try? input.fileHandleForWriting.close()
        if !eventually(timeout: 10, { !process.isRunning }) { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: outputPath)
    }
}

extension DatabaseSession {
    /// Holds the write lock of the ingest tables until `close()` (or `execute("COMMIT")`).
    func lockIngest(_ kind: StoreKind) throws {
        switch kind {
        case .sqlite: try execute("BEGIN IMMEDIATE;")
        case .postgres: try execute("BEGIN; LOCK TABLE schools IN SHARE ROW EXCLUSIVE MODE;")
        }
    }

    /// Makes the database itself refuse heartbeats of `schoolID` (a trigger raising an error).
    func refuseHeartbeats(of schoolID: String, _ kind: StoreKind) throws {
        switch kind {
        case .sqlite:
            try execute(
                """
                CREATE TRIGGER test_refuse BEFORE INSERT ON heartbeats WHEN NEW.school_id = '\(schoolID)'
                BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END;
                """)
        case .postgres:
            try execute(
                """
                CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.school_id = '\(schoolID)' THEN RAISE EXCEPTION 'refused by the test trigger'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER test_refuse BEFORE INSERT ON heartbeats FOR EACH ROW EXECUTE FUNCTION test_refuse();
                """)
        }
    }
}
