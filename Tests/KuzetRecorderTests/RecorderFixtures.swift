import Foundation
import KuzetCore
import KuzetMedia
import KuzetRecorder
import KuzetSegmentStore
import KuzetTestKit

/// Small real media made by the real ffmpeg.
enum RecorderFixtures {
    static func clip(in directory: TemporaryDirectory, name: String, seconds: Int, gop: Int = 25, extra: [String] = [])
        throws -> String
    {
        let path = directory.file(name)
        let arguments =
            [
                "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=\(seconds)",
                "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "\(gop)", "-keyint_min", "\(gop)", "-sc_threshold", "0",
                "-bf", "0",
            ] + extra + [path]
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

    /// The segment files of one camera, oldest first (as the store lists them).
    static func segments(root: String, camera: String) -> [String] {
        SegmentStore(root: root).segments(camera: camera).map(\.path)
    }
}

/// Collects segment events (what the retention cleaner would receive).
final class EventLog: SegmentEvents, @unchecked Sendable {
    private let lock = NSLock()
    private var openedFiles: [SegmentFile] = []
    private var closedFiles: [(file: SegmentFile, bytes: Int64, duration: Double)] = []

    func segmentOpened(_ segment: SegmentFile) { lock.withLock { openedFiles.append(segment) } }
    func segmentClosed(_ segment: SegmentFile, bytes: Int64, duration: Double) {
        lock.withLock { closedFiles.append((segment, bytes, duration)) }
    }

    var opened: [SegmentFile] { lock.withLock { openedFiles } }
    var closed: [(file: SegmentFile, bytes: Int64, duration: Double)] { lock.withLock { closedFiles } }
}
