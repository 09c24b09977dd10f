import Foundation
import GRDB
import KuzetCore
import KuzetProtocol

/// The embedded store: one SQLite file in WAL mode (readers never wait for the writer).
/// Commits are `synchronous = FULL`: an acknowledged heartbeat survives a power cut.
public final class SQLiteRegistryStore: RegistryStore {
    let pool: DatabasePool
    /// Ingest requests waiting at the same moment share one transaction (one fsync).
    let groupWriter: IngestGroupWriter
    /// Copies the WAL into the database file beside the writer (nil: SQLite's own checkpoint does).
    let checkpointer: SQLiteCheckpointer?
    /// The states this store last committed (ingest works ahead from them, and checks them).
    let stateCache = SchoolStateCache()

    /// The writer's page cache. SQLite's default (2 MB) is smaller than what ingest keeps touching:
    /// per school a row, a state and a history index page, for thousands of schools (12 MB for 1,000).
    static let writerCacheKiB = 64 * 1024

    /// Opens (creating if needed) the database at `path`.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(TimeInterval(SQLiteCheckpointer.busyTimeoutMilliseconds) / 1000)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(SQLiteCheckpointer.safetyNetPages)")
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA cache_size = -\(Self.writerCacheKiB)")
            }
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try Self.commitDurably(pool)
        self.pool = pool
        let cache = stateCache
        let checkpointer = SQLiteCheckpointer(path: path)
        self.checkpointer = checkpointer
        groupWriter = IngestGroupWriter(
            label: "kuzet.registry.ingest",
            blockingWrite: { requests in
                let results = try Self.write(requests, to: pool, cache: cache)
                checkpointer?.committed()
                return results
            },
            afterAnswering: {
                guard let checkpointer, checkpointer.isRestartDue else { return }
                pool.writeWithoutTransaction { checkpointer.restartIfDue($0) }
            })
    }

    deinit { checkpointer?.stop() }

    /// Sets the writer to `synchronous = FULL` (the WAL is synced at every commit) and checks it
    /// took. This cannot go in `prepareDatabase`: a pool runs that first and then, setting up WAL,
    /// turns its writer to NORMAL, which syncs at checkpoints only — an acknowledged heartbeat
    /// could then be lost in a power cut.
    static func commitDurably(_ pool: DatabasePool) throws {
        let mode = try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            return try Int.fetchOne(db, sql: "PRAGMA synchronous")
        }
        guard mode == 2 else {
            throw DatabaseError(
                message:
                    "could not set PRAGMA synchronous = FULL on the registry database (it reads \(mode.map(String.init) ?? "nothing"))"
            )
        }
    }

    /// The writer connection's `PRAGMA synchronous` (2 is FULL); for tests.
    func writerSynchronous() throws -> Int? {
        try pool.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
    }

    public func migrate() async throws {
        try await pool.write { db in
            let flagsTableIsNew = try !db.tableExists(SchoolFlagRows.table)
            for statement in SQLiteSchema.statements { try db.execute(sql: statement) }
            let heartbeats = try String.fetchOne(
                db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'heartbeats'")
            if heartbeats?.uppercased().contains("WITHOUT ROWID") != true {
                try db.execute(sql: SQLiteSchema.historyKey)
            }
            let existing = Set(try Row.fetchAll(db, sql: "PRAGMA table_info(schools)").map { $0["name"] as String })
            for (column, type) in SQLiteSchema.addedSchoolColumns where !existing.contains(column) {
                try db.execute(sql: "ALTER TABLE schools ADD COLUMN \(column) \(type)")
            }
            // A database made before `school_flags`: its flags move there from the old columns, once.
            if flagsTableIsNew {
                for statement in SchoolFlagRows.copyLegacy(columns: existing) { try db.execute(sql: statement) }
            }
        }
    }

    public func register(_ school: SchoolRegistration, at date: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO schools (id, name, region, registered_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET name = COALESCE(excluded.name, schools.name),
                        region = COALESCE(excluded.region, schools.region),
                        region_mismatch_since = CASE WHEN schools.reported_region IS excluded.region THEN NULL ELSE schools.region_mismatch_since END,
                        reported_region = CASE WHEN schools.reported_region IS excluded.region THEN NULL ELSE schools.reported_region END
                    """,
                arguments: [school.id, school.name, school.region, date.timeIntervalSince1970])
            try db.execute(sql: "DELETE FROM removed_schools WHERE id = ?", arguments: [school.id])
        }
    }

    public func insert(_ token: StoredToken) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO tokens (hash, role, school_id, region, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    token.hash, token.principal.role.rawValue, token.principal.schoolID, token.principal.region,
                    token.createdAt.timeIntervalSince1970,
                ])
        }
    }

    public func token(hash: String) async throws -> StoredToken? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM tokens WHERE hash = ?", arguments: [hash]).flatMap(Self.token)
        }
    }

    public func tokens() async throws -> [StoredToken] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM tokens ORDER BY created_at").compactMap(Self.token)
        }
    }

    static func token(_ row: Row) -> StoredToken? {
        guard let role = Role(rawValue: row["role"]) else { return nil }
        return StoredToken(
            hash: row["hash"], principal: Principal(role: role, schoolID: row["school_id"], region: row["region"]),
            createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }
}
