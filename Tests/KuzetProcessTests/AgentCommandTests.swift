import Foundation
import KuzetCore
import KuzetSegmentStore
import KuzetTestKit
import Testing

/// Issue 22 against the real processes: `kuzet-agent`, `kuzet-registry` (both built), a camera
/// (gst-rtsp-server) and the ЦОУ's RTMP ingest (nginx-rtmp), all on loopback. Every call the
/// agent makes is outbound (long-poll, status, upload).
@Suite(.serialized) struct AgentCommandTests {
    let folder: TemporaryDirectory
    init() throws { folder = try TemporaryDirectory() }

    func startAgent(registry: RegistryProcess, ingest: RTMPIngest?, cameraURL: String, root: String) throws
        -> ExternalProcess
    {
        try startCommandAgent(in: folder, registry: registry, root: root, ingest: ingest, cameraURL: cameraURL)
    }

    @Test(.timeLimit(.minutes(3)))
    func anOperatorsLiveCommandHasTheCameraAtTheIngestWithinFiveSecondsAndItStopsAtTheEnd() async throws {
        let camera = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1", bitrateKbps: 1000, gopSeconds: 1)])
        let ingest = try RTMPIngest()
        let registry = try RegistryProcess(folder: folder.file("registry"), school: "KZ-TEST-C1")
        let root = folder.file("rec")
        let agent = try startAgent(registry: registry, ingest: ingest, cameraURL: camera.url(for: "/cam1"), root: root)
        defer { agent.stop() }
        // The camera recorded (its rate measured) and the long-poll open.
        #expect(
            await waitUntil(timeout: 40) {
                !RecordingChecks.fileNames(root: root, camera: "cam1").isEmpty
                    && agent.output.contains("command channel started")
            }, "agent: \(agent.output.suffix(3000))")
        try await Task.sleep(for: .seconds(3))
        #expect(!ingest.isPublishing("cam1"), "nothing is pushed before the command")

