import Foundation

/// Real RTSP cameras for tests: `scripts/testing/rtsp_camera_server.py` (gst-rtsp-server through
/// Debian's python3-gi) serving ``CameraMount``s on 127.0.0.1.
///
/// ```swift
/// let cameras = try RTSPCameraServer(mounts: [
///     CameraMount(path: "/Streaming/Channels/101", codec: .h264),
///     CameraMount(path: "/cam/realmonitor?channel=1&subtype=0", codec: .h265,
///                 credentials: .init(username: "admin", password: "secret")),
/// ])
/// let url = cameras.url(for: "/Streaming/Channels/101")                  // rtsp://127.0.0.1:PORT/…
/// let secret = cameras.url(for: "/cam/realmonitor?channel=1&subtype=0", withCredentials: true)
/// #expect(try cameras.sessionCount("/Streaming/Channels/101") == 1)
/// cameras.stop(); try cameras.restart()                                   // same port
/// ```
///
/// Session counting: a session counts for a mount from its SETUP until its TEARDOWN, its RTSP
/// connection closing (also when the client is killed) or its timeout. ``sessionCount(_:)`` is
/// the number now; ``status()`` also has the number ever set up and the open connections.
///
/// Each mount is one shared pipeline (like a camera's encoder): every client of a mount gets the
/// same live stream and starts at the next keyframe. The server is stopped (SIGTERM, then
/// SIGKILL) by ``stop()`` and when the value goes away.
public final class RTSPCameraServer: @unchecked Sendable {
    // @unchecked: `process` is guarded by `lock`; everything else is immutable.

    /// Status as the server writes it (the `--status-file`), keyed by ``CameraMount/route``.
    public struct Status: Decodable, Sendable {
        public struct Mount: Decodable, Sendable {
            public var path: String
            /// Sessions that have this mount set up now.
            public var sessions: Int
            /// Sessions that ever set this mount up.
            public var sessionsTotal: Int
            /// PLAY requests ever received for this mount.
            public var playsTotal: Int
            /// Keep-alive requests (GET_PARAMETER or OPTIONS naming a session of this mount).
            public var keepalivesTotal: Int
            enum CodingKeys: String, CodingKey {
                case path, sessions
                case sessionsTotal = "sessions_total"
                case playsTotal = "plays_total"
                case keepalivesTotal = "keepalives_total"
            }
        }
        public var pid: Int
        /// Open RTSP connections now, and ever.
        public var clients: Int
        public var clientsTotal: Int
        public var mounts: [String: Mount]
        enum CodingKeys: String, CodingKey {
            case pid, clients, mounts
            case clientsTotal = "clients_total"
        }
    }

    public let port: Int
    public let mounts: [CameraMount]
    private let directory: TemporaryDirectory
    private let sessionTimeout: Int?
    /// The network namespace the server runs in (`nil`: the test's own); it listens on that
    /// namespace's 127.0.0.1.
    public let namespace: String?
    private let startupTimeout: Double
    private let lock = NSLock()
    private var process: ExternalProcess?

    /// Starts the server on `port` (a fresh ``freeLoopbackPort()`` by default) and waits for it to
    /// listen. Pass a port chosen earlier to bring up a camera that a test said was "down at start".
    /// - Parameters:
    ///   - sessionTimeout: seconds a session lives without keep-alive (gst-rtsp-server's default is 60).
    ///   - startupTimeout: how long to wait for READY (the first use of a new clip includes its encode).
    public init(
        mounts: [CameraMount], port: Int = freeLoopbackPort(), sessionTimeout: Int? = nil, startupTimeout: Double = 120,
        namespace: String? = nil
    ) throws {
        self.namespace = namespace
        precondition(!mounts.isEmpty, "RTSPCameraServer needs at least one mount")
        self.port = port
        self.mounts = mounts
        self.sessionTimeout = sessionTimeout
        self.startupTimeout = startupTimeout
        self.directory = try TemporaryDirectory(prefix: "kuzet-cameras")
        let spec: [String: Any] = ["mounts": mounts.map(\.specObject)]
        try JSONSerialization.data(withJSONObject: spec, options: [.prettyPrinted]).write(
            to: URL(fileURLWithPath: directory.file("spec.json")))
        try start()
    }

    deinit { stop() }

    /// The URL a client uses for the mount at `path` (its query string included).
    /// With `withCredentials`, the mount's username and password are in the URL (`rtsp://user:pass@…`).
    public func url(for path: String, withCredentials: Bool = false) -> String {
        let credentials = withCredentials ? mounts.first { $0.path == path || $0.route == path }?.credentials : nil
        return Self.url(port: port, path: path, credentials: credentials)
    }

