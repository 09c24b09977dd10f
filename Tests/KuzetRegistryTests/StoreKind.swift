import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import Logging
import NIOCore
import Testing

/// The two stores every behaviour is checked against (a real SQLite file, a real PostgreSQL server).
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// Runs `body` with a fresh, migrated, empty store of `kind`; removes it afterwards (also on failure).
func withStore<T: Sendable>(
    _ kind: StoreKind, _ body: @Sendable (any RegistryStore, StoreLocationInfo) async throws -> T
) async throws -> T {
    switch kind {
    case .sqlite:
        let directory = try TemporaryDirectory(prefix: "kuzet-registry")
        let path = directory.file("registry.sqlite")
        let store = try SQLiteRegistryStore(path: path)
        try await store.migrate()
        return try await withExtendedLifetime(directory) {
            try await body(store, StoreLocationInfo(location: .sqlite(path: path), sqlitePath: path, postgresURL: nil))
        }
    case .postgres:
        let (url, name) = try PostgresTestServer.createDatabase()
        defer { PostgresTestServer.dropDatabase(name) }
        let location = try DatabaseLocation(parsing: url)
        guard case .postgres(let postgres) = location else { throw TestKitError("not a postgres URL: \(url)") }
        let store = try PostgresRegistryStore(location: postgres, logger: Logger(label: "kuzet.registry.test"))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            try await store.migrate()
            return try await body(store, StoreLocationInfo(location: location, sqlitePath: nil, postgresURL: url))
        }
    }
}

struct StoreLocationInfo: Sendable {
    var location: DatabaseLocation
    /// The database file when the store is SQLite.
    var sqlitePath: String?
    /// The database's URL when the store is PostgreSQL.
    var postgresURL: String?
}

func withExtendedLifetime<T>(_ value: AnyObject, _ body: () async throws -> T) async rethrows -> T {
    defer { _ = Unmanaged.passUnretained(value) }
    return try await body()
}
