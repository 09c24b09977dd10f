import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import Testing

@Suite("Registry metrics", .timeLimit(.minutes(1)))
struct MetricsTests {
    @Test(
        "/metrics counts heartbeat requests by answer, stored and duplicate heartbeats and ingest transactions; it needs a reading token",
        arguments: StoreKind.allCases)
    func metricsCountWhatHappened(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let school = try await registry.schoolToken("KZ-MET-0001")
            let viewer = try await registry.token(Principal(role: .viewer))
            let sample = Sample(schoolID: "KZ-MET-0001")
            let heartbeat = sample.heartbeat(1, at: registry.clock.date).json
            #expect(try await registry.post(heartbeat, token: school).status == .ok)
            #expect(try await registry.post(heartbeat, token: school).status == .ok) // a replay: duplicate
            #expect(try await registry.post(Data("{}".utf8), token: school).status == .badRequest) // no version field
            #expect(try await registry.post(heartbeat, token: nil).status == .unauthorized)

            #expect(try await registry.get("/metrics", token: nil).status == .unauthorized)
            #expect(try await registry.get("/metrics", token: school).status == .forbidden)
            let response = try await registry.get("/metrics", token: viewer)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let lines = Set(response.text.split(separator: "\n").map(String.init))
            for expected in [
                #"kuzet_registry_heartbeat_requests_total{status="200"} 2"#,
                #"kuzet_registry_heartbeat_requests_total{status="400"} 1"#,
                #"kuzet_registry_heartbeat_requests_total{status="401"} 1"#,
                "kuzet_registry_heartbeats_stored_total 1",
                "kuzet_registry_heartbeats_duplicate_total 1",
                "kuzet_registry_ingest_transactions_total 2",
                "kuzet_registry_ingest_seconds_count 2",
                "kuzet_registry_ingest_waiting 0.0",
            ] {
                #expect(lines.contains(expected), "\(expected) in:\n\(response.text)")
            }
            if kind == .postgres {
                // The second request found the school's state held: one statement.
                #expect(lines.contains(#"kuzet_registry_ingest_groups_total{way="known"} 1"#), "\(response.text)")
            }
            let writing = try #require(lines.first { $0.hasPrefix("kuzet_registry_ingest_writing_seconds_total ") })
            let seconds = try #require(Double(writing.split(separator: " ")[1]))
            #expect(seconds > 0 && seconds < 10, "two small transactions: \(writing)")
            // A second scrape does not count the store's transactions twice.
            let again = try await registry.get("/metrics", token: viewer)
            #expect(again.text.contains("kuzet_registry_ingest_transactions_total 2\n"), "\(again.text)")
        }
    }
}
