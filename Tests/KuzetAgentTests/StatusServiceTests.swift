import Foundation
import KuzetAgent
import KuzetConfiguration
import KuzetCore
import KuzetMedia
import KuzetTestKit
import Prometheus
import Testing

@Suite(.serialized, .timeLimit(.minutes(3)))
struct StatusServiceTests {
    @Test func healthzAnswersOverHTTP() async throws {
        let agent = try await StatusTestAgent()
        defer { agent.stop() }
        let (status, body) = try await offPool { try agent.get("/healthz") }
        #expect(status == 200)
        #expect(body == "degraded\n", "camera yard is offline, so the box is degraded")
    }

    @Test func statusJSONDescribesEveryCameraWithoutCredentials() async throws {
        let agent = try await StatusTestAgent()
        defer { agent.stop() }
        let (status, body) = try await offPool { try agent.get("/api/v1/status") }
        #expect(status == 200)
        let report = try StatusReport.decoder.decode(StatusReport.self, from: Data(body.utf8))
        let entrance = try #require(report.cameras.first { $0.id == "entrance" })
        #expect(entrance.state == "live")
        #expect(entrance.codec == "h264")
        #expect(entrance.width == 1280 && entrance.height == 720)
        #expect(entrance.segments == 1)
        #expect((entrance.daysKept ?? 0) > 2.9)
        let yard = try #require(report.cameras.first { $0.id == "yard" })
        #expect(yard.state == "offline")
        #expect(yard.problems.first?.contains("no video for 95 s") == true, "\(yard.problems)")
        #expect(!body.contains(StatusTestAgent.cameraPassword))
        #expect(body.contains("admin:***@"), "the camera's error is shown with its password masked")
    }

    @Test func metricsParseWithPrometheusOwnParser() async throws {
        let agent = try await StatusTestAgent()
        defer { agent.stop() }
        let file = agent.directory.file("metrics.txt")
        #expect(try await offPool { try agent.get("/metrics", output: file) }.status == 200)
        let script = """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                for sample in family.samples:
                    print(sample.name, sample.labels.get("camera", ""), sample.value)
            """
        let (status, output) = try await offPool { try run("python3", ["-c", script, file], timeout: 30) }
        #expect(status == 0, "prometheus_client could not parse /metrics: \(output)")
        #expect(output.contains("kuzet_camera_up entrance 1.0"), "\(output)")
        #expect(output.contains("kuzet_camera_up yard 0.0"), "\(output)")
        // Each gauge says what it is where an operator reads it (Prometheus, Grafana's tooltip).
        let exposition = try String(contentsOfFile: file, encoding: .utf8)
        #expect(exposition.contains("# HELP kuzet_camera_up 1 while the camera's stream is live"), "\(exposition)")
    }

    @Test func aPasswordProtectsEveryPath() async throws {
        let agent = try await StatusTestAgent(password: "integrator-pw")
        defer { agent.stop() }
        for path in ["/", "/healthz", "/api/v1/status", "/metrics", "/snapshot/entrance"] {
            #expect(try await offPool { try agent.get(path) }.status == 401, "\(path) without password")
            #expect(
                try await offPool { try agent.get(path, password: "wrong") }.status == 401,
                "\(path) with a wrong password")
        }
        #expect(try await offPool { try agent.get("/api/v1/status", password: "integrator-pw") }.status == 200)
    }

    @Test func refusesToServeTheNetworkWithoutAPassword() {
        #expect(throws: StatusServiceError.self) {
            try StatusService(
                configuration: .init(listen: ListenAddress(host: "0.0.0.0", port: 8080)), source: NoCameras(),
                metrics: PrometheusCollectorRegistry())
        }
    }

    @Test func snapshotIsAJPEGOfTheCameraPicture() async throws {
        let agent = try await StatusTestAgent()
        defer { agent.stop() }
        let file = agent.directory.file("entrance.jpg")
        #expect(try await offPool { try agent.get("/snapshot/entrance", output: file) }.status == 200)
        let probe = try await offPool { try FFprobe.probe(file) }
        #expect(probe.video?.codecName == "mjpeg")
        #expect(probe.video?.width == 640 && probe.video?.height == 360)
    }

    @Test func snapshotsAreCachedAndRateLimited() async throws {
        let agent = try await StatusTestAgent()
        defer { agent.stop() }
        for _ in 0..<5 {
            #expect(try await offPool { try agent.get("/snapshot/entrance", output: "/dev/null") }.status == 200)
        }
        #expect(await agent.snapshots.taken == 1, "five requests within the interval decode one keyframe")
    }

    @Test func snapshotOfACameraWithoutPictureIsUnavailable() async throws {
        let agent = try await StatusTestAgent()
        defer { agent.stop() }
        #expect(try await offPool { try agent.get("/snapshot/yard") }.status == 503)
        #expect(try await offPool { try agent.get("/snapshot/NOT..valid") }.status == 404)
    }
}

struct NoCameras: StatusSource {
    func statusReport() async -> StatusReport {
        StatusReport(
            school: .init(id: "x"), generatedAt: Date(), uptimeSeconds: 0, cameras: [],
            uplink: .init(state: "off", outboxPending: 0), problems: [])
    }
    func snapshotFanout(camera: String) -> PacketFanout? { nil }
}
