import Foundation
import KuzetRegistry
import Logging

/// A fresh database for one run: a new SQLite file, or a new database on the benchmark's PostgreSQL server.
struct BenchDatabase {
    var location: DatabaseLocation
    var cleanup: () -> Void

    static func fresh(_ kind: BenchStore, options: BenchOptions, name: String) throws -> BenchDatabase {
        switch kind {
        case .sqlite:
            let directory = NSTemporaryDirectory() + "kuzet-bench-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            return BenchDatabase(location: .sqlite(path: directory + "/registry.sqlite")) {
                try? FileManager.default.removeItem(atPath: directory)
            }
        case .postgres:
            let server = options.postgresURL!
            let database = "kuzet_bench_\(name)_\(UUID().uuidString.prefix(6).lowercased())"
            try psql(server, "CREATE DATABASE \(database)")
            var components = URLComponents(string: server)!
            components.path = "/" + database
            return BenchDatabase(location: try DatabaseLocation(parsing: components.string!)) {
                try? psql(server, "DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
            }
        }
    }

    static func psql(_ url: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = [url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("psql \(sql) failed") }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
