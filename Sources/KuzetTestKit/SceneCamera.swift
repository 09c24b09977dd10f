import Foundation

/// Real RTSP cameras whose picture changes mid-stream (picture-health tests, issue 23):
/// `scripts/testing/scene_camera.py` on 127.0.0.1, one live stream per mount that switches
/// scene at a keyframe — by a schedule given at start, or by ``show(_:on:)`` at any time.
///
/// ```swift
/// let cameras = try SceneCamera(mounts: [
///     .init(path: "/cam1", schedule: [(.normal, 30), (.black, 60), (.normal, nil)]),
///     .init(path: "/cam2"),                               // normal until told otherwise
/// ])
/// try cameras.show(.frozen, on: "/cam2")                   // from the next keyframe
/// try cameras.waitForScene(.frozen, on: "/cam2")
/// let url = cameras.url(for: "/cam1")
/// ```
///
/// Every scene is 640×360 H.264 at 25 fps with a keyframe every second and AAC audio (unless
/// `audio: .none`), encoded once into the shared clip cache (`$TMPDIR/kuzet-clips`); the first run
/// on a machine costs ~15 s of encoding. What each scene looks like: the script's header.
public final class SceneCamera: @unchecked Sendable {
    // @unchecked: `process` is only set in init; the rest is immutable.

    public enum Scene: String, Sendable, CaseIterable {
        /// Moving, textured (test pattern over a fractal background, sensor-like noise).
        case normal
        /// Lens covered: black with faint noise.
        case black
        /// Sprayed / flat: uniform grey with faint noise.
        case grey
        /// One picture repeated while timestamps advance.
        case frozen
        /// The normal scene out of focus.
        case blurred
        /// Turned away: a different moving, textured scene.
        case moved
        /// Dark but textured and noisy: must not be flagged.
        case night
        /// The normal scene with one shape walking across: must not be flagged.
        case person
        /// No video packets (the video track stays in the SDP); audio goes on.
        case audioOnly = "audio_only"
    }

    public struct Mount: Sendable {
        public var path: String
        /// Scenes in turn, each for its seconds counted from the first client's PLAY; `nil` holds.
        public var schedule: [(scene: Scene, seconds: Double?)]
        public var audio: CameraMount.Audio
        public init(
            path: String, scene: Scene = .normal, schedule: [(scene: Scene, seconds: Double?)]? = nil,
            audio: CameraMount.Audio = .aac
        ) {
            self.path = path
            self.schedule = schedule ?? [(scene, nil)]
            self.audio = audio
        }

        var specObject: [String: Any] {
            let steps = schedule.map { step in
                step.seconds.map { "\(step.scene.rawValue):\($0)" } ?? step.scene.rawValue
            }
            return ["path": path, "schedule": steps.joined(separator: ","), "audio": audio.rawValue]
        }
    }

    public let port: Int
    public let mounts: [Mount]
    private let directory: TemporaryDirectory
    private let process: ExternalProcess
    private let lock = NSLock()
    private var controlled: [String: Scene] = [:]

    /// Starts the cameras and waits until they listen (the first run encodes the scenes).
    public init(mounts: [Mount], port: Int = freeLoopbackPort(), startupTimeout: Double = 180) throws {
        precondition(!mounts.isEmpty, "SceneCamera needs at least one mount")
        self.port = port
        self.mounts = mounts
        directory = try TemporaryDirectory(prefix: "kuzet-scenes")
        try JSONSerialization.data(withJSONObject: ["mounts": mounts.map(\.specObject)]).write(
            to: URL(fileURLWithPath: directory.file("spec.json")))
        let script = repositoryRoot().appendingPathComponent("scripts/testing/scene_camera.py").path
        guard FileManager.default.fileExists(atPath: script) else { throw TestKitError("\(script) is missing") }
        let started = try ExternalProcess(
            "/usr/bin/python3",
            [
                script, "--port", String(port), "--spec", directory.file("spec.json"), "--status-file",
                directory.file("status.json"), "--control", directory.file("control.txt"),
            ], name: "scene-camera", logDirectory: directory.path)
        let ready = eventually(timeout: startupTimeout) { started.output.contains("READY") || !started.isRunning }
        guard ready, started.isRunning else {
            started.stop(signal: SIGKILL)
            throw TestKitError("the scene camera did not start on 127.0.0.1:\(port): \(started.output.suffix(1500))")
        }
        process = started
    }

    deinit { stop() }

    /// Stops the cameras (SIGTERM, SIGKILL after 5 s).
    public func stop() { process.stop() }

    public func url(for path: String) -> String { RTSPCameraServer.url(port: port, path: path) }

    /// Makes the mount at `path` show `scene` from its next keyframe (its schedule no longer applies).
    public func show(_ scene: Scene, on path: String) throws {
        let text = lock.withLock { () -> String in
            controlled[path] = scene
            return controlled.map { "\($0.key) \($0.value.rawValue)\n" }.sorted().joined()
        }
        let partial = directory.file("control.txt.part")
        try Data(text.utf8).write(to: URL(fileURLWithPath: partial))
        guard rename(partial, directory.file("control.txt")) == 0 else {
            throw TestKitError("cannot replace \(directory.file("control.txt")): errno \(errno)")
        }
    }

    /// The scene the mount at `path` is sending now (nil before its first client).
    public func scene(on path: String) throws -> Scene? {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory.file("status.json")))
        let status = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let mounts = status?["mounts"] as? [String: Any]
        let route = String(path.split(separator: "?", maxSplits: 1).first ?? "")
        guard let mount = mounts?[route] as? [String: Any] else {
            throw TestKitError("no scene camera mount \(route) (have \(mounts?.keys.sorted() ?? []))")
        }
        return (mount["scene"] as? String).flatMap(Scene.init(rawValue:))
    }

    /// Waits until the mount at `path` sends `scene` (a client must be playing it).
    public func waitForScene(_ scene: Scene, on path: String, timeout: Double = 10) throws {
        guard eventually(timeout: timeout, { (try? self.scene(on: path)) == scene }) else {
            throw TestKitError("\(path) did not switch to \(scene.rawValue) within \(timeout) s: \(output.suffix(800))")
        }
    }

    /// What the script printed (READY, SESSION±, SCENE lines, errors): for failure messages.
    public var output: String { process.output }
}
