import Foundation
import KuzetCore
import KuzetSegmentStore
import KuzetTestKit
import Testing

/// Issue 26 on the real `kuzet-agent run` process, its wall clock moved by libfaketime (its
/// monotonic clock left alone, `DONT_FAKE_MONOTONIC=1`), next to the real `kuzet-registry`.
@Suite(.serialized, .enabled(if: LibFakeTime.path != nil, "libfaketime is not installed (Debian package faketime)"))
struct ClockStepProcessTests {
    /// The agent's wall clock offset, read by libfaketime on every call from this file ("+0", "-1h", "+1d").
    struct FakeTime {
        let file: String
        init(in directory: TemporaryDirectory, offset: String) throws {
            file = directory.file("faketime")
            try set(offset)
        }
        func set(_ offset: String) throws { try offset.write(toFile: file, atomically: true, encoding: .utf8) }
        var environment: [String: String] {
            [
                "LD_PRELOAD": LibFakeTime.path ?? "", "FAKETIME_TIMESTAMP_FILE": file,
                "FAKETIME_NO_CACHE": "1", "DONT_FAKE_MONOTONIC": "1",
            ]
        }
    }

    /// The real registry on loopback (plain HTTP) with a school token written to `tokenFile`.
    static func registry(in directory: TemporaryDirectory, school: String) throws -> (
        process: ExternalProcess, url: String, tokenFile: String
    ) {
        let binary = try BuiltExecutable.path("kuzet-registry")
        let database = "sqlite:" + directory.file("registry.sqlite")
        let created = try run(binary, ["token", "create", "--role", "school", "--school", school, "--database", database])
        guard created.status == 0, let token = created.output.split(separator: "\n").last else {
            throw TestKitError("kuzet-registry token create failed: \(created.output)")
        }
        let tokenFile = directory.file("school-token")
        try (token + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let process = try ExternalProcess(
            binary, ["serve", "--database", database, "--listen", "127.0.0.1:0"], name: "registry",
            logDirectory: directory.path)
        var address: String?
        _ = eventually(timeout: 30) {
            address = process.output.split(separator: "\n").first { $0.contains("listening on http") }?
                .split(separator: " ").last.map(String.init)
            return address != nil || !process.isRunning
        }
        guard let address else { throw TestKitError("kuzet-registry did not start: \(process.output.prefix(2000))") }
        return (process, "\(address)/api/v1/heartbeats", tokenFile)
    }

    /// Heartbeats the registry stored for the school (its history, read from the SQLite file).
    static func storedHeartbeats(in directory: TemporaryDirectory) -> Int {
        let output = (try? run("sqlite3", [directory.file("registry.sqlite"), "SELECT count(*) FROM heartbeats"]))?
            .output ?? ""
        return Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    static func segments(_ root: String, _ camera: String, before: Date? = nil, from: Date? = nil) throws
        -> [RecordedSegment]
    {
        try RecordingChecks.segments(root: root, camera: camera).filter { segment in
            (before.map { segment.name.start < $0 } ?? true) && (from.map { segment.name.start >= $0 } ?? true)
        }
    }

    @Test(.timeLimit(.minutes(4)))
    func aClockSteppedBackAnHourThenForwardADayLeavesRecordingBackoffHeartbeatsAndShutdownAlone() throws {
        let cameras = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1"), CameraMount(path: "/cam2")])
        let directory = try TemporaryDirectory()
        let root = directory.file("rec")
        let registry = try Self.registry(in: directory, school: "KZ-TEST-9")
        defer { registry.process.stop() }
        let fake = try FakeTime(in: directory, offset: "+0")
        let config = directory.file("agent.yaml")
        try """
        school: { id: KZ-TEST-9 }
        storage: { root: \(root), segment_seconds: 3 }
        registry: { url: "\(registry.url)", token_file: \(registry.tokenFile), interval_seconds: 1, outbox: \(directory.file("outbox")) }
        cameras:
          - { id: cam1, url: "\(cameras.url(for: "/cam1"))" }
          - { id: cam2, url: "\(cameras.url(for: "/cam2"))" }
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let agent = try ExternalProcess(
            BuiltExecutable.agent, ["run", "--config", config], name: "agent", environment: fake.environment,
            logDirectory: directory.path)
        defer { agent.stop(signal: SIGKILL) }
        let bothRecord = { (count: Int) in
            ["cam1", "cam2"].allSatisfy { RecordingChecks.fileNames(root: root, camera: $0).count >= count }
        }
        #expect(eventually(timeout: 40) { bothRecord(3) }, "\(agent.output.suffix(2000))")

        // Back one hour while both cameras record.
        try fake.set("-1h")
        #expect(eventually(timeout: 10) { agent.output.contains("stepped back by 3600 s") }, "\(agent.output.suffix(2000))")
        let beforeStepCount = RecordingChecks.fileNames(root: root, camera: "cam1").count
        #expect(eventually(timeout: 20) { RecordingChecks.fileNames(root: root, camera: "cam1").count >= beforeStepCount + 2 })
        let heartbeatsAfterBack = Self.storedHeartbeats(in: directory)

        // The cameras restart; during the agent's reconnect backoff the clock jumps a day ahead.
        cameras.stop()
        #expect(eventually(timeout: 15) { agent.output.contains("camera stream failed") })
        try fake.set("+1d")
        #expect(eventually(timeout: 10) { agent.output.contains("stepped forward by") }, "\(agent.output.suffix(2000))")
        let counts = ["cam1", "cam2"].map { RecordingChecks.fileNames(root: root, camera: $0).count }
        try cameras.restart()
        let restarted = MonotonicInstant.now()
        #expect(
            eventually(timeout: 15) {
                zip(["cam1", "cam2"], counts).allSatisfy {
                    RecordingChecks.fileNames(root: root, camera: $0).count > $1
                }
            }, "recording resumes after the camera restart within its usual backoff")
        let reconnect = restarted.elapsedSeconds
        #expect(reconnect < 15)
        #expect(eventually(timeout: 10) { bothRecord(counts.max()! + 2) })
        #expect(
            eventually(timeout: 10) { Self.storedHeartbeats(in: directory) > heartbeatsAfterBack + 2 },
            "heartbeats keep flowing: \(Self.storedHeartbeats(in: directory)) stored")

        // SIGTERM: out within 5 s.
        let term = MonotonicInstant.now()
        kill(agent.pid, SIGTERM)
        let status = agent.waitForExit(timeout: 5)
        #expect(status == 0, "exit \(String(describing: status)) \(term.elapsedSeconds) s after SIGTERM")

        // Footage: every file plays; no hole over 2 s by media time on either side of the restart
        // (names follow media time: the backward step did not move them; after the restart, a day on).
        let split = Date().addingTimeInterval(12 * 3600)
        for camera in ["cam1", "cam2"] {
            let before = try Self.segments(root, camera, before: split)
            let after = try Self.segments(root, camera, from: split)
            #expect(before.count >= 5 && after.count >= 2, "\(camera): \(before.count) + \(after.count) segments")
            #expect(RecordingChecks.largestGap(before) <= 2, "\(camera) before the restart")
            #expect(RecordingChecks.largestGap(after) <= 2, "\(camera) after the restart")
        }
        let steps = agent.output.split(separator: "\n").filter { $0.contains("the wall clock stepped") }
        #expect(steps.count == 2, "each step logged once: \(steps)")
    }

    @Test(
        .timeLimit(.minutes(2)),
        .enabled(
            if: KernelClockState.read()?.synchronised == false,
            "needs this machine's clock unsynchronised (libfaketime cannot fake the kernel's NTP state)"))
    func anAgentStartingFortyDaysAheadWithoutNTPOrRegistryDeletesNoFootageByAge() throws {
        let directory = try TemporaryDirectory()
        let root = directory.file("rec")
        let fixture = try RetentionFixtures.makeSegment(in: directory.path, seconds: 2)
        // Footage 1–10 days old: on a clock 40 days ahead it looks 41–50 days old.
        let planted = try [10.0, 5, 1].map { days in
            try RetentionFixtures.place(
                fixture, root: root, camera: "cam1", start: Date().addingTimeInterval(-days * 86_400), seconds: 60)
        }
        let fake = try FakeTime(in: directory, offset: "+40d")
        let config = directory.file("agent.yaml")
        // No camera answers (port 9 on loopback): the agent runs its retention all the same.
        try """
        school: { id: KZ-TEST-9 }
        storage: { root: \(root), segment_seconds: 3 }
        cameras:
          - { id: cam1, url: "rtsp://127.0.0.1:9/none" }
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let agent = try ExternalProcess(
            BuiltExecutable.agent, ["run", "--config", config], name: "agent", environment: fake.environment,
            logDirectory: directory.path)
        defer { agent.stop(signal: SIGKILL) }
        #expect(eventually(timeout: 20) { agent.output.contains("storage scanned") }, "\(agent.output.suffix(2000))")
        #expect(eventually(timeout: 10) { agent.output.contains("clock not trusted") }, "\(agent.output.suffix(2000))")
        Thread.sleep(forTimeInterval: 3) // a sweep runs at start and every 10 s
        for path in planted { #expect(FileManager.default.fileExists(atPath: path), "\(path) deleted by age") }
        kill(agent.pid, SIGTERM)
        #expect(agent.waitForExit(timeout: 5) == 0)
    }
}

enum LibFakeTime {
    /// `libfaketimeMT.so.1` of the machine's architecture (Debian package `faketime`).
    static let path: String? = {
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib")) ?? []
        return folders.map { "/usr/lib/\($0)/faketime/libfaketimeMT.so.1" }
            .first { FileManager.default.fileExists(atPath: $0) }
    }()
}
