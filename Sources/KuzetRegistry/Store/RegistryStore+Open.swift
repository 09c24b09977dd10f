import Foundation
import KuzetCore
import Logging
import ServiceLifecycle

/// Opens the store a `DatabaseLocation` names.
public enum RegistryStores {
    /// The store and, for PostgreSQL, the service that must run for it to work.
    public static func open(_ location: DatabaseLocation, logger: Logger) throws(CommandFailure) -> (
        store: any RegistryStore, service: (any Service)?
    ) {
        switch location {
        case .sqlite(let path):
            do {
                let store = try SQLiteRegistryStore(path: path)
                return (store, nil)
            } catch {
                throw .runtime("--database \(location): cannot open (\(error)) — check the path exists and is writable")
            }
        case .postgres(let postgres):
            let store = try PostgresRegistryStore(location: postgres, logger: logger)
            return (store, store)
        }
    }

    /// Opens the store, runs its service (if any) while `body` runs, after migrating the schema.
    public static func with<T: Sendable>(
        _ location: DatabaseLocation, logger: Logger, _ body: @Sendable (any RegistryStore) async throws -> T
    ) async throws -> T {
        let (store, service) = try open(location, logger: logger)
        try await store.checkReachable(patience: .seconds(30), logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            if let service { group.addTask { try await service.run() } }
            defer { group.cancelAll() }
            do {
                try await store.migrate()
            } catch {
                throw CommandFailure.runtime(
                    "--database \(location): cannot reach or migrate the database (\(String(describing: error).prefix(300))) — check the server is running and the URL"
                )
            }
            return try await body(store)
        }
    }
}
