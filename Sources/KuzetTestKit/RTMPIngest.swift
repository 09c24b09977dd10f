import Foundation

/// A real RTMP ingest for push tests: nginx with Debian's RTMP module (`libnginx-mod-rtmp`) in a
/// temporary prefix, listening on 127.0.0.1 with one `live` application (recording off) and an
/// HTTP stat page.
///
/// ```swift
/// let ingest = try RTMPIngest()
/// // agent config: centre.push = ingest.pushURLTemplate  ("rtmp://127.0.0.1:PORT/live/{camera}")
/// #expect(eventually(timeout: 15) { ingest.isPublishing("entrance") })
/// let probe = try ingest.probe("entrance")          // ffprobe on rtmp://127.0.0.1:PORT/live/entrance
/// ingest.stop(); sleep(60); try ingest.restart()    // "the ingest is down for 60 s", same port
/// ```
///
/// nginx runs with `master_process off` (one process), so stopping it (or the value going away)
/// leaves nothing behind.
public final class RTMPIngest: @unchecked Sendable {
    // @unchecked: `process` is guarded by `lock`; everything else is immutable.

    /// RTMP port (1935 in production).
    public let port: Int
    /// Port of the HTTP stat page (`/stat`, nginx-rtmp's XML).
    public let statPort: Int
    public let application: String
    /// The address nginx listens on (127.0.0.1 unless started in a namespace).
    public let address: String
    /// The network namespace nginx runs in (`nil`: the test's own).
    public let namespace: String?
    private let directory: TemporaryDirectory
    private let lock = NSLock()
    private var process: ExternalProcess?

