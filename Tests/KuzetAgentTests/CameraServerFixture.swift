import Foundation
import KuzetTestKit

/// The real gst-rtsp-server "cameras" of `scripts/testing/rtsp_camera_server.py`, on a free
/// loopback port, stopped (and restartable on the same port) by the test.
final class CameraServerFixture: @unchecked Sendable {
    let port: Int
    let mounts: [String]
    let statusFile: String
    let directory: TemporaryDirectory
    private(set) var process: ExternalProcess?

    /// `mounts` use the script's syntax: `/cam1;codec=h265;user=admin;password=secret`.
    init(mounts: [String], port: Int = freeLoopbackPort(), start: Bool = true) throws {
        self.port = port
        self.mounts = mounts
        self.directory = try TemporaryDirectory(prefix: "kuzet-cameras")
        self.statusFile = directory.file("status.json")
        if start { try self.start() }
    }

    static var script: String {
        // Tests/KuzetAgentTests/<this file> → package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("scripts/testing/rtsp_camera_server.py").path
    }

    func start() throws {
        try? FileManager.default.removeItem(atPath: statusFile)
        let arguments = [Self.script, "--port", "\(port)", "--status-file", statusFile] + mounts.flatMap { ["--mount", $0] }
        let process = try ExternalProcess("/usr/bin/python3", arguments, name: "rtsp-cameras", logDirectory: directory.path)
        self.process = process
        // The first run encodes the clips (cached afterwards): allow for it.
        guard eventually(timeout: 120, { process.output.contains("READY port=") || !process.isRunning }), process.isRunning else {
            throw TestKitError("camera server did not start: \(process.output.suffix(800))")
        }
    }

    func stop() {
        process?.stop()
        process = nil
    }

    func url(_ mount: String) -> String { "rtsp://127.0.0.1:\(port)\(mount)" }

    /// Open sessions per mount path, as the server counts them.
    func sessions() -> [String: Int] {
        guard let data = FileManager.default.contents(atPath: statusFile),
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let mounts = json["mounts"] as? [String: [String: Any]]
        else { return [:] }
        return mounts.compactMapValues { $0["sessions"] as? Int }
    }

    deinit { stop() }
}

/// A real nginx with the RTMP module accepting pushes on a free loopback port.
final class RTMPIngestFixture: @unchecked Sendable {
    let port: Int
    let directory: TemporaryDirectory
    private(set) var process: ExternalProcess?

    init(port: Int = freeLoopbackPort()) throws {
        self.port = port
        self.directory = try TemporaryDirectory(prefix: "kuzet-ingest")
        let modules = ["/usr/lib/nginx/modules/ngx_rtmp_module.so", "/usr/share/nginx/modules/ngx_rtmp_module.so"]
        guard let module = modules.first(where: FileManager.default.fileExists(atPath:)) else {
            throw TestKitError("nginx's RTMP module is missing: apt-get install -y nginx libnginx-mod-rtmp")
        }
        let config = """
            load_module \(module);
            daemon off;
            master_process off;
            worker_processes 1;
            pid \(directory.file("nginx.pid"));
            error_log \(directory.file("error.log")) info;
            events { worker_connections 256; }
            rtmp { server { listen 127.0.0.1:\(port); application live { live on; record off; } } }
            """
        try config.write(toFile: directory.file("nginx.conf"), atomically: true, encoding: .utf8)
        try start()
    }

    func start() throws {
        let process = try ExternalProcess("nginx", ["-c", directory.file("nginx.conf"), "-p", directory.path, "-e", directory.file("error.log")], name: "nginx-rtmp", logDirectory: directory.path)
        self.process = process
        guard eventually(timeout: 10, { Self.accepts(port: port) }) else {
            throw TestKitError("nginx-rtmp did not listen on \(port): \(process.output)")
        }
    }

    func stop() {
        process?.stop()
        process = nil
    }

    func url(_ name: String) -> String { "rtmp://127.0.0.1:\(port)/live/\(name)" }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 } }
    }

    deinit { stop() }
}
