import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetProtocol
import KuzetTestKit
import Testing

@testable import KuzetRegistry

@Suite("Fleet view", .timeLimit(.minutes(1)))
struct FleetTests {
    static let fingerprintA = String(repeating: "a", count: 64)
    static let fingerprintB = String(repeating: "b", count: 64)

    static func heartbeat(_ school: String, version: String, fingerprint: String?, at date: Date) -> Data {
        var heartbeat = Sample(schoolID: school).heartbeat(1, at: date)
        heartbeat.agentVersion = version
        heartbeat.configFingerprint = fingerprint
        return heartbeat.json
    }

    @Test(
        "GET /api/v1/fleet lists schools by agent version and configuration fingerprint; a region's viewer sees its region only",
        arguments: StoreKind.allCases)
    func fleetListsSchoolsByVersion(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let reports: [(String, String, String, String?)] = [
                ("KZ-FLT-0001", "Astana", "0.2.0", Self.fingerprintA),
                ("KZ-FLT-0002", "Astana", "0.2.0", Self.fingerprintA),
                ("KZ-FLT-0003", "Astana", "0.1.0", nil), ("KZ-FLT-0004", "Almaty", "0.2.0", Self.fingerprintB),
            ]
            for (school, region, version, fingerprint) in reports {
                let token = try await registry.schoolToken(school, region: region)
                let answer = try await registry.post(
                    Self.heartbeat(school, version: version, fingerprint: fingerprint, at: registry.clock.date),
                    token: token)
                #expect(answer.status == .ok, "\(answer.text)")
            }
            _ = try await registry.schoolToken("KZ-FLT-0005", region: "Astana") // never reported: not in the fleet

            let admin = try await registry.token(Principal(role: .admin))
            let fleet = try await registry.getJSON("/api/v1/fleet", token: admin)
            let versions = try #require(fleet["versions"] as? [[String: Any]])
            #expect(versions.map { $0["agent_version"] as? String } == ["0.2.0", "0.1.0"])
            #expect(versions.map { $0["schools"] as? Int } == [3, 1])
            #expect(versions.map { $0["configurations"] as? Int } == [2, 1])
            let groups = try #require(fleet["groups"] as? [[String: Any]])
            #expect(groups.count == 3)
            let astana = groups.first {
                $0["region"] as? String == "Astana" && $0["agent_version"] as? String == "0.2.0"
            }
            #expect(astana?["config_fingerprint"] as? String == Self.fingerprintA && astana?["schools"] as? Int == 2)
            #expect(fleet["truncated"] as? Bool == false)

            let police = try await registry.token(Principal(role: .viewer, region: "Almaty"))
            let regional = try await registry.getJSON("/api/v1/fleet", token: police)
            let regionalGroups = try #require(regional["groups"] as? [[String: Any]])
            #expect(regionalGroups.map { $0["region"] as? String } == ["Almaty"])
            let other = try await registry.getJSON("/api/v1/fleet?region=Astana", token: police)
            #expect((other["groups"] as? [Any])?.isEmpty == true)

            let school = try await registry.schoolToken("KZ-FLT-0006", region: "Astana")
            #expect(try await registry.get("/api/v1/fleet", token: school).status == .forbidden)
            #expect(try await registry.get("/api/v1/fleet?limit=5", token: admin).status == .badRequest)
        }
    }

    @Test("the dashboard's agents page (linked from the overview) has the table: version, schools, configurations")
    func dashboardShowsAgentVersions() async throws {
        try await withRegistry(.sqlite) { registry in
            let token = try await registry.schoolToken("KZ-FLT-0001", region: "Astana")
            #expect(
                try await registry.post(
                    Self.heartbeat(
                        "KZ-FLT-0001", version: "0.3.1-rc1", fingerprint: Self.fingerprintA, at: registry.clock.date),
                    token: token
                ).status == .ok)
            let admin = try await registry.token(Principal(role: .admin))
            let overview = try await registry.get("/", token: admin)
            #expect(overview.text.contains(#"<a href="/fleet">"#), "\(overview.text)")
            #expect(!overview.text.contains(#"<table id="agents">"#), "the overview reads no school's state")
            let page = try await registry.get("/fleet", token: admin)
            #expect(page.status == .ok)
            #expect(page.text.contains(#"<table id="agents">"#), "\(page.text)")
            #expect(
                page.text.contains(
                    #"<tr><td><code>0.3.1-rc1</code></td><td class="num">1</td><td class="num">1</td></tr>"#),
                "\(page.text)")
        }
    }

    @Test("a config_fingerprint that is not 64 lower-case hex digits is refused with 422, saying what to send")
    func malformedFingerprintIsRefused() async throws {
        try await withRegistry(.sqlite) { registry in
            let token = try await registry.schoolToken("KZ-FLT-0001", region: "Astana")
            let answer = try await registry.post(
                Self.heartbeat("KZ-FLT-0001", version: "0.2.0", fingerprint: "ABC", at: registry.clock.date),
                token: token)
            #expect(answer.status == .unprocessableContent)
            #expect(answer.text.contains("config_fingerprint"), "\(answer.text)")
        }
    }

    @Test(
        "the fast reader reads config_fingerprint as the Codable decoder does (the fast path does not hand such heartbeats to the slow one)"
    )
    func readersAgreeOnTheFingerprint() throws {
        let json = Self.heartbeat(
            "KZ-FLT-0001", version: "0.2.0", fingerprint: Self.fingerprintA,
            at: Date(timeIntervalSince1970: 1_790_000_000))
        let decoded = try JSONDecoder.kuzetWire.decode(Heartbeat.self, from: json)
        #expect(decoded.configFingerprint == Self.fingerprintA)
        let read = try #require(HeartbeatReader.read(json))
        #expect(read.heartbeats.first?.configFingerprint == Self.fingerprintA)
    }
}