    /// Starts nginx and waits until it accepts connections.
    /// - Parameters:
    ///   - namespace: a network namespace to run in (e.g. a ``NATLab``'s centre); publishers and
    ///     players are then allowed from any address, since they arrive from outside it.
    ///   - address: the address to listen on there.
    public init(
        port: Int = freeLoopbackPort(), statPort: Int = freeLoopbackPort(), application: String = "live",
        namespace: String? = nil, address: String = "127.0.0.1"
    ) throws {
        self.port = port
        self.namespace = namespace
        self.address = address
        self.statPort = statPort
        self.application = application
        self.directory = try TemporaryDirectory(prefix: "kuzet-rtmp")
        try FileManager.default.createDirectory(atPath: directory.file("logs"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory.file("temp"), withIntermediateDirectories: true)
        try configuration().write(toFile: directory.file("nginx.conf"), atomically: true, encoding: .utf8)
        try start()
    }

    deinit { stop() }

    /// `rtmp://127.0.0.1:PORT/live/<name>` — where a stream called `name` is published and played.
    public func url(_ name: String) -> String { "rtmp://\(address):\(port)/\(application)/\(name)" }

    /// A `centre.push` value for the agent's configuration: `rtmp://127.0.0.1:PORT/live/{camera}`.
    public var pushURLTemplate: String { url("{camera}") }

    /// ffprobe on the published stream `name` (throws with ffprobe's message when nothing is there).
    public func probe(_ name: String, timeout: Double = 20, countFrames: Bool = false) throws -> ProbeResult {
        try FFprobe.probe(url(name), timeout: timeout, countFrames: countFrames, namespace: namespace)
    }

    /// Names of the streams being published now, from nginx-rtmp's stat page.
    public func publishingStreams() throws -> [String] {
        try streams().filter(\.publishing).map(\.name)
    }

    /// Whether a stream called `name` is being published now (false while nginx is down).
    public func isPublishing(_ name: String) -> Bool {
        (try? publishingStreams().contains(name)) ?? false
    }

    /// One stream on the stat page: its name, whether someone publishes it, how many connections
    /// (publisher + players) it has, and the bytes received so far.
    public struct StreamStat: Sendable {
        public var name: String
        public var publishing: Bool
        public var clients: Int
        public var bytesIn: Int
    }

    /// Every stream of the `live` application on the stat page.
    public func streams() throws -> [StreamStat] {
        let (executable, arguments) = inNamespace([
            "curl", "-sS", "--max-time", "5", "http://\(address):\(statPort)/stat",
        ])
        let (status, xml) = try run(executable, arguments, timeout: 10)
        guard status == 0 else { throw TestKitError("nginx-rtmp stat page on port \(statPort): \(xml)") }
        return xml.components(separatedBy: "<stream>").dropFirst().map { block in
            func value(_ tag: String) -> String {
                guard let start = block.range(of: "<\(tag)>"),
                    let end = block.range(of: "</\(tag)>", range: start.upperBound..<block.endIndex)
                else { return "" }
                return String(block[start.upperBound..<end.lowerBound])
            }
            return StreamStat(
                name: value("name"), publishing: block.contains("<publishing/>"), clients: Int(value("nclients")) ?? 0,
                bytesIn: Int(value("bytes_in")) ?? 0)
        }
    }

    public var isRunning: Bool { lock.withLock { process?.isRunning ?? false } }
    public var pid: Int32? { lock.withLock { process?.isRunning == true ? process?.pid : nil } }

    /// nginx's error log (connections, publish/play events at `info`).
    public var log: String { (try? String(contentsOfFile: directory.file("logs/error.log"), encoding: .utf8)) ?? "" }

    /// Stops nginx (SIGTERM, SIGKILL after 5 s); publishers see their connection drop.
    public func stop() {
        let running = lock.withLock { () -> ExternalProcess? in
            defer { process = nil }
            return process
        }
        running?.stop()
    }

    /// Starts nginx again on the same ports.
    public func restart() throws {
        stop()
        try start()
    }

    private func start() throws {
        var lastOutput = ""
        for _ in 0..<5 {
            let (executable, arguments) = inNamespace([
                "/usr/sbin/nginx", "-p", directory.path + "/", "-c", directory.file("nginx.conf"),
            ])
            let started = try ExternalProcess(
                executable, arguments, name: "nginx-rtmp", logDirectory: directory.path)
            let listening = eventually(timeout: 15) {
                !started.isRunning || (accepts(port: port) && accepts(port: statPort))
            }
            if listening && started.isRunning {
                lock.withLock { process = started }
                return
            }
            lastOutput = started.output + log.suffix(500)
            started.stop(signal: SIGKILL)
            usleep(300_000) // the port of the previous run may still be held for a moment
        }
        throw TestKitError(
            "nginx-rtmp did not start on 127.0.0.1:\(port): \(lastOutput.suffix(1500)) (run scripts/install-deps.sh: nginx, libnginx-mod-rtmp)"
        )
    }

    private func configuration() throws -> String {
        let candidates = ["/usr/lib/nginx/modules/ngx_rtmp_module.so", "/usr/share/nginx/modules/ngx_rtmp_module.so"]
        guard let module = candidates.first(where: FileManager.default.fileExists(atPath:)) else {
            throw TestKitError("the nginx RTMP module is not installed (apt-get install libnginx-mod-rtmp)")
        }
        let temp = directory.file("temp")
        return """
            load_module \(module);
            daemon off;
            master_process off;
            error_log \(directory.file("logs/error.log")) info;
            pid \(directory.file("nginx.pid"));
            events { worker_connections 1024; }
            rtmp {
                server {
                    listen \(address):\(port);
                    chunk_size 4096;
                    ping 10s;
                    drop_idle_publisher 15s;
                    application \(application) {
                        live on;
                        record off;
                        allow play \(namespace == nil ? "127.0.0.1" : "all");
                        allow publish \(namespace == nil ? "127.0.0.1" : "all");
                    }
                }
            }
            http {
                access_log off;
                client_body_temp_path \(temp)/body;
                proxy_temp_path \(temp)/proxy;
                fastcgi_temp_path \(temp)/fastcgi;
                uwsgi_temp_path \(temp)/uwsgi;
                scgi_temp_path \(temp)/scgi;
                server {
                    listen \(address):\(statPort);
                    location /stat { rtmp_stat all; }
                }
            }

            """
    }

    /// `ip netns exec <namespace> command…`, or the command alone without a namespace.
    private func inNamespace(_ command: [String]) -> (executable: String, arguments: [String]) {
        guard let namespace else { return (command[0], Array(command.dropFirst())) }
        return ("/usr/sbin/ip", ["netns", "exec", namespace] + command)
    }

    /// Whether nginx accepts a TCP connection on `port` (inside its namespace when it has one).
    private func accepts(port: Int) -> Bool {
        guard let namespace else { return Self.accepts(port: port) }
        let probe = "exec 3<>/dev/tcp/\(address)/\(port)"
        let result = try? run(
            "/usr/sbin/ip", ["netns", "exec", namespace, "timeout", "-s", "KILL", "2", "bash", "-c", probe], timeout: 8)
        return result?.status == 0
    }

    /// Whether something accepts a TCP connection on 127.0.0.1:`port`.
    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
