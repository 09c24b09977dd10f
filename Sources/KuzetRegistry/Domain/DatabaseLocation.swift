import Foundation
import KuzetCore

/// `--database URL`: `sqlite:PATH` (default `sqlite:kuzet-registry.sqlite`) or `postgres://user:pass@host:port/db`.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    public static let `default` = DatabaseLocation.sqlite(path: "kuzet-registry.sqlite")

    /// Parses a database URL; the error says what to write instead.
    public init(parsing text: String) throws(CommandFailure) {
        if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else {
                throw .usage("--database: \"sqlite:\" has no path — write sqlite:/var/lib/kuzet/registry.sqlite")
            }
            self = .sqlite(path: path)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(try PostgresLocation(parsing: text))
        } else {
            throw .usage("--database: \"\(CredentialFreeURL.redact(text))\" is not a database URL — write sqlite:PATH or postgres://user:password@host:5432/database")
        }
    }

    /// Without credentials, for logs and errors.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let location): location.description
        }
    }
}

/// A PostgreSQL server and database.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// `?sslmode=require` (or verify-full): TLS to the server.
    public var requireTLS: Bool

    public init(parsing text: String) throws(CommandFailure) {
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw .usage("--database: \"\(CredentialFreeURL.redact(text))\" is not a PostgreSQL URL — write postgres://user:password@host:5432/database")
        }
        guard let username = components.user, !username.isEmpty else {
            throw .usage("--database: \(CredentialFreeURL.redact(text)) has no user — write postgres://user:password@\(host)/database")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = username.removingPercentEncoding ?? username
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        self.database = path.isEmpty ? username : path
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        self.requireTLS = ["require", "verify-ca", "verify-full"].contains(mode)
    }

    public var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }
}

/// Removes a password from a URL before it is shown.
enum CredentialFreeURL {
    static func redact(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return String(text.prefix(200)) }
        components.password = "***"
        return String((components.string ?? "").prefix(200))
    }
}
