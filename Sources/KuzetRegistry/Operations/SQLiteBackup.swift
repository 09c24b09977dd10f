import Foundation
import GRDB
import KuzetCore

/// `kuzet-registry backup`: a consistent copy of a live SQLite registry with SQLite's online backup
/// API (GRDB's `backup(to:)`). The pages are copied in one step inside one read transaction: the
/// copy is the database as it was when the step began — every heartbeat acknowledged before then,
/// none half-written — while `serve` goes on writing (in WAL mode a reader does not hold up the
/// writer). PostgreSQL is backed up with its own tools (`pg_dump`; docs/registry-guide.md).
public enum SQLiteBackup {
    /// What the copy holds, counted in the copy itself.
    public struct Summary: Sendable, Equatable {
        public var schools: Int
        public var heartbeats: Int
        public var tokens: Int
        public var bytes: Int
        public var seconds: Double
    }

    /// Copies the registry at `source` into the new file `output` (owner-only, like the database: it
    /// holds token hashes). Written beside `output` under a temporary name, checked
    /// (`PRAGMA quick_check`), synced, then renamed: `output` is either absent or complete.
    public static func copy(from source: String, to output: String) throws(CommandFailure) -> Summary {
        let files = FileManager.default
        guard files.fileExists(atPath: source) else {
            throw .runtime(
                "--database sqlite:\(source): no such file — give the path serve uses (KUZET_REGISTRY_DATABASE in /etc/kuzet/registry.env)"
            )
        }
        guard !files.fileExists(atPath: output) else {
            throw .usage("--output \(output): exists — give a new file name (a backup never overwrites one)")
        }
        let directory = (output as NSString).deletingLastPathComponent
        let partial =
            (directory.isEmpty ? "." : directory) + "/." + (output as NSString).lastPathComponent
            + ".partial-\(getpid())"
        guard files.createFile(atPath: partial, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw .runtime(
                "--output \(output): cannot create a file in \(directory.isEmpty ? "." : directory) — check the directory exists and is writable"
            )
        }
        let started = ContinuousClock.now
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            let live = try DatabaseQueue(path: source, configuration: configuration)
            let copy = try DatabaseQueue(path: partial)
            try live.backup(to: copy)
            try live.close()
            let summary = try copy.writeWithoutTransaction { db in
                // One self-contained file: the copy carries the live database's WAL mode otherwise.
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
                let check = try String.fetchOne(db, sql: "PRAGMA quick_check") ?? "no answer"
                guard check == "ok" else {
                    throw CommandFailure.runtime(
                        "backup: the copy fails SQLite's quick_check (\(check.prefix(200))) — try again; if it persists, check the disk"
                    )
                }
                guard try db.tableExists("schools"), try db.tableExists("heartbeats"), try db.tableExists("tokens")
                else {
                    throw CommandFailure.usage(
                        "--database sqlite:\(source): not a kuzet-registry database (no schools, heartbeats or tokens table) — check the path"
                    )
                }
                return Summary(
                    schools: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM schools") ?? 0,
                    heartbeats: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM heartbeats") ?? 0,
                    tokens: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tokens") ?? 0, bytes: 0, seconds: 0)
            }
            try copy.close()
            try sync(path: partial)
            guard rename(partial, output) == 0 else {
                throw CommandFailure.runtime(
                    "--output \(output): cannot rename the finished copy into place (errno \(errno))")
            }
            try sync(path: directory.isEmpty ? "." : directory)
            var result = summary
            result.bytes = (try? files.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
            result.seconds = (ContinuousClock.now - started) / .seconds(1)
            return result
        } catch {
            try? files.removeItem(atPath: partial)
            if let failure = error as? CommandFailure { throw failure }
            throw .runtime(
                "backup of sqlite:\(source): \(String(describing: error).prefix(300)) — check the file is a kuzet-registry database and the disk has room"
            )
        }
    }

    /// fsync of a file or directory, so the copy and its name survive a power cut.
    private static func sync(path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw CommandFailure.runtime("\(path): cannot open to sync (errno \(errno))") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw CommandFailure.runtime("\(path): fsync failed (errno \(errno)) — check the disk")
        }
    }
}
