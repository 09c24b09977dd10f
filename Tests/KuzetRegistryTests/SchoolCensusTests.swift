import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KuzetCore
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import Testing

@Suite("School census on /metrics", .timeLimit(.minutes(2)))
struct SchoolCensusTests {
    /// Astana: one recording, one not recording, one never heard from; Almaty: one below the minimum
    /// retention, one silent for an hour; one school without a region.
    static func populate(_ store: any RegistryStore, at now: Date) async throws {
        let policy = FlagPolicy()
        func report(_ sample: Sample, at date: Date = now) async throws {
            try await store.register(
                SchoolRegistration(id: sample.schoolID, name: sample.name, region: sample.region), at: date)
            _ = try await store.ingest(
                schoolID: sample.schoolID, heartbeats: [sample.heartbeat(1, at: date)], receivedAt: date, policy: policy
            )
        }
        try await report(Sample(schoolID: "KZ-CEN-0001", name: "School 1 Secret Name", region: "Astana"))
        try await report(Sample(schoolID: "KZ-CEN-0002", region: "Astana", recording: .notRecording))
        try await store.register(SchoolRegistration(id: "KZ-CEN-0003", region: "Astana"), at: now)
        try await report(Sample(schoolID: "KZ-CEN-0004", region: "Almaty", retentionDays: 10))
        try await report(Sample(schoolID: "KZ-CEN-0005", region: "Almaty"), at: now.addingTimeInterval(-3600))
        try await report(Sample(schoolID: "KZ-CEN-0006"))
    }

