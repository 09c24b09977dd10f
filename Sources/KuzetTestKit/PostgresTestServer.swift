import Foundation
import Synchronization

/// A real PostgreSQL server for tests.
///
/// The URL comes from `KUZET_TEST_POSTGRES_URL` (CI starts a server with `scripts/testing/postgres.sh`).
/// Outside CI, when it is unset, this test process starts its own throwaway server with that script
/// (stopped by the script's watchdog when the process ends). With `CI=true` and no URL, `url()` throws:
/// the PostgreSQL half of a suite fails instead of being skipped.
public enum PostgresTestServer {
    private static let started = Mutex<String?>(nil)

    public static func url() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["KUZET_TEST_POSTGRES_URL"], !url.isEmpty { return url }
        if environment["CI"] == "true" {
            throw TestKitError(
                "KUZET_TEST_POSTGRES_URL is not set while CI=true — start a server with `scripts/testing/postgres.sh start` and export its URL"
            )
        }
        return try started.withLock { url in
            if let url { return url }
            let started = try start()
            url = started
            return started
        }
    }

    /// A server of the caller's own (`scripts/testing/postgres.sh start --fast` plus `options`, e.g.
    /// `--tls DIR`), stopped when this process ends at the latest; returns its URL. Stop it with `stop`.
    public static func start(_ options: [String] = []) throws -> String {
        let (status, output) = try run(
            script, ["start", "--fast", "--watch-pid", "\(getpid())"] + options, timeout: 90)
        guard status == 0, let line = output.split(separator: "\n").last(where: { $0.hasPrefix("postgres://") }) else {
            throw TestKitError("\(script) failed (\(status)): \(output.suffix(500))")
        }
        return String(line)
    }

    /// Stops a server `start` started, and deletes its data.
    public static func stop(_ url: String) {
        _ = try? run(script, ["stop", url], timeout: 60)
    }

    private static var script: String { repositoryRoot + "/scripts/testing/postgres.sh" }

    /// A new, empty database on the test server; returns its URL. Drop it with `dropDatabase`.
    public static func createDatabase() throws -> (url: String, name: String) {
        let server = try url()
        let name = "kuzet_test_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        let (status, output) = try run(
            "psql", [server, "-v", "ON_ERROR_STOP=1", "-q", "-c", "CREATE DATABASE \(name)"], timeout: 30)
        guard status == 0 else { throw TestKitError("CREATE DATABASE on \(server) failed: \(output)") }
        return (replacingDatabase(in: server, with: name), name)
    }

    public static func dropDatabase(_ name: String) {
        guard let server = try? url() else { return }
        _ = try? run("psql", [server, "-q", "-c", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"], timeout: 30)
    }

    /// `url` with its database name replaced by `name`.
    public static func replacingDatabase(in url: String, with name: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.path = "/" + name
        return components.string ?? url
    }

    /// The package root (this file is Sources/KuzetTestKit/PostgresTestServer.swift).
    public static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }
}
