import Foundation
import KuzetTestKit
import Testing

/// A police clip the agent took on survives an agent restart (session 18, task "resume"): the
/// built `kuzet-agent` and `kuzet-registry` on loopback, the upload slowed by `centre.max_kbps`,
/// the agent stopped while the registry holds part of the clip — by `kill -9` (a crash, a power
/// cut) or by SIGTERM (systemd restart, package upgrade) — and started again: the clip arrives
/// whole, its checksum is the agent's, and the upload went on from the registry's offset.
@Suite(.serialized) struct AgentCommandResumeTests {
    let folder: TemporaryDirectory
    init() throws { folder = try TemporaryDirectory() }

    /// 2064 kbit/s less the heartbeats' 64: the upload goes at about 250 kB/s.
    static let maxKbps = 2064

    func startAgent(
        registry: RegistryProcess, root: String, name: String, ingest: RTMPIngest? = nil,
        cameraURL: String = "rtsp://127.0.0.1:9/cam1"
    ) throws -> ExternalProcess {
        try startCommandAgent(
            in: folder, registry: registry, root: root, ingest: ingest, cameraURL: cameraURL,
            maxKbps: ingest == nil ? Self.maxKbps : 16000, name: name)
    }

    func size(_ path: String) -> Int { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }

    @Test(.timeLimit(.minutes(4)), arguments: [SIGKILL, SIGTERM])
    func aClipHalfUploadedWhenTheAgentStopsIsFinishedFromTheRegistrysOffsetAfterItStartsAgain(signal: Int32)
        async throws
    {
        let root = folder.file("rec")
        // Four minutes of footage three days ago (about 1.3 MB a minute): a three-minute clip of
        // about 4 MB takes some 16 s at the budget's rate.
        let pieces = try RetentionFixtures.makeConsecutiveSegments(in: folder.path, count: 4, seconds: 60)
        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 3 * 86_400 - 15 * 60).rounded(.down))
        try RetentionFixtures.placeInSequence(pieces, root: root, camera: "cam1", from: start, seconds: 60)
        let registry = try RegistryProcess(folder: folder.file("registry"), school: "KZ-TEST-R1")
        let first = try startAgent(registry: registry, root: root, name: "agent-first")
        defer { first.stop(signal: SIGKILL) }
        try #require(await waitUntil(timeout: 30) { first.output.contains("command channel started") })

        let format = ISO8601DateFormatter()
        let from = start.addingTimeInterval(30)
        let id = try registry.issue(
            #"{"kind":"clip","camera":"cam1","from":"\#(format.string(from: from))","to":"\#(format.string(from: from.addingTimeInterval(180)))"}"#
        )
        // The registry holds part of the clip (at least three chunks), not all of it.
        let part = folder.file("registry/evidence/\(registry.school)/\(id).part")
        try #require(
            await waitUntil(timeout: 60) { size(part) >= 600_000 },
            "registry holds \(size(part)) bytes; agent: \(first.output.suffix(3000))")
        let agentsFile = folder.file("outbox/command-files/\(id).mp4")
        let total = size(agentsFile)
        let digest = try run("sha256sum", [agentsFile]).output.split(separator: " ").first.map(String.init) ?? ""
        first.stop(signal: signal, timeout: 10)
        let held = size(part)
        #expect(held > 0 && held < total, "registry holds \(held) of \(total) bytes when the agent stopped")
        #expect(registry.state(id) != "done")
        #expect(registry.state(id) != "failed", "the stopping agent reported: \(registry.command(id) ?? [:])")

        let second = try startAgent(registry: registry, root: root, name: "agent-second")
        defer { second.stop() }
        _ = await waitUntil(timeout: 90) {
            ["done", "failed", "refused", "expired"].contains(registry.state(id) ?? "")
        }
        #expect(
            registry.state(id) == "done",
            "command: \(registry.command(id) ?? [:]) agent after the restart: \(second.output.suffix(3000))")

        // The registry's evidence is the agent's file, byte for byte.
        let clip = folder.file("clip.mp4")
        let headers = folder.file("clip.headers")
        let (status, _) = try registry.call("GET", "/api/v1/clips/\(id)", output: clip, headers: headers)
        #expect(status == 200)
        let received = try run("sha256sum", [clip]).output.split(separator: " ").first.map(String.init)
        let header = try String(contentsOfFile: headers, encoding: .utf8).split(separator: "\r\n")
            .first { $0.lowercased().hasPrefix("kuzet-sha256:") }
            .map { $0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces) }
        #expect(received == digest && header == digest, "agent's file \(digest), registry's \(received ?? "?")")
        #expect(size(clip) == total)

        // It went on from the registry's offset, not from 0: the registry says where it resumed,
        // the restarted agent says the same, once, and no chunk was refused for a wrong offset.
        let resumed = registry.process.output.split(separator: "\n").filter {
            $0.contains("upload resumes") && $0.contains(id)
        }
        let offsets = resumed.compactMap { line in
            line.range(of: "upload.offset=").flatMap { Int(line[$0.upperBound...].prefix { $0.isNumber }) }
        }
        #expect(offsets.first.map { $0 >= held } == true, "registry log: \(resumed)")
        #expect(
            second.output.contains("command taken up again after a restart"), "agent: \(second.output.suffix(3000))")
        // The agent logs its outcome after the last PATCH's answer, the registry marks it done before.
        #expect(
            await waitUntil(timeout: 10) { second.output.contains("upload.resumed_at=[\(offsets.first ?? -1)]") },
            "agent: \(second.output.suffix(3000))")
        #expect(resumed.count == 1, "registry log: \(resumed)")
        #expect(!second.output.contains("upload offset differs"), "agent: \(second.output.suffix(3000))")
        print(
            "resume after \(signal == SIGKILL ? "kill -9" : "SIGTERM"): registry held \(held) of \(total) bytes; "
                + "the restarted agent went on from \(offsets.first ?? -1); evidence sha256 \(digest.prefix(16))… matches"
        )
    }

    /// A live view cut by `kill -9` is pushed again after the restart for the rest of its
    /// duration only: it ends at the time the police asked for, not a full duration later.
    @Test(.timeLimit(.minutes(3)))
    func aLiveViewCutByAKillIsPushedAgainAfterTheRestartUntilItsOriginalEnd() async throws {
        let camera = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1", bitrateKbps: 1000, gopSeconds: 1)])
        let ingest = try RTMPIngest()
        let registry = try RegistryProcess(folder: folder.file("registry"), school: "KZ-TEST-R2")
        let root = folder.file("rec")
        let url = camera.url(for: "/cam1")
        let first = try startAgent(registry: registry, root: root, name: "agent-first", ingest: ingest, cameraURL: url)
        defer { first.stop(signal: SIGKILL) }
        try #require(
            await waitUntil(timeout: 40) {
                !RecordingChecks.fileNames(root: root, camera: "cam1").isEmpty
                    && first.output.contains("command channel started")
            }, "agent: \(first.output.suffix(3000))")
        let issued = Date()
        let id = try registry.issue(#"{"kind":"live","camera":"cam1","stream":"main","duration_seconds":40}"#)
        try #require(await waitUntil(timeout: 10) { ingest.isPublishing("cam1") }, "\(first.output.suffix(3000))")
        let startedAt = Date()
        try await Task.sleep(for: .seconds(3))
        first.stop(signal: SIGKILL)
        #expect(await waitUntil(timeout: 15) { !ingest.isPublishing("cam1") }, "the push outlived the agent")

        let second = try startAgent(
            registry: registry, root: root, name: "agent-second", ingest: ingest, cameraURL: url)
        defer { second.stop() }
        #expect(
            await waitUntil(timeout: 25) { ingest.isPublishing("cam1") }, "agent: \(second.output.suffix(3000))")
        let again = Date()
        #expect(await waitUntil(timeout: 45) { !ingest.isPublishing("cam1") })
        let ended = Date()
        #expect(await waitUntil(timeout: 15) { registry.state(id) == "done" }, "\(registry.command(id) ?? [:])")
        let end = startedAt.addingTimeInterval(40)
        print(
            "live cut by kill -9: pushed again \(String(format: "%.1f", again.timeIntervalSince(issued))) s after the command, "
                + "ended \(String(format: "%.1f", ended.timeIntervalSince(issued))) s after it (duration 40 s)")
        #expect(second.output.contains("command taken up again after a restart"))
        #expect(
            abs(ended.timeIntervalSince(end)) < 5,
            "ended \(ended.timeIntervalSince(startedAt)) s after the first push began")
    }
}
