import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetProtocol
import KuzetRegistry
import Logging
import NIOCore

/// `GET /api/v1/report` (and a filtered school page) latency with 10,000 schools × 30 cameras.
enum ReportRun {
    /// Prints each path's latencies; returns each path's p99 (ms).
    static func run(kind: BenchStore, options: BenchOptions) async throws -> [(String, Double)] {
        let database = try BenchDatabase.fresh(kind, options: options, name: "report")
        defer { database.cleanup() }
        return try await BenchServer.with(database.location) { registry, port in
            let loadStart = Date()
            let now = Date()
            let schools = options.reportSchools
            let writers = kind == .postgres ? 8 : 1
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for index in stride(from: writer, to: schools, by: writers) {
                            let id = String(format: "KZ-R%02d-%05d", index % 20, index)
                            let heartbeat = BenchWorkload.heartbeat(
                                id, sequence: 1, at: now, cameras: options.reportCameras,
                                region: "Region \(index % 20)", variant: index % 10)
                            _ = try await registry.store.ingest(
                                schoolID: id, heartbeats: [heartbeat],
                                receivedAt: index % 10 == 5 ? now.addingTimeInterval(-3600) : now,
                                policy: registry.policy)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let loaded = Date().timeIntervalSince(loadStart)
            let viewer = AccessToken.generate(role: .viewer)
            try await registry.store.insert(
                StoredToken(hash: AccessToken.hash(viewer), principal: Principal(role: .viewer), createdAt: Date()))
            let client = TestClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(60)))
            client.connect()
            var p99: [(String, Double)] = []
            for (name, uri) in [
                ("report", "/api/v1/report"), ("report csv", "/api/v1/report?format=csv"),
                ("schools?flag=OFFLINE", "/api/v1/schools?flag=OFFLINE&limit=100"), ("dashboard /", "/"),
            ] {
                var latencies: [Double] = []
                var status = HTTPResponse.Status.ok
                for _ in 0..<10 {
                    _ = try await client.execute(
                        .init(uri, method: .get, headers: [.authorization: "Bearer \(viewer)"]))
                } // warm-up
                for _ in 0..<options.reportRequests {
                    let start = ContinuousClock.now
                    let response = try await client.execute(
                        .init(uri, method: .get, headers: [.authorization: "Bearer \(viewer)"]))
                    let elapsed = ContinuousClock.now - start
                    latencies.append(
                        Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
                    if response.status != .ok { status = response.status }
                }
                latencies.sort()
                let p = { (q: Double) in latencies[min(latencies.count - 1, Int(Double(latencies.count) * q))] }
                let label = "\(kind.rawValue) \(name)".padding(toLength: 32, withPad: " ", startingAt: 0)
                p99.append(("\(kind.rawValue) \(name)", status == .ok ? p(0.99) : .infinity))
                say(
                    "latency \(label) \(schools) schools × \(options.reportCameras) cameras: p50 \(String(format: "%6.1f", p(0.5))) ms  p99 \(String(format: "%6.1f", p(0.99))) ms  max \(String(format: "%6.1f", latencies.last!)) ms  (\(latencies.count) requests\(status == .ok ? "" : ", HTTP \(status)!"); loaded in \(String(format: "%.0f", loaded)) s)"
                )
            }
            try await client.shutdown()
            return p99
        }
    }
}