        let issued = Date()
        let id = try registry.issue(#"{"kind":"live","camera":"cam1","stream":"main","duration_seconds":8}"#)
        #expect(await waitUntil(timeout: 10) { ingest.isPublishing("cam1") }, "agent: \(agent.output.suffix(3000))")
        let latency = Date().timeIntervalSince(issued)
        let probe = try ingest.probe("cam1")
        let publishedAt = Date()
        #expect(await waitUntil(timeout: 20) { !ingest.isPublishing("cam1") })
        let pushedFor = Date().timeIntervalSince(issued)
        print(
            "issue 22 live: command → stream at the ingest in \(String(format: "%.2f", latency)) s; "
                + "ffprobe: \(probe.video?.codecName ?? "?") \(probe.video?.width ?? 0)x\(probe.video?.height ?? 0); "
                + "push ended \(String(format: "%.1f", pushedFor)) s after the command (duration 8 s)")
        #expect(latency < 5)
        #expect(probe.video?.codecName == "h264")
        #expect(
            pushedFor >= 8 && pushedFor < 8 + latency + 4, "ended \(pushedFor) s after, published at \(publishedAt)")
        #expect(await waitUntil(timeout: 15) { registry.state(id) == "done" }, "\(registry.command(id) ?? [:])")
    }

    @Test(.timeLimit(.minutes(4)))
    func aTenMinuteClipFromThreeDaysAgoArrivesPlaysAndItsChecksumMatchesTheAgents() async throws {
        let root = folder.file("rec")
        // Twelve minutes of footage three days ago, in one-minute segments named by the segment store.
        let pieces = try RetentionFixtures.makeConsecutiveSegments(in: folder.path, count: 12, seconds: 60)
        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 3 * 86_400 - 15 * 60).rounded(.down))
        try RetentionFixtures.placeInSequence(pieces, root: root, camera: "cam1", from: start, seconds: 60)
        let registry = try RegistryProcess(folder: folder.file("registry"), school: "KZ-TEST-C2")
        // The camera is off: the clip comes from the recordings alone.
        let agent = try startAgent(registry: registry, ingest: nil, cameraURL: "rtsp://127.0.0.1:9/cam1", root: root)
        defer { agent.stop() }
        #expect(await waitUntil(timeout: 30) { agent.output.contains("command channel started") })

        let from = start.addingTimeInterval(60)
        let to = from.addingTimeInterval(600)
        let format = ISO8601DateFormatter()
        let issued = Date()
        let id = try registry.issue(
            #"{"kind":"clip","camera":"cam1","from":"\#(format.string(from: from))","to":"\#(format.string(from: to))"}"#
        )
        _ = await waitUntil(timeout: 150) {
            ["done", "failed", "refused", "expired"].contains(registry.state(id) ?? "")
        }
        #expect(
            registry.state(id) == "done", "command: \(registry.command(id) ?? [:]) agent: \(agent.output.suffix(3000))")
        let took = Date().timeIntervalSince(issued)
        let clip = folder.file("clip.mp4")
        let headers = folder.file("clip.headers")
        let (status, _) = try registry.call("GET", "/api/v1/clips/\(id)", output: clip, headers: headers)
        #expect(status == 200)
        let data = try Data(contentsOf: URL(fileURLWithPath: clip))
        let digest = try run("sha256sum", [clip]).output.split(separator: " ").first.map(String.init) ?? ""
        let header = try String(contentsOfFile: headers, encoding: .utf8).split(separator: "\r\n")
            .first { $0.lowercased().hasPrefix("kuzet-sha256:") }
            .map { $0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces) }
        #expect(header == digest)
        // The agent logged the checksum it computed before sending.
        #expect(agent.output.contains(digest), "agent log does not name \(digest)")
        let probe = try FFprobe.probe(clip, timeout: 30)
        let duration = probe.duration ?? 0
        print(
            "issue 22 clip: 600 s from three days ago, \(data.count) bytes, done \(String(format: "%.1f", took)) s after the command, "
                + "ffprobe \(probe.video?.codecName ?? "?") \(String(format: "%.1f", duration)) s, sha256 \(digest.prefix(16))… matches"
        )
        #expect(probe.video?.codecName == "h264")
        #expect(abs(duration - 600) < 3)
    }

    @Test(.timeLimit(.minutes(2)))
    func aSnapshotCommandBringsAJPEGOfTheCameraToTheRegistry() async throws {
        let camera = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1", gopSeconds: 1)])
        let registry = try RegistryProcess(folder: folder.file("registry"), school: "KZ-TEST-C3")
        let root = folder.file("rec")
        let agent = try startAgent(registry: registry, ingest: nil, cameraURL: camera.url(for: "/cam1"), root: root)
        defer { agent.stop() }
        #expect(await waitUntil(timeout: 30) { agent.output.contains("command channel started") })
        let issued = Date()
        let id = try registry.issue(#"{"kind":"snapshot","camera":"cam1"}"#)
        _ = await waitUntil(timeout: 40) {
            ["done", "failed", "refused", "expired"].contains(registry.state(id) ?? "")
        }
        #expect(
            registry.state(id) == "done", "command: \(registry.command(id) ?? [:]) agent: \(agent.output.suffix(3000))")
        let took = Date().timeIntervalSince(issued)
        let still = folder.file("snapshot.jpg")
        let (status, _) = try registry.call("GET", "/api/v1/clips/\(id)", output: still)
        #expect(status == 200)
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: still))
        print(
            "issue 22 snapshot: \(jpeg.count) bytes of JPEG at the registry \(String(format: "%.1f", took)) s after the command"
        )
        #expect(jpeg.starts(with: [0xFF, 0xD8, 0xFF]))
        let probe = try FFprobe.probe(still, timeout: 20)
        #expect(probe.video?.codecName == "mjpeg")
    }
}
