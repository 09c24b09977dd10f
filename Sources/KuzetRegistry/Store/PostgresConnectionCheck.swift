import Foundation
import KuzetCore
import Logging
import NIOSSL
import PostgresNIO

/// One connection made at start-up outside the pool, to say why the database cannot be used.
/// The pool retries a failing connection quietly for ever: a server certificate that is not
/// trusted, a wrong password or a missing database would leave the registry hanging at start with
/// only PostgresNIO's log lines. This check answers with the reason and what to fix, at once for
/// what waiting cannot fix, and after `patience` (nil: never; `serve` waits) for a server that does
/// not answer — it may be starting.
enum PostgresConnectionCheck {
    /// - Parameter tls: the client's TLS configuration as the store read it (nil: no TLS), so the
    ///   check and the pool trust the same files, read once.
    static func check(
        _ location: PostgresLocation, tls settings: TLSConfiguration?, patience: Duration?, logger: Logger
    ) async throws(CommandFailure) {
        let tls: PostgresConnection.Configuration.TLS
        do {
            tls = try settings.map { .require(try NIOSSLContext(configuration: $0)) } ?? .disable
        } catch {
            throw .usage("--database \(location): cannot set up TLS (\(error)) — check sslrootcert, sslcert and sslkey")
        }
        let configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.username, password: location.password,
            database: location.database, tls: tls)
        let deadline = patience.map { ContinuousClock.now + $0 }
        var attempts = 0
        while true {
            attempts += 1
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: configuration, id: 0, logger: logger)
                try? await connection.close()
                return
            } catch {
                let (reason, fix, lasting) = explain(error, location)
                if lasting || deadline.map({ ContinuousClock.now >= $0 }) == true || Task.isCancelled {
                    throw .runtime("--database \(location): \(reason) — \(fix)")
                }
                if attempts % 10 == 1 {
                    logger.warning(
                        "database not reachable yet, trying again", metadata: ["registry.database.problem": "\(reason)"]
                    )
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// What went wrong, what to do, and whether waiting cannot help.
    static func explain(_ error: any Error, _ location: PostgresLocation) -> (
        reason: String, fix: String, lasting: Bool
    ) {
        guard let error = error as? PSQLError else {
            return ("cannot connect (\(String(describing: error).prefix(300)))", "check the host and port", false)
        }
        if error.code == .server, let server = error.serverInfo {
            let message = server[.message] ?? "refused"
            let state = server[.sqlState] ?? ""
            // Refused user or password, missing database: lasting. Anything else (the server starting
            // up or shutting down, too many connections) may pass.
            let (fix, lasting) =
                switch state {
                case "28P01", "28000":
                    ("check the user name and password in the URL, and pg_hba.conf on the server", true)
                case "3D000":
                    (
                        "create the database (CREATE DATABASE \(location.database) OWNER \(location.username);) or fix its name in the URL",
                        true
                    )
                default: ("check the server's log", false)
                }
            return ("the server refused the connection: \(message) (SQLSTATE \(state))", fix, lasting)
        }
        let underlying = error.underlying.map { String(describing: $0) } ?? String(describing: error.code)
        if error.underlying is NIOSSLError || underlying.contains("CERTIFICATE") || underlying.contains("SSL") {
            let fix =
                underlying.contains("CERTIFICATE_VERIFY_FAILED")
                ? "the server's certificate is not trusted: give its CA with sslrootcert=/path/ca.pem, or use verify-ca if the certificate is for another host name"
                : "check sslmode, sslrootcert, sslcert and sslkey, and the server's ssl settings"
            return ("TLS with the server failed (\(underlying.prefix(300)))", fix, true)
        }
        if error.code == .sslUnsupported {
            return (
                "the server does not offer TLS",
                "turn ssl on in the server's postgresql.conf, or leave sslmode out of the URL", true
            )
        }
        return (
            "cannot connect (\(underlying.prefix(300)))",
            "check that the server runs and that the host and port are right", false
        )
    }
}
