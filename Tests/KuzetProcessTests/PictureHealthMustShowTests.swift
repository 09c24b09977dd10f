import Foundation
import KuzetTestKit
import Testing

/// Issue 23's must-show 1–3 with the real `kuzet-agent run` process and real RTSP scene cameras
/// (`scripts/testing/scene_camera.py`): the agent samples every camera every 5 s
/// (`health.interval_seconds: 5`, so the default 60 s is 12× shortened) and the test reads what
/// it says from `GET /api/v1/status` once a second.
///
/// - Six cameras switch mid-stream from the normal scene to black, grey, frozen, blurred, turned
///   away and audio only: each is flagged with its reason within 3 intervals, and cleared within 3
///   after the normal scene returns.
/// - The normal, night and walking-person cameras are never flagged, for `KUZET_HEALTH_SOAK_SECONDS`
///   (120 by default; 600 for the issue's "10 minutes").
/// - `kuzet-agent health reset-reference` makes a turned camera's new view its reference.
@Suite(.serialized) struct PictureHealthMustShowTests {
    static let interval = 5.0
    static let switched: [(scene: SceneCamera.Scene, reason: String)] = [
        (.black, "dark"), (.grey, "uniform"), (.frozen, "frozen"), (.blurred, "blurred"), (.moved, "moved"),
        (.audioOnly, "no_video"),
    ]
    static let harmless: [SceneCamera.Scene] = [.normal, .night, .person]

    /// What the agent said about each camera's picture, once a second.
    final class Timeline: @unchecked Sendable {
        // @unchecked: `entries` is guarded by `lock`.
        private let lock = NSLock()
        private var entries: [(at: Date, camera: String, state: String, reasons: [String])] = []
        func add(_ at: Date, _ camera: String, _ state: String, _ reasons: [String]) {
            lock.withLock { entries.append((at, camera, state, reasons)) }
        }
        func of(_ camera: String) -> [(at: Date, state: String, reasons: [String])] {
            lock.withLock { entries.filter { $0.camera == camera }.map { ($0.at, $0.state, $0.reasons) } }
        }
        func latest(_ camera: String) -> (state: String, reasons: [String])? {
            of(camera).last.map { ($0.state, $0.reasons) }
        }
    }

    static func id(_ scene: SceneCamera.Scene) -> String { scene.rawValue.replacingOccurrences(of: "_", with: "-") }

    /// One read of the status API into the timeline.
    static func poll(port: Int, into timeline: Timeline) throws {
        let (status, body) = try curlGet(port: port, path: "/api/v1/status")
        guard status == 200, let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let cameras = object["cameras"] as? [[String: Any]]
        else { throw TestKitError("status API: \(status) \(body.prefix(200))") }
        let now = Date()
        for camera in cameras {
            guard let id = camera["id"] as? String, let health = camera["health"] as? [String: Any] else { continue }
            timeline.add(now, id, health["state"] as? String ?? "?", health["reasons"] as? [String] ?? [])
        }
    }

