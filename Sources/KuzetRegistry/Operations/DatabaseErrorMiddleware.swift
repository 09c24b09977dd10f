import Foundation
import Hummingbird
import Prometheus

/// Where a database error happened, the label of `kuzet_registry_database_errors_total`.
enum DatabaseErrorOrigin: String, CaseIterable {
    /// A request (heartbeat, list, report, dashboard, token check) failed on the store.
    case request
    /// `SchoolCensusService` could not count the schools.
    case census
    /// `GET /healthz` found the database not answering.
    case health
}

/// Counts the requests that failed on something other than a refusal (every refusal is an
/// `HTTPResponseError`): a store error, answered 500. Outside authentication, so a token lookup
/// that fails is counted too.
struct DatabaseErrorMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext
    let metrics: RegistryMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            if !(error is any HTTPResponseError) && !(error is CancellationError) {
                metrics.databaseError(during: .request)
            }
            throw error
        }
    }
}

extension RegistryMetrics {
    static let databaseErrorsName = "kuzet_registry_database_errors_total"
    static let databaseErrorsHelp =
        "Database operations that failed: during a request (answered 500), the school census or a health check."

    /// Creates every `kuzet_registry_database_errors_total` series at 0, so an alert sees the first error.
    func registerDatabaseErrors() {
        for origin in DatabaseErrorOrigin.allCases { _ = databaseErrors(origin) }
    }

    func databaseError(during origin: DatabaseErrorOrigin) { databaseErrors(origin).increment() }

    private func databaseErrors(_ origin: DatabaseErrorOrigin) -> Counter {
        registry.makeCounter(
            name: Self.databaseErrorsName, labels: [("during", origin.rawValue)], help: Self.databaseErrorsHelp)
    }
}
