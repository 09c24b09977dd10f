import Foundation
import KuzetCore
import KuzetTestKit
import Logging
import PostgresNIO
import Testing

@testable import KuzetRegistry

/// The registry's connection to PostgreSQL over TLS, against a real server of our own started with
/// TLS (and, for client certificates, a `hostssl … cert` rule) and certificates from the real openssl.
@Suite("PostgreSQL over TLS", .serialized, .timeLimit(.minutes(3)))
struct PostgresTLSTests {
    /// A throwaway server with TLS, stopped (and deleted) at the end of `body`.
    static func withServer<T>(
        hosts: [String] = ["127.0.0.1", "localhost"], clientCertificates: Bool = false,
        _ body: (_ url: String, _ authority: TestCertificateAuthority) async throws -> T
    ) async throws -> T {
        let directory = try TemporaryDirectory(prefix: "kuzet-pg-tls")
        let authority = try TestCertificateAuthority(in: directory.path)
        let server = try authority.issueServer("postgres", hosts: hosts)
        let files = directory.file("server-files")
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: server.certificate, toPath: files + "/server.pem")
        try FileManager.default.copyItem(atPath: server.key, toPath: files + "/server.key")
        try FileManager.default.copyItem(atPath: authority.certificate, toPath: files + "/ca.pem")
        let url = try PostgresTestServer.start(
            ["--tls", files] + (clientCertificates ? ["--client-certificates"] : []))
        defer { PostgresTestServer.stop(url) }
        return try await body(url, authority)
    }

    /// Checks `url` as the registry does at start-up, then opens a store there, migrates it and asks
    /// the server whether this session is encrypted; throws what the connection failed with (or that
    /// the store did not answer within 10 s).
    static func connect(_ url: String) async throws -> Bool {
        guard case .postgres(let location) = try DatabaseLocation(parsing: url) else {
            throw TestKitError("not a PostgreSQL URL")
        }
        let store = try PostgresRegistryStore(location: location, logger: Logger(label: "kuzet.registry.test"))
        try await store.checkReachable(patience: .seconds(30), logger: Logger(label: "kuzet.registry.test"))
        return try await withThrowingTaskGroup(of: Bool?.self) { tasks in
            tasks.addTask {
                try await store.run()
                return nil
            }
            tasks.addTask {
                try await store.migrate()
                try await store.register(SchoolRegistration(id: "KZ-TLS-0001", region: "Astana"), at: Date())
                let rows = try await store.client.query(
                    "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", logger: store.logger)
                for try await ssl in rows.decode(Bool.self) { return ssl }
                throw TestKitError("pg_stat_ssl has no row for this session")
            }
            tasks.addTask {
                try await Task.sleep(for: .seconds(10))
                throw TestKitError("no answer from \(url) within 10 s")
            }
            defer { tasks.cancelAll() }
            while let result = try await tasks.next() {
                if let encrypted = result { return encrypted }
            }
            throw TestKitError("the store stopped")
        }
    }

    @Test("sslmode=verify-full with sslrootcert: connected, and the server reports the session encrypted")
    func verifyFullWithOwnCA() async throws {
        try await Self.withServer { url, authority in
            let encrypted = try await Self.connect(url + "?sslmode=verify-full&sslrootcert=\(authority.certificate)")
            #expect(encrypted)
            let plain = try await Self.connect(url)
            #expect(!plain, "without sslmode: no TLS, as before")
        }
    }

    @Test("a server certificate from a CA not trusted is refused (the system store, or another sslrootcert)")
    func untrustedServerRefused() async throws {
        try await Self.withServer { url, _ in
            let directory = try TemporaryDirectory(prefix: "kuzet-pg-tls-other")
            let other = try TestCertificateAuthority(name: "other-ca", in: directory.path)
            for query in [
                "?sslmode=verify-full", "?sslmode=require", "?sslmode=verify-ca&sslrootcert=\(other.certificate)",
            ] {
                await #expect(
                    "\(query)", performing: { _ = try await Self.connect(url + query) },
                    throws: { error in
                        String(describing: error).contains("TLS with the server failed")
                            && String(describing: error).contains("CERTIFICATE_VERIFY_FAILED")
                    })
            }
        }
    }

    @Test("at start-up, a database that cannot be used is reported at once with the reason and what to fix")
    func startUpCheckExplains() async throws {
        try await Self.withServer { url, authority in
            let checks: [(String, [String])] = [
                (url + "?sslmode=verify-full", ["certificate is not trusted", "sslrootcert="]),
                (
                    url.replacingOccurrences(of: "kuzet@", with: "nobody@")
                        + "?sslmode=verify-full&sslrootcert=\(authority.certificate)",
                    ["role \"nobody\" does not exist", "check the user name and password"]
                ),
                (
                    PostgresTestServer.replacingDatabase(in: url, with: "missing_db")
                        + "?sslmode=verify-full&sslrootcert=\(authority.certificate)",
                    ["does not exist (SQLSTATE 3D000)", "CREATE DATABASE missing_db"]
                ),
            ]
            for (database, phrases) in checks {
                let store = try RegistryStores.open(
                    try DatabaseLocation(parsing: database), logger: Logger(label: "test")
                ).store
                let started = ContinuousClock.now
                await #expect(
                    performing: {
                        try await store.checkReachable(patience: .seconds(30), logger: Logger(label: "test"))
                    },
                    throws: { error in
                        let text = String(describing: error)
                        return phrases.allSatisfy { text.contains($0) } && (error as? CommandFailure)?.exitCode == 1
                    })
                #expect(ContinuousClock.now - started < .seconds(5), "at once: waiting cannot fix \(phrases[0])")
            }
            let trusting = try RegistryStores.open(
                try DatabaseLocation(parsing: url + "?sslmode=verify-full&sslrootcert=\(authority.certificate)"),
                logger: Logger(label: "test")
            ).store
            try await trusting.checkReachable(patience: .seconds(30), logger: Logger(label: "test"))

            // The commands say the same and exit 1: `serve` (which waits for a server that does not
            // answer, but not for this) and `token list`.
            for command in [["serve", "--listen", "127.0.0.1:0"], ["token", "list"]] {
                let started = Date()
                let result = try RegistryExecutable.run(
                    command + ["--database", url + "?sslmode=verify-full"], timeout: 30)
                #expect(result.status == 1, "\(command[0]): \(result.output)")
                #expect(
                    result.output.contains("certificate is not trusted: give its CA with sslrootcert="),
                    "\(command[0]): \(result.output)")
                #expect(Date().timeIntervalSince(started) < 10)
            }
        }
    }

    @Test("verify-ca takes a certificate for another host name; verify-full refuses it")
    func verifyCAIgnoresHostName() async throws {
        try await Self.withServer(hosts: ["db.example.internal"]) { url, authority in
            let encrypted = try await Self.connect(url + "?sslmode=verify-ca&sslrootcert=\(authority.certificate)")
            #expect(encrypted)
            await #expect(
                performing: {
                    _ = try await Self.connect(url + "?sslmode=verify-full&sslrootcert=\(authority.certificate)")
                },
                throws: { error in
                    String(describing: error).contains("TLS with the server failed")
                })
        }
    }

    @Test("a server that asks for a client certificate takes sslcert/sslkey, and refuses a connection without them")
    func clientCertificate() async throws {
        try await Self.withServer(clientCertificates: true) { url, authority in
            let client = try authority.issueClient("kuzet") // `cert` authentication: the common name is the user
            let trusted = url + "?sslmode=verify-full&sslrootcert=\(authority.certificate)"
            await #expect(
                performing: { _ = try await Self.connect(trusted) },
                throws: { error in
                    String(describing: error).contains("certificate") && (error as? CommandFailure)?.exitCode == 1
                })
            let encrypted = try await Self.connect(trusted + "&sslcert=\(client.certificate)&sslkey=\(client.key)")
            #expect(encrypted)
        }
    }

    @Test("TLS parameters that cannot work are refused when the URL is read or the store opened, saying what to fix")
    func badParameters() throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-pg-tls-bad")
        let notPEM = directory.file("not.pem")
        try "hello".write(toFile: notPEM, atomically: true, encoding: .utf8)
        let base = "postgres://kuzet@127.0.0.1:5432/kuzet"
        let parsing: [(String, String)] = [
            ("?sslmode=verify-full&sslcert=/etc/c.pem", "sslcert without sslkey"),
            ("?sslmode=verify-full&sslkey=/etc/c.key", "sslkey without sslcert"),
            ("?sslmode=strict", "sslmode=strict is not a mode"),
            ("?sslrootcert=/etc/ca.pem", "sslmode=disable uses no TLS"),
            ("?sslmode=verify-full&sslmode=disable", "sslmode twice"),
            ("?sslmode=verify-full&sslrootcert=", "empty sslrootcert"),
        ]
        for (query, message) in parsing {
            #expect(
                performing: { _ = try DatabaseLocation(parsing: base + query) },
                throws: { error in
                    (error as? CommandFailure).map { String(describing: $0).contains(message) } ?? false
                })
        }
        let opening: [(String, String)] = [
            (
                "?sslmode=verify-full&sslrootcert=\(directory.file("missing.pem"))",
                "sslrootcert=\(directory.file("missing.pem")) cannot be read"
            ),
            ("?sslmode=verify-full&sslrootcert=\(notPEM)", "is not a PEM certificate file"),
            (
                "?sslmode=verify-full&sslcert=\(notPEM)&sslkey=\(notPEM)",
                "sslcert=\(notPEM) is not a PEM certificate file"
            ),
        ]
        for (query, message) in opening {
            let parsed = try DatabaseLocation(parsing: base + query)
            let location = try #require(parsed.postgresLocation, "\(query) names a PostgreSQL database")
            #expect(
                performing: { _ = try PostgresRegistryStore(location: location) },
                throws: { error in
                    (error as? CommandFailure).map { String(describing: $0).contains(message) } ?? false
                })
            // `serve` and the other commands open it the same way: the same words, not wrapped.
            #expect(
                performing: { _ = try RegistryStores.open(parsed, logger: Logger(label: "test")) },
                throws: { error in
                    (error as? CommandFailure).map {
                        String(describing: $0).contains(message)
                            && !String(describing: $0).contains("cannot set up the client")
                    } ?? false
                })
        }
    }
}

extension DatabaseLocation {
    /// The PostgreSQL location, or nil for SQLite.
    var postgresLocation: PostgresLocation? {
        if case .postgres(let location) = self { location } else { nil }
    }
}