    /// The URL of `path` on a server at `port` that may not be running (yet).
    public static func url(port: Int, path: String, credentials: CameraMount.Credentials? = nil) -> String {
        var userinfo = ""
        if let credentials {
            let allowed = CharacterSet.urlUserAllowed.subtracting(CharacterSet(charactersIn: ":@/"))
            let user =
                credentials.username.addingPercentEncoding(withAllowedCharacters: allowed) ?? credentials.username
            let password =
                credentials.password.addingPercentEncoding(withAllowedCharacters: allowed) ?? credentials.password
            userinfo = "\(user):\(password)@"
        }
        return "rtsp://\(userinfo)127.0.0.1:\(port)\(path.hasPrefix("/") ? path : "/" + path)"
    }

    /// Sessions that have the mount at `path` set up right now.
    public func sessionCount(_ path: String) throws -> Int {
        let route = CameraMount(path: path).route
        guard let mount = try status().mounts[route] else {
            throw TestKitError("no camera mount \(route) (have \(mounts.map(\.route)))")
        }
        return mount.sessions
    }

    /// Sessions that ever set up the mount at `path` (counts reconnects).
    public func totalSessions(_ path: String) throws -> Int {
        let route = CameraMount(path: path).route
        guard let mount = try status().mounts[route] else {
            throw TestKitError("no camera mount \(route) (have \(mounts.map(\.route)))")
        }
        return mount.sessionsTotal
    }

    /// The server's counts now. Throws while it is stopped.
    public func status() throws -> Status {
        guard isRunning else { throw TestKitError("the camera server on port \(port) is stopped") }
        let data = try Data(contentsOf: URL(fileURLWithPath: directory.file("status.json")))
        return try JSONDecoder().decode(Status.self, from: data)
    }

    public var isRunning: Bool { lock.withLock { process?.isRunning ?? false } }

    /// The server's process id while it runs (the benchmark reads its CPU time).
    public var pid: Int32? { lock.withLock { process?.isRunning == true ? process?.pid : nil } }

    /// What the server printed (READY, SESSION+/- lines, errors) — for failure messages.
    public var output: String { lock.withLock { process?.output ?? "" } }

    /// Stops the server (SIGTERM, SIGKILL after 5 s). Clients see their connections close.
    public func stop() {
        let running = lock.withLock { () -> ExternalProcess? in
            defer { process = nil }
            return process
        }
        running?.stop()
    }

    /// Starts the server again on the same port with the same mounts (counts start from zero).
    public func restart() throws {
        stop()
        try start()
    }

    private func start() throws {
        let script = try Self.scriptPath()
        var arguments = [
            script, "--port", String(port), "--spec", directory.file("spec.json"), "--status-file",
            directory.file("status.json"),
        ]
        if let sessionTimeout { arguments += ["--session-timeout", String(sessionTimeout)] }
        // The port may still be held for a moment by the previous run (restart): try a few times.
        var lastOutput = ""
        for _ in 0..<5 {
            try? FileManager.default.removeItem(atPath: directory.file("status.json"))
            let started = try ExternalProcess(
                namespace == nil ? "/usr/bin/python3" : "/usr/sbin/ip",
                (namespace.map { ["netns", "exec", $0, "/usr/bin/python3"] } ?? []) + arguments, name: "camera-server",
                logDirectory: directory.path)
            let ready = eventually(timeout: startupTimeout) { started.output.contains("READY") || !started.isRunning }
            if ready && started.isRunning {
                lock.withLock { process = started }
                return
            }
            lastOutput = started.output
            started.stop(signal: SIGKILL)
            if !lastOutput.contains("cannot listen") { break }
            usleep(300_000)
        }
        throw TestKitError("the camera server did not start on 127.0.0.1:\(port): \(lastOutput.suffix(1500))")
    }

    /// `scripts/testing/rtsp_camera_server.py` of this checkout (or `KUZET_CAMERA_SERVER`).
    static func scriptPath() throws -> String {
        if let path = ProcessInfo.processInfo.environment["KUZET_CAMERA_SERVER"] { return path }
        let path = repositoryRoot().appendingPathComponent("scripts/testing/rtsp_camera_server.py").path
        guard FileManager.default.fileExists(atPath: path) else { throw TestKitError("\(path) is missing") }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else {
            throw TestKitError(
                "/usr/bin/python3 is missing (run scripts/install-deps.sh: python3-gi, gir1.2-gst-rtsp-server-1.0)")
        }
        return path
    }
}

/// The checkout this file was compiled from (`Sources/KuzetTestKit/…` → the root).
func repositoryRoot(file: String = #filePath) -> URL {
    URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
