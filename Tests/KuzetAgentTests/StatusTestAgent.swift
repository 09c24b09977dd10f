import Foundation
import KuzetAgent
import KuzetConfiguration
import KuzetCore
import KuzetMedia
import KuzetSegmentStore
import KuzetTestKit
import Prometheus

/// A status service on a free loopback port, over one real camera stream (real H.264 through a
/// fan-out) and one camera that is down — with camera passwords in the configuration that must
/// never come out.
final class StatusTestAgent: @unchecked Sendable {
    static let cameraPassword = "cam-secret-42"

    struct Source: StatusSource {
        let builder: StatusReportBuilder
        let fanout: PacketFanout
        func statusReport() async -> StatusReport {
            builder.report(cameras: [
                "entrance": StatusCameraFacts(
                    upstream: fanout.stream == nil ? .connecting : .live,
                    video: fanout.stream?.video.map {
                        .init(
                            codec: $0.codecName, width: $0.width, height: $0.height, framesPerSecond: $0.framesPerSecond
                        )
                    },
                    lastPacketAt: Date(),
                    bitrateKbps: 1000, recording: "recording", push: "off"),
                "yard": StatusCameraFacts(
                    upstream: .offline, lastPacketAt: Date().addingTimeInterval(-95),
                    lastError: "RTSP 401 at rtsp://admin:\(StatusTestAgent.cameraPassword)@10.0.0.9/ch1"),
            ])
        }
        func snapshotFanout(camera: String) -> PacketFanout? { camera == "entrance" ? fanout : nil }
    }

    let directory: TemporaryDirectory
    let fanout = PacketFanout()
    let source: RTPPacedSource
    let snapshots = StatusSnapshots()
    let port: Int
    private let task: Task<Void, any Error>

    init(password: String? = nil) async throws {
        directory = try TemporaryDirectory(prefix: "kuzet-status")
        let media = try await offPool { try Self.sharedMedia() }
        source = RTPPacedSource(url: media, fanout: fanout)
        let source = source
        try await offPool { try source.start() }
        let storage = directory.file("recordings")
        try FileManager.default.createDirectory(atPath: storage + "/entrance", withIntermediateDirectories: true)
        let start = Date().addingTimeInterval(-3 * 86_400)
        _ = FileManager.default.createFile(
            atPath: SegmentName(start: start, format: .fmp4).path(root: storage, camera: "entrance"),
            contents: Data([0]))
        let configuration = AgentConfiguration(
            school: .init(id: "KZ-AST-0042", name: "School No. 42", region: "Astana"), storage: .init(root: storage),
            cameras: [
                .init(id: "entrance", url: "rtsp://10.0.0.5/ch1", username: "admin", password: Self.cameraPassword),
                .init(id: "yard", url: "rtsp://10.0.0.9/ch1", username: "admin", password: Self.cameraPassword),
            ])
        port = freeLoopbackPort()
        let listening = Flag()
        let service = try StatusService(
            configuration: .init(listen: ListenAddress(host: "127.0.0.1", port: port), password: password),
            source: Source(builder: StatusReportBuilder(configuration: configuration), fanout: fanout),
            metrics: PrometheusCollectorRegistry(),
            snapshots: snapshots, onListening: { _ in listening.set() })
        task = Task { try await service.run() }
        guard await waitUntil(timeout: 30, { listening.isSet }),
            await waitUntil(timeout: 15, { self.fanout.stream != nil })
        else {
            stop()
            throw TestKitError("status service did not start")
        }
    }

    /// One 4 s 720p H.264 file for every test of the process (encoding is the slow part).
    static func sharedMedia() throws -> String {
        try mediaLock.withLock {
            let path = mediaDirectory.file("camera-720p.ts")
            if FileManager.default.fileExists(atPath: path) { return path }
            let (status, output) = try run(
                "ffmpeg",
                [
                    "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-t", "4", "-c:v",
                    "libx264", "-preset", "ultrafast", "-g", "25", "-bf", "0", "-pix_fmt", "yuv420p", path + ".part.ts",
                ],
                timeout: 120)
            guard status == 0 else { throw TestKitError("ffmpeg: \(output)") }
            try FileManager.default.moveItem(atPath: path + ".part.ts", toPath: path)
            return path
        }
    }
    static let mediaLock = NSLock()
    static let mediaDirectory = try! TemporaryDirectory(prefix: "kuzet-status-media")

    func stop() {
        task.cancel()
        source.stop()
    }

    deinit { stop() }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// GET over a real socket with the real curl; returns status and body.
    @discardableResult
    static func get(port: Int, path: String, password: String? = nil, output: String? = nil) throws -> (
        status: Int, body: String
    ) {
        try curlGet(port: port, path: path, password: password, output: output)
    }

    func get(_ path: String, password: String? = nil, output: String? = nil) throws -> (status: Int, body: String) {
        try Self.get(port: port, path: path, password: password, output: output)
    }
}

/// Polls without blocking a thread of Swift's small cooperative pool, where the server under
/// test runs too.
func waitUntil(timeout: Double, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return condition()
}

/// A one-way flag set from another thread.
final class Flag: @unchecked Sendable {
    // @unchecked Sendable: guarded by `lock`.
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