    /// Polls once a second until `condition` holds or `timeout` passes; the time it held, or nil.
    static func pollUntil(
        port: Int, _ timeline: Timeline, timeout: Double, _ condition: () -> Bool
    ) throws -> Date? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            // The status service comes up a moment after the process starts.
            try? poll(port: port, into: timeline)
            if condition() { return Date() }
            Thread.sleep(forTimeInterval: 1)
        }
        return nil
    }

    @Test(.timeLimit(.minutes(20)))
    func badScenesFlagAndClearWithinThreeIntervalsAndHarmlessOnesNever() throws {
        let soak = Double(ProcessInfo.processInfo.environment["KUZET_HEALTH_SOAK_SECONDS"] ?? "") ?? 120
        let mounts = (Self.harmless + Self.switched.map(\.scene)).map { scene in
            SceneCamera.Mount(path: "/\(Self.id(scene))", scene: Self.harmless.contains(scene) ? scene : .normal)
        }
        let cameras = try SceneCamera(mounts: mounts)
        let directory = try TemporaryDirectory()
        let statusPort = freeLoopbackPort()
        var yaml = """
            school: { id: KZ-TEST-23 }
            storage: { root: \(directory.file("rec")), segment_seconds: 10 }
            status: { listen: "127.0.0.1:\(statusPort)" }
            health: { interval_seconds: \(Int(Self.interval)), thumbnail_minutes: 1, state_dir: \(directory.file("health")) }
            cameras:

            """
        for mount in mounts {
            yaml += "  - id: \(mount.path.dropFirst())\n    url: \(cameras.url(for: mount.path))\n"
        }
        let config = directory.file("agent.yaml")
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
        let started = Date()
        let agent = try ExternalProcess(
            BuiltExecutable.agent, ["run", "--config", config], name: "agent", logDirectory: directory.path)
        defer { agent.stop() }
        let timeline = Timeline()
        let all = mounts.map { String($0.path.dropFirst()) }

        // Every camera judged healthy, and three more intervals of the normal scene.
        let allOK = try Self.pollUntil(port: statusPort, timeline, timeout: 90) {
            all.allSatisfy { timeline.latest($0)?.state == "ok" }
        }
        #expect(
            allOK != nil,
            "\(all.map { "\($0): \(String(describing: timeline.latest($0)))" }) \(agent.output.suffix(3000))")
        guard allOK != nil else { return }
        _ = try Self.pollUntil(port: statusPort, timeline, timeout: 3 * Self.interval) { false }

        // Switch: each bad scene is flagged with its reason within 3 intervals.
        var switchedAt: [String: Date] = [:]
        for (scene, _) in Self.switched { try cameras.show(scene, on: "/\(Self.id(scene))") }
        for (scene, _) in Self.switched {
            try cameras.waitForScene(scene, on: "/\(Self.id(scene))")
            switchedAt[Self.id(scene)] = Date()
        }
        var flaggedAt: [String: Date] = [:]
        _ = try Self.pollUntil(port: statusPort, timeline, timeout: 6 * Self.interval) {
            for (scene, reason) in Self.switched where flaggedAt[Self.id(scene)] == nil {
                if timeline.latest(Self.id(scene))?.reasons.contains(reason) == true {
                    flaggedAt[Self.id(scene)] = Date()
                }
            }
            return flaggedAt.count == Self.switched.count
        }
        var figures: [String] = []
        for (scene, reason) in Self.switched {
            let camera = Self.id(scene)
            let latency = flaggedAt[camera].flatMap { at in switchedAt[camera].map { at.timeIntervalSince($0) } }
            figures.append(
                "\(camera) flagged \(reason) after \(latency.map { String(format: "%.1f s", $0) } ?? "never")")
            #expect(
                latency != nil && latency! <= 3 * Self.interval + 1.5,
                "\(camera): \(timeline.of(camera).suffix(12).map(\.reasons))")
            #expect(
                timeline.latest(camera)?.reasons == [reason],
                "\(camera): \(String(describing: timeline.latest(camera)))")
        }

        // The metrics and the status page say so too.
        let metrics = try curlGet(port: statusPort, path: "/metrics").body
        #expect(
            metrics.contains("kuzet_camera_picture_flagged{camera=\"black\",reason=\"dark\"} 1"),
            "\(metrics.prefix(4000))")
        #expect(metrics.contains("kuzet_camera_picture_ok{camera=\"normal\"} 1"))
        let page = try curlGet(port: statusPort, path: "/?lang=en").status
        #expect(page == 303)
        let latest = try curlGet(
            port: statusPort, path: "/health/normal/latest.jpg", output: directory.file("latest.jpg"))
        #expect(latest.status == 200)
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: directory.file("latest.jpg")))
        #expect(jpeg.prefix(3) == Data([0xFF, 0xD8, 0xFF]) && jpeg.count <= 20 * 1024)

        // Back to normal: each is cleared within 3 intervals.
        Thread.sleep(forTimeInterval: 2 * Self.interval)
        var backAt: [String: Date] = [:]
        for (scene, _) in Self.switched { try cameras.show(.normal, on: "/\(Self.id(scene))") }
        for (scene, _) in Self.switched {
            try cameras.waitForScene(.normal, on: "/\(Self.id(scene))")
            backAt[Self.id(scene)] = Date()
        }
        var clearedAt: [String: Date] = [:]
        _ = try Self.pollUntil(port: statusPort, timeline, timeout: 6 * Self.interval) {
            for (scene, _) in Self.switched where clearedAt[Self.id(scene)] == nil {
                if timeline.latest(Self.id(scene))?.state == "ok" { clearedAt[Self.id(scene)] = Date() }
            }
            return clearedAt.count == Self.switched.count
        }
        for (scene, _) in Self.switched {
            let camera = Self.id(scene)
            let latency = clearedAt[camera].flatMap { at in backAt[camera].map { at.timeIntervalSince($0) } }
            figures.append("\(camera) cleared after \(latency.map { String(format: "%.1f s", $0) } ?? "never")")
            #expect(
                latency != nil && latency! <= 3 * Self.interval + 1.5,
                "\(camera): \(timeline.of(camera).suffix(12).map(\.reasons))")
        }

        // Turned on purpose: reset-reference makes the new view the reference, and `moved` clears.
        try cameras.show(.moved, on: "/moved")
        try cameras.waitForScene(.moved, on: "/moved")
        let movedAgain = try Self.pollUntil(port: statusPort, timeline, timeout: 6 * Self.interval) {
            timeline.latest("moved")?.reasons == ["moved"]
        }
        #expect(movedAgain != nil)
        let reset = try run(
            BuiltExecutable.agent, ["health", "reset-reference", "--config", config, "--camera", "moved"])
        #expect(reset.status == 0 && reset.output.contains("reference picture removed"), "\(reset.output)")
        let resetAt = Date()
        let accepted = try Self.pollUntil(port: statusPort, timeline, timeout: 4 * Self.interval) {
            timeline.latest("moved")?.state == "ok"
        }
        #expect(accepted != nil, "\(timeline.of("moved").suffix(8).map(\.reasons))")
        figures.append(
            "moved accepted after reset in \(accepted.map { String(format: "%.1f s", $0.timeIntervalSince(resetAt)) } ?? "never")"
        )
        #expect(FileManager.default.fileExists(atPath: directory.file("health/moved/reference.pgm")))

        // The harmless scenes, for the rest of the soak.
        _ = try Self.pollUntil(port: statusPort, timeline, timeout: max(0, soak - Date().timeIntervalSince(started))) {
            false
        }
        for scene in Self.harmless {
            let camera = Self.id(scene)
            let seen = timeline.of(camera)
            let flagged = seen.filter { $0.state != "ok" && $0.at > allOK! }
            figures.append(
                "\(camera): \(seen.count) reads over \(Int(Date().timeIntervalSince(started))) s, flagged in \(flagged.count)"
            )
            #expect(flagged.isEmpty, "\(camera): \(flagged.prefix(5).map(\.reasons))")
        }
        let samples = try curlGet(port: statusPort, path: "/api/v1/status").body
        #expect(agent.isRunning, "\(agent.output.suffix(2000))")
        print("picture health must-show figures:\n  " + figures.joined(separator: "\n  "))
        withExtendedLifetime(samples) {}
    }
}

@Suite struct PictureHealthOffTests {
    @Test("With health.interval_seconds 0 the agent records on and reports no picture health", .timeLimit(.minutes(2)))
    func healthOffKeepsTheAgentRunning() throws {
        let cameras = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1")])
        let directory = try TemporaryDirectory()
        let port = freeLoopbackPort()
        let config = directory.file("agent.yaml")
        try """
        school: { id: KZ-TEST-24 }
        storage: { root: \(directory.file("rec")), segment_seconds: 4 }
        status: { listen: "127.0.0.1:\(port)" }
        health: { interval_seconds: 0 }
        cameras:
          - id: cam1
            url: \(cameras.url(for: "/cam1"))
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let agent = try ExternalProcess(
            BuiltExecutable.agent, ["run", "--config", config], name: "agent", logDirectory: directory.path)
        defer { agent.stop() }
        #expect(
            eventually(timeout: 30) {
                RecordingChecks.fileNames(root: directory.file("rec"), camera: "cam1").count >= 2
            })
        #expect(agent.isRunning, "\(agent.output.suffix(2000))")
        let body = try curlGet(port: port, path: "/api/v1/status").body
        #expect(body.contains("\"recording\" : \"recording\"") && !body.contains("\"health\""), "\(body)")
    }
}
