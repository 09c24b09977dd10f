import Foundation
import KuzetCore
import KuzetMedia
import KuzetRecorder
import KuzetTestKit

/// Small real media made by the real ffmpeg.
enum RecorderFixtures {
    static func clip(in directory: TemporaryDirectory, name: String, seconds: Int, gop: Int = 25, extra: [String] = []) throws -> String {
        let path = directory.file(name)
        let arguments = ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=\(seconds)",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "\(gop)", "-keyint_min", "\(gop)", "-sc_threshold", "0", "-bf", "0"] + extra + [path]
        let (status, output) = try run("ffmpeg", arguments, timeout: 60)
        guard status == 0 else { throw TestKitError("ffmpeg could not make \(name): \(output)") }
        return path
    }

    /// Publishes every packet of a file into `fanout`, as an upstream would (no pacing).
    static func publish(_ path: String, into fanout: PacketFanout, end: Bool = true) throws {
        let input = try MediaInput(opening: path, interrupt: MediaInterrupt())
        fanout.publishStream(input.stream)
        while let packet = try input.read() { fanout.publish(packet) }
        if end { fanout.publishEnd() }
    }

    /// The segment files of one camera, oldest first (only names `SegmentName` parses).
    static func segments(root: String, camera: String) -> [String] {
        let folder = (root as NSString).appendingPathComponent(camera)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.compactMap(SegmentName.init(fileName:)).sorted().map { $0.path(root: root, camera: camera) }
    }
}

/// Collects segment events (what the retention cleaner would receive).
final class EventLog: SegmentEvents, @unchecked Sendable {
    private let lock = NSLock()
    private var openedPaths: [String] = []
    private var closedPaths: [(path: String, bytes: Int, duration: Double)] = []

    func segmentOpened(camera: String, path: String) { lock.withLock { openedPaths.append(path) } }
    func segmentClosed(camera: String, path: String, bytes: Int, duration: Double) { lock.withLock { closedPaths.append((path, bytes, duration)) } }

    var opened: [String] { lock.withLock { openedPaths } }
    var closed: [(path: String, bytes: Int, duration: Double)] { lock.withLock { closedPaths } }
}
