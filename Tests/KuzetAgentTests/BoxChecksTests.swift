import Foundation
import KuzetAgent
import KuzetConfiguration
import KuzetCore
import KuzetRetention
import KuzetTestKit
import Testing

@Suite struct BoxChecksTests {
    func configuration(maxKbps: Int, registry: String? = nil) throws -> AgentConfiguration {
        try AgentConfiguration.parse(
            yaml: """
                school: { id: KZ-1 }
                storage: { root: /tmp/kuzet-box-checks }
                centre: { push: "rtmp://cou.example/live/{school}/{camera}", max_kbps: \(maxKbps) }
                \(registry.map { "registry: { url: \"\($0)\" }" } ?? "")
                cameras:
                  - { id: gate, url: "rtsp://10.0.0.5/main", sub_url: "rtsp://10.0.0.5/sub", push: sub }
                  - { id: hall, url: "rtsp://10.0.0.6/main", push: main }
                  - { id: yard, url: "rtsp://10.0.0.7/main" }
                """)
    }

    /// The rates a camera's streams were measured at (what `check` reads live from each camera).
    let measured: [String: Double] = ["gate/sub": 512, "hall/main": 3900, "yard/main": 4000]

    func probe(_ camera: AgentConfiguration.Camera, _ stream: AgentConfiguration.Camera.StreamChoice) -> Result<
        Double, StorageCheck.ProbeFailure
    > {
        measured["\(camera.id)/\(stream.rawValue)"].map { .success($0) } ?? .failure(.init("not in the table"))
    }

    @Test func pushesWithinTheUplinkBudgetPass() async throws {
        let result = try #require(
            await BoxChecks.centreBudget(try configuration(maxKbps: 8000)) { probe($0, $1) })
        #expect(result.compliant)
        #expect(result.lines[0].contains("need 4412 kbit/s of centre.max_kbps 8000"))
    }

    @Test func pushesOverTheUplinkBudgetAreRefusedWithWhatToDo() async throws {
        let result = try #require(
            await BoxChecks.centreBudget(try configuration(maxKbps: 4000)) { probe($0, $1) })
        #expect(!result.compliant)
        #expect(result.lines[0].contains("need 4412 kbit/s but centre.max_kbps is 4000"))
        #expect(result.lines[0].contains("push: sub"))
    }

    @Test func aPushedCameraThatCannotBeMeasuredIsNotCompliant() async throws {
        let result = try #require(
            await BoxChecks.centreBudget(try configuration(maxKbps: 8000)) { camera, _ in
                .failure(.init("open rtsp://\(camera.id): Connection refused"))
            })
        #expect(!result.compliant)
        #expect(result.lines.last?.contains("gate, hall not measured") == true)
        #expect(
            result.lines.contains("  gate (sub stream): not measured — open rtsp://gate: Connection refused"),
            "\(result.lines)")
    }

    @Test func anUnreachableRegistryIsReportedWithTheKeyToCheck() async throws {
        let port = freeLoopbackPort() // nothing listens there
        let result = try #require(
            await BoxChecks.registry(
                try configuration(maxKbps: 8000, registry: "http://127.0.0.1:\(port)/api/v1/heartbeats")))
        #expect(!result.compliant)
        #expect(result.lines[0].contains("registry.url"))
    }

    @Test func aRunningRegistryIsReachableAndOurClockAgreesWithIt() async throws {
        let directory = try TemporaryDirectory()
        let binary = try BuiltExecutable.path("kuzet-registry")
        let registry = try ExternalProcess(
            binary, ["serve", "--database", "sqlite:\(directory.file("r.sqlite"))", "--listen", "127.0.0.1:0"])
        defer { registry.stop() }
        #expect(eventually(timeout: 20) { registry.output.contains("listening on http://") })
        let address = try #require(
            registry.output.split(separator: "\n").first { $0.contains("listening on http") }?.split(separator: " ")
                .last)
        let result = try #require(
            await BoxChecks.registry(try configuration(maxKbps: 8000, registry: "\(address)/api/v1/heartbeats")))
        #expect(result.compliant, "\(result.lines)")
        #expect(result.lines.contains { $0.hasPrefix("clock: within") })
    }
}