    @Test(
        "the census counts schools, online schools and each flag by region through the store's report and list counts",
        arguments: StoreKind.allCases)
    func censusCountsByRegionAndFlag(kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            let now = Date(timeIntervalSince1970: 1_790_000_000)
            try await Self.populate(store, at: now)
            let census = try await SchoolCensus.take(from: store, at: now, policy: FlagPolicy())
            #expect(census.regions.map(\.name) == ["(none)", "Almaty", "Astana"])
            let astana = try #require(census.regions.first { $0.name == "Astana" })
            #expect(astana.schools == 3 && astana.online == 2)
            #expect(
                astana.flagged[.offline] == 1 && astana.flagged[.notRecording] == 1
                    && astana.flagged[.retentionBelowMinimum] == 0)
            let almaty = try #require(census.regions.first { $0.name == "Almaty" })
            #expect(almaty.schools == 2 && almaty.online == 1)
            #expect(
                almaty.flagged[.offline] == 1 && almaty.flagged[.retentionBelowMinimum] == 1
                    && almaty.flagged[.notRecording] == 0)
            #expect(census.regions.allSatisfy { $0.flagged.count == SchoolFlag.allCases.count })
        }
    }

    @Test("past the region limit, the regions with the fewest schools are summed into (other), flags included")
    func regionsBeyondTheLimitAreSummed() async throws {
        try await withStore(.sqlite) { store, _ in
            let now = Date(timeIntervalSince1970: 1_790_000_000)
            try await Self.populate(store, at: now)
            let census = try await SchoolCensus.take(from: store, at: now, policy: FlagPolicy(), regionLimit: 1)
            #expect(census.regions.map(\.name) == ["(other)", "Astana"])
            let other = try #require(census.regions.first { $0.name == "(other)" })
            #expect(other.schools == 3 && other.online == 2)
            #expect(other.flagged[.offline] == 1 && other.flagged[.retentionBelowMinimum] == 1)
        }
    }

    @Test(
        "/metrics shows the census taken by the service on its timer; a region's viewer sees that region only; no school id or name appears"
    )
    func metricsShowTheCensus() async throws {
        try await withCensusRegistry { registry, client in
            let clock = registry.now()
            try await Self.populate(registry.store, at: clock)
            let admin = try await token(Principal(role: .admin), registry)
            let police = try await token(Principal(role: .viewer, region: "Astana"), registry)
            var text = ""
            let counted = try await waitUntil(timeout: 10) {
                text = try await Self.metrics(client, token: admin)
                return text.contains(#"kuzet_registry_schools{region="Almaty"} 2"#)
            }
            #expect(counted, "\(text)")
            let lines = Set(text.split(separator: "\n").map(String.init))
            for expected in [
                #"kuzet_registry_schools{region="Astana"} 3"#,
                #"kuzet_registry_schools_online{region="Astana"} 2"#,
                #"kuzet_registry_schools_online_ratio{region="Astana"} 0.6667"#,
                #"kuzet_registry_schools_online_ratio{region="Almaty"} 0.5000"#,
                #"kuzet_registry_schools_flagged{region="Astana",flag="NOT_RECORDING"} 1"#,
                #"kuzet_registry_schools_flagged{region="Almaty",flag="OFFLINE"} 1"#,
                #"kuzet_registry_schools_flagged{region="(none)",flag="OFFLINE"} 0"#,
                #"kuzet_registry_database_errors_total{during="request"} 0"#,
                "# TYPE kuzet_registry_schools_flagged gauge",
            ] {
                #expect(lines.contains(expected), "\(expected) in:\n\(text)")
            }
            #expect(!text.contains("KZ-CEN") && !text.contains("Secret Name"))
            let regional = try await Self.metrics(client, token: police)
            let regionLines = regional.split(separator: "\n").filter { $0.contains("region=") }
            #expect(!regionLines.isEmpty && regionLines.allSatisfy { $0.contains(#"region="Astana""#) }, "\(regional)")
        }
    }

    @Test(
        "a request that fails on the database and a failed census are counted in kuzet_registry_database_errors_total")
    func databaseErrorsAreCounted() async throws {
        try await withCensusRegistry { registry, client in
            let admin = try await token(Principal(role: .admin), registry)
            try await registry.store.register(
                SchoolRegistration(id: "KZ-CEN-0001", region: "Astana"), at: registry.now())
            #expect(
                try await client.execute(
                    uri: "/api/v1/schools", method: .get, headers: [.authorization: "Bearer \(admin)"]
                ).status == .ok)
            // The schools table goes away under the running registry (a damaged or wrong database).
            let path = try #require(registry.sqlitePath)
            let renamed = try KuzetTestKit.run("sqlite3", [path, "ALTER TABLE schools RENAME TO schools_gone"])
            #expect(renamed.status == 0, "\(renamed.output)")
            let failed = try await client.execute(
                uri: "/api/v1/schools", method: .get, headers: [.authorization: "Bearer \(admin)"])
            #expect(failed.status == .internalServerError)
            var text = ""
            let counted = try await waitUntil(timeout: 10) {
                text = try await Self.metrics(client, token: admin)
                return text.contains(#"kuzet_registry_database_errors_total{during="census"} "#)
                    && !text.contains(#"kuzet_registry_database_errors_total{during="census"} 0"#)
            }
            #expect(counted, "\(text)")
            #expect(text.contains(#"kuzet_registry_database_errors_total{during="request"} 1"#), "\(text)")
        }
    }

    static func metrics(_ client: any TestClientProtocol, token: String) async throws -> String {
        let response = try await client.execute(
            uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(token)"])
        guard response.status == .ok else { throw TestKitError("/metrics: \(response.status)") }
        return String(buffer: response.body)
    }

    func token(_ principal: Principal, _ registry: CensusRegistry) async throws -> String {
        let token = AccessToken.generate(role: principal.role)
        try await registry.store.insert(
            StoredToken(hash: AccessToken.hash(token), principal: principal, createdAt: registry.now()))
        return token
    }

    struct CensusRegistry: Sendable {
        var store: any RegistryStore
        var now: @Sendable () -> Date
        var sqlitePath: String?
    }

    /// A live registry over a fresh SQLite store whose `SchoolCensusService` counts every 100 ms.
    func withCensusRegistry(_ body: @Sendable @escaping (CensusRegistry, any TestClientProtocol) async throws -> Void)
        async throws
    {
        try await withStore(.sqlite) { store, info in
            let clock = ManualNow()
            let registry = Registry(store: store, now: clock.now)
            let server = RegistryServer(registry: registry, host: "127.0.0.1", port: 0)
            let application = try server.application(services: [
                SchoolCensusService(registry: registry, interval: .milliseconds(100))
            ])
            try await application.test(.live) { client in
                try await body(CensusRegistry(store: store, now: clock.now, sqlitePath: info.sqlitePath), client)
            }
        }
    }
}
