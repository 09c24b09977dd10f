import Foundation
import KuzetCore
import KuzetTestKit

/// What every stepped-clock run (issue 26, must-show 1) needs: two real RTSP cameras (a server
/// each, so one can be restarted alone) serving a clip whose pictures are numbered, a real
/// `kuzet-registry` taking heartbeats (optional), and the built `kuzet-agent run` started with
/// its wall clock steppable (``WallClockShift``).
final class SteppedClockLab: Sendable {
    static let school = "KZ-TEST-26"
    static let fps = 25
    /// The clip loops every 60 s: a hole in the recording cannot hide in a wrap of the numbers
    /// unless it is a minute long, which the duration check sees.
    static let clipSeconds = 60

    let directory: TemporaryDirectory
    let clock: WallClockShift
    let cameras: [String: RTSPCameraServer]
    let registry: RegistryProcess?
    let root: String
    let config: String

    /// The numbered clip, made once per test process (1,500 pictures, 320×180, H.264).
    static let clip: Result<(path: String, pictures: Int), TestKitError> = {
        let folder = NSTemporaryDirectory() + "kuzet-stepped-clock-\(getpid())"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/numbered.h264"
        do {
            let signed = try NumberedPictures.clip(seconds: clipSeconds, fps: fps, at: path)
            return .success((path, signed.units.count))
        } catch {
            return .failure(TestKitError("the numbered clip: \(error)"))
        }
    }()

    init(withRegistry: Bool = true, heartbeatSeconds: Int = 2) throws {
        let directory = try TemporaryDirectory()
        self.directory = directory
        clock = try WallClockShift(in: directory.path)
        let clip = try Self.clip.get()
        var cameras: [String: RTSPCameraServer] = [:]
        for id in ["cam1", "cam2"] {
            cameras[id] = try RTSPCameraServer(
                mounts: [CameraMount(path: "/\(id)", fps: Self.fps, clipFile: clip.path)], startupTimeout: 30)
        }
        self.cameras = cameras
        let root = directory.file("rec")
        self.root = root
        let registry = try withRegistry ? RegistryProcess(folder: directory.file("registry"), school: Self.school) : nil
        self.registry = registry
        let uplink =
            registry.map {
                """
                registry:
                  url: \($0.heartbeatsURL)
                  token_file: \($0.schoolTokenFile)
                  interval_seconds: \(heartbeatSeconds)
                  outbox: \(directory.file("state/outbox"))
                """
            } ?? ""
        config = directory.file("agent.yaml")
        try """
        school: { id: \(Self.school), region: Astana }
        storage: { root: \(root), segment_seconds: 4 }
        \(uplink)
        status: { listen: 127.0.0.1:\(freeLoopbackPort()) }
        health: { state_dir: \(directory.file("state/health")) }
        cameras:
          - { id: cam1, url: "\(cameras["cam1"]!.url(for: "/cam1"))" }
          - { id: cam2, url: "\(cameras["cam2"]!.url(for: "/cam2"))" }
        """.write(toFile: config, atomically: true, encoding: .utf8)
    }

    /// Starts the agent with its wall clock at the lab clock's offset and waits until both
    /// cameras record; throws (stopping it) if they do not within 40 s.
    func startAgent() throws -> ExternalProcess {
        let agent = try ExternalProcess(
            BuiltExecutable.agent, ["run", "--config", config], name: "agent", environment: try clock.environment,
            logDirectory: directory.path)
        let recording = eventually(timeout: 40) {
            ["cam1", "cam2"].allSatisfy { !RecordingChecks.fileNames(root: root, camera: $0).isEmpty }
                || !agent.isRunning
        }
        guard recording, agent.isRunning else {
            agent.stop(signal: SIGKILL)
            throw TestKitError("the agent did not record both cameras in 40 s: \(agent.output.suffix(3000))")
        }
        return agent
    }

    /// SIGTERM, then how long the agent took to exit (nil: still running after `limit` s, then killed)
    /// and its exit status.
    static func terminate(_ agent: ExternalProcess, limit: Double = 5) -> (seconds: Double?, status: Int32?) {
        let sent = MonotonicInstant.now()
        kill(agent.pid, SIGTERM)
        let status = agent.waitForExit(timeout: limit)
        let seconds = status == nil ? nil : sent.elapsedSeconds
        if status == nil { agent.stop(signal: SIGKILL) }
        return (seconds, status)
    }

    /// The heartbeats the registry stored for the school: when received (registry's real time),
    /// the `sent_at` the agent's wall clock put in them, and the last step they report
    /// (`clock.last_step_seconds`), in order of arrival.
    func heartbeats() throws -> [(received: Double, sent: Double, lastStep: Double?)] {
        guard let registry else { return [] }
        let database = (registry.folder as NSString).appendingPathComponent("registry.sqlite")
        let (status, output) = try run(
            "/usr/bin/sqlite3",
            [
                "-readonly", "-separator", " ", database,
                """
                SELECT received_at, sent_at, json_extract(CAST(payload AS TEXT), '$.clock.last_step_seconds')
                FROM heartbeats WHERE school_id = '\(Self.school)' ORDER BY received_at
                """,
            ], timeout: 20)
        guard status == 0 else { throw TestKitError("sqlite3 \(database): \(output)") }
        return output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false).map { Double($0) }
            guard fields.count == 3, let received = fields[0], let sent = fields[1] else { return nil }
            return (received, sent, fields[2])
        }
    }
}
