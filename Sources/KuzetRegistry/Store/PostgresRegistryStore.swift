import Foundation
import KuzetCore
import Logging
import NIOSSL
import PostgresNIO
import ServiceLifecycle

/// The shared store for a national deployment: several registry instances on one PostgreSQL
/// database. Ingest locks the school's row, so two instances never move one school's state at once.
/// A `Service`: the connection pool works while `run()` runs (the server puts it in its ServiceGroup).
public final class PostgresRegistryStore: RegistryStore, Service {
    let client: PostgresClient
    let location: PostgresLocation
    /// The client's TLS configuration (nil: none), its files read once at `init`.
    let tls: TLSConfiguration?
    let logger: Logger
    /// Ingest requests waiting at the same moment share one transaction; a few groups at once.
    let groupWriter: IngestGroupWriter
    let paths: PostgresIngestPathCounter
    /// The states this instance last committed (ingest works ahead from them, and checks them).
    let stateCache = SchoolStateCache()

    /// Reads the TLS files the location names (a missing or unreadable one is a `CommandFailure`
    /// that names it); connects only once `run()` runs.
    public init(location: PostgresLocation, logger: Logger = Logger(label: "kuzet.registry.postgres"))
        throws(CommandFailure)
    {
        let tls = try location.tls?.configuration()
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.username, password: location.password,
            database: location.database, tls: tls.map { .require($0) } ?? .disable)
        configuration.options.maximumConnections = 16
        configuration.options.minimumConnections = 0
        // Every statement with parameters keeps one generic plan. Left to choose (`auto`), the
        // ingest's prepared statement, a call with 22 array arguments holding the group's payloads,
        // was planned again for its arguments: on 2 cores a fleet at 5,000 heartbeats/s then had
        // p99 10–26 ms in steady state and 150–330 ms in its first half second, against 4–12 ms
        // and 60–75 ms with generic plans. The reads' filters (region, flag) do not gain from
        // custom plans either: the tables are a row per school.
        configuration.options.additionalStartupParameters = [("plan_cache_mode", "force_generic_plan")]
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.location = location
        self.tls = tls
        self.logger = logger
        let cache = stateCache
        let paths = PostgresIngestPathCounter()
        self.paths = paths
        groupWriter = IngestGroupWriter(writers: Self.ingestWriters) { requests in
            try await Self.write(requests, client: client, cache: cache, paths: paths, logger: logger)
        }
    }

    /// Groups written at the same time, each on its own connection. Measured on 2 cores (release
    /// bench, 16 and 64 clients, interleaved runs): since a group of held states is one statement, 1
    /// beat 2 in 10 of 12 pairs and 3 in 5 of 6 — fewer, larger groups cost PostgreSQL less CPU, and a
    /// group grows with the load. (With the four-round-trip transaction alone, 2 was best.)
    public static let ingestWriters = 1

    public func run() async throws {
        await client.run()
    }

    /// One connection outside the pool, with the same settings (`PostgresConnectionCheck`).
    public func checkReachable(patience: Duration?, logger: Logger) async throws(CommandFailure) {
        try await PostgresConnectionCheck.check(location, tls: tls, patience: patience, logger: logger)
    }

    public func migrate() async throws {
        try await client.withTransaction(logger: logger) { connection in
            // Instances starting together: one creates the schema, the others wait for it.
            try await connection.query("SELECT pg_advisory_xact_lock(4242001)", logger: logger)
            var flagsTableIsNew = false
            for try await missing in try await connection.query(
                "SELECT to_regclass('school_flags') IS NULL", logger: logger
            ).decode(Bool.self) {
                flagsTableIsNew = missing
            }
            for statement in PostgresSchema.statements {
                try await connection.query(
                    PostgresQuery(unsafeSQL: statement, binds: PostgresBindings()), logger: logger)
            }
            // A database made before `school_flags`: its flags move there from the old columns, once.
            guard flagsTableIsNew else { return }
            var columns = Set<String>()
            let rows = try await connection.query(
                "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'schools'",
                logger: logger)
            for try await column in rows.decode(String.self) { columns.insert(column) }
            for statement in SchoolFlagRows.copyLegacy(columns: columns) {
                try await connection.query(
                    PostgresQuery(unsafeSQL: statement, binds: PostgresBindings()), logger: logger)
            }
        }
    }

    public func register(_ school: SchoolRegistration, at date: Date) async throws {
        try await client.query(
            """
            WITH registered AS (
                INSERT INTO schools (id, name, region, registered_at) VALUES (\(school.id), \(school.name), \(school.region), \(date.timeIntervalSince1970))
                ON CONFLICT (id) DO UPDATE SET name = COALESCE(excluded.name, schools.name), region = COALESCE(excluded.region, schools.region),
                    region_mismatch_since = CASE WHEN schools.reported_region IS NOT DISTINCT FROM excluded.region THEN NULL ELSE schools.region_mismatch_since END,
                    reported_region = CASE WHEN schools.reported_region IS NOT DISTINCT FROM excluded.region THEN NULL ELSE schools.reported_region END
                RETURNING id)
            DELETE FROM removed_schools WHERE id IN (SELECT id FROM registered)
            """, logger: logger)
    }

    public func insert(_ token: StoredToken) async throws {
        try await client.query(
            """
            INSERT INTO tokens (hash, role, school_id, region, created_at)
            VALUES (\(token.hash), \(token.principal.role.rawValue), \(token.principal.schoolID), \(token.principal.region), \(token.createdAt.timeIntervalSince1970))
            """, logger: logger)
    }

    public func token(hash: String) async throws -> StoredToken? {
        let rows = try await client.query(
            "SELECT hash, role, school_id, region, created_at FROM tokens WHERE hash = \(hash)", logger: logger)
        for try await row in rows.decode((String, String, String?, String?, Double).self) {
            return Self.token(row)
        }
        return nil
    }

    public func tokens() async throws -> [StoredToken] {
        let rows = try await client.query(
            "SELECT hash, role, school_id, region, created_at FROM tokens ORDER BY created_at", logger: logger)
        var tokens: [StoredToken] = []
        for try await row in rows.decode((String, String, String?, String?, Double).self) {
            if let token = Self.token(row) { tokens.append(token) }
        }
        return tokens
    }

    static func token(_ row: (String, String, String?, String?, Double)) -> StoredToken? {
        guard let role = Role(rawValue: row.1) else { return nil }
        return StoredToken(
            hash: row.0, principal: Principal(role: role, schoolID: row.2, region: row.3),
            createdAt: Date(timeIntervalSince1970: row.4))
    }
}
