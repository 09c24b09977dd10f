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
            throw .usage(
                "--database: \"\(DatabaseLocation.shown(text))\" is not a database URL — write sqlite:PATH or postgres://user:password@host:5432/database"
            )
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
    /// TLS to the server (`?sslmode=require`, `verify-ca` or `verify-full`, and by default for a
    /// host that is not loopback); nil: none (`sslmode=disable` written out, or a loopback host).
    public var tls: PostgresTLS?
    /// Whether the connection uses TLS.
    public var requireTLS: Bool { tls != nil }

    public init(parsing text: String) throws(CommandFailure) {
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw .usage(
                "--database: \"\(DatabaseLocation.shown(text))\" is not a PostgreSQL URL — write postgres://user:password@host:5432/database"
            )
        }
        guard let username = components.user, !username.isEmpty else {
            throw .usage(
                "--database: \(DatabaseLocation.shown(text)) has no user — write postgres://user:password@\(host)/database"
            )
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = username.removingPercentEncoding ?? username
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        self.database = path.isEmpty ? username : path
        self.tls = try PostgresTLS(query: components.queryItems ?? [], url: DatabaseLocation.shown(text), host: host)
    }

    public var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }
}

/// How the registry checks a PostgreSQL server over TLS, from the URL's libpq-style parameters:
/// `sslmode` (`require` and `verify-full`: the certificate and the host name; `verify-ca`: the
/// certificate only), `sslrootcert` (a PEM file of the CAs to trust instead of the system's store)
/// and `sslcert` with `sslkey` (a client certificate and its key, for servers that ask for one).
/// `require` checks more than libpq's `require` does: a registry's database is worth checking.
///
/// Without `sslmode`, a host other than loopback gets `verify-full`: plain text to another machine
/// only when `sslmode=disable` is written out. `allow` and `prefer` (libpq's default) are refused:
/// they fall back to plain text without a word, which is exactly what must not happen silently.
public struct PostgresTLS: Sendable, Equatable {
    public var verifiesHostname: Bool
    public var rootCertificateFile: String?
    public var clientCertificateFile: String?
    public var clientKeyFile: String?

    /// Nil for `sslmode=disable`, or no `sslmode` with a loopback `host`: no TLS.
    init?(query: [URLQueryItem], url: String, host: String) throws(CommandFailure) {
        func value(_ name: String) throws(CommandFailure) -> String? {
            let values = query.filter { $0.name == name }
            guard values.count <= 1 else { throw .usage("--database: \(url) gives \(name) twice — give it once") }
            guard let item = values.first else { return nil }
            guard let value = item.value, !value.isEmpty else {
                throw .usage("--database: \(url) has an empty \(name) — give a value or leave it out")
            }
            return value
        }
        let mode = try value("sslmode") ?? (LoopbackHost.contains(host) ? "disable" : "verify-full")
        let root = try value("sslrootcert")
        let certificate = try value("sslcert")
        let key = try value("sslkey")
        switch mode {
        case "allow", "prefer":
            throw .usage(
                "--database: sslmode=\(mode) falls back to plain text without a word — write sslmode=verify-full (TLS, checked; sslrootcert=CA.pem for your own CA), or sslmode=disable for plain text on purpose"
            )
        case "disable":
            guard root == nil, certificate == nil, key == nil else {
                throw .usage(
                    "--database: \(url) names certificate files but sslmode=\(mode) uses no TLS — add sslmode=verify-full"
                )
            }
            return nil
        case "require", "verify-full": verifiesHostname = true
        case "verify-ca": verifiesHostname = false
        default:
            throw .usage(
                "--database: sslmode=\(mode.prefix(40)) is not a mode — write sslmode=verify-full, verify-ca, require or disable"
            )
        }
        guard (certificate == nil) == (key == nil) else {
            throw .usage(
                "--database: \(url) gives \(certificate == nil ? "sslkey without sslcert" : "sslcert without sslkey") — a client certificate needs both files"
            )
        }
        rootCertificateFile = root
        clientCertificateFile = certificate
        clientKeyFile = key
    }
}

extension DatabaseLocation {
    /// A `--database` value as it may be shown: password `***`, at most 200 characters.
    static func shown(_ text: String) -> String { String(CredentialRedaction.redact(text).prefix(200)) }
}
