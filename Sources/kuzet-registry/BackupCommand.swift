import ArgumentParser
import Foundation
import KuzetCore
import KuzetRegistry

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copies a SQLite registry to a new file while serve runs (SQLite's online backup).",
        discussion: """
            The copy holds every heartbeat acknowledged before the backup began, and opens as a registry database
            (serve --database sqlite:FILE). A PostgreSQL registry is backed up with pg_dump (docs/registry-guide.md).
            """)

    @Option(help: "The new file to write (never overwritten).") var output: String
    @Option(help: "sqlite:PATH (default: $KUZET_REGISTRY_DATABASE, else sqlite:kuzet-registry.sqlite)") var database:
        String?

    func run() async throws {
        let location = try DatabaseLocation(parsing: DatabaseOption.resolve(database))
        guard case .sqlite(let path) = location else {
            throw CommandFailure.usage(
                "--database \(location): PostgreSQL is backed up with its own tools — run pg_dump --format=custom (see docs/registry-guide.md, Backups)"
            )
        }
        let summary = try SQLiteBackup.copy(from: path, to: output)
        printLine(
            "backed up \(location) to \(output): \(summary.schools) school(s), \(summary.heartbeats) heartbeat(s), \(summary.tokens) token(s), "
                + "\(summary.bytes) bytes in \(String(format: "%.2f", summary.seconds)) s")
    }
}
