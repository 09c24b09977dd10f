import Foundation
import KuzetCore
import KuzetSegmentStore

/// Real recordings for retention tests, made with the real `ffmpeg` (never by the recorder), and
/// the odd things those tests need: a mounted tmpfs, file times, the built `kuzet-agent`.
public enum RetentionFixtures {
    /// Encodes `seconds` of test pattern as one fragmented MP4 (keyframe every second) and returns its path.
    public static func makeSegment(
        in directory: String, seconds: Int, size: String = "160x120", rate: Int = 10, kbps: Int = 30,
        name: String? = nil
    ) throws -> String {
        let path = (directory as NSString).appendingPathComponent(name ?? "fixture-\(seconds)s-\(size)-\(kbps)k.mp4")
        if FileManager.default.fileExists(atPath: path) { return path }
        let (status, output) = try run(
            "ffmpeg",
            [
                "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=\(size):rate=\(rate)", "-t", "\(seconds)",
                "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "\(kbps)k", "-g", "\(rate)", "-keyint_min",
                "\(rate)", "-sc_threshold", "0",
                "-pix_fmt", "yuv420p", "-movflags", "frag_keyframe+empty_moov+default_base_moof", path,
            ], timeout: 120)
        guard status == 0 else { throw TestKitError("ffmpeg could not make a fixture segment: \(output)") }
        return path
    }

    /// Encodes `count` × `seconds` of continuous footage and cuts it into segment files at keyframes,
    /// each playable alone (as the recorder writes them). Returns the pieces in order.
    public static func makeConsecutiveSegments(
        in directory: String, count: Int, seconds: Int, size: String = "320x240", rate: Int = 25
    ) throws -> [String] {
        let pattern = (directory as NSString).appendingPathComponent("piece-%03d.mp4")
        let (status, output) = try run(
            "ffmpeg",
            [
                "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=\(size):rate=\(rate)", "-t",
                "\(count * seconds)",
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "\(rate)", "-keyint_min", "\(rate)", "-sc_threshold",
                "0", "-pix_fmt", "yuv420p",
                "-f", "segment", "-segment_time", "\(seconds)", "-reset_timestamps", "1", "-segment_format", "mp4",
                "-segment_format_options", "movflags=frag_keyframe+empty_moov+default_base_moof", pattern,
            ], timeout: 300)
        guard status == 0 else { throw TestKitError("ffmpeg could not make segments: \(output)") }
        return (0..<count).map { String(format: (directory as NSString).appendingPathComponent("piece-%03d.mp4"), $0) }
    }

    /// Copies `source` into `root/camera/` under the segment name for `start`, with its modification
    /// time set to `start + seconds` (what the recorder leaves: its last write is the segment's end).
    @discardableResult
    public static func place(
        _ source: String, root: String, camera: String, start: Date, seconds: Double, format: SegmentFormat = .fmp4
    ) throws -> String {
        let path = SegmentStore(root: root).file(camera: camera, name: SegmentName(start: start, format: format)).path
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.copyItem(atPath: source, toPath: path)
        try setModified(path, start.addingTimeInterval(seconds))
        return path
    }

    /// Places `pieces` one after another in `root/camera/` from `start`, each `seconds` long, as the
    /// recorder leaves a stretch of footage. Returns their paths.
    @discardableResult
    public static func placeInSequence(
        _ pieces: [String], root: String, camera: String, from start: Date, seconds: Double
    ) throws -> [String] {
        try pieces.enumerated().map { index, piece in
            try place(
                piece, root: root, camera: camera, start: start.addingTimeInterval(Double(index) * seconds),
                seconds: seconds)
        }
    }

    public static func setModified(_ path: String, _ date: Date) throws {
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
    }

    /// A tmpfs of `bytes` mounted on a new folder (the test runs as root); unmounted by ``Mount/unmount()``.
    public final class Mount: Sendable {
        public let path: String

        public init(bytes: Int64) throws {
            path = (NSTemporaryDirectory() as NSString).appendingPathComponent(
                "kuzet-retention-fs-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let (status, output) = try run("mount", ["-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", path])
            guard status == 0 else {
                try? FileManager.default.removeItem(atPath: path)
                throw TestKitError("cannot mount a tmpfs (the retention tests run as root): \(output)")
            }
        }

        public func unmount() {
            _ = try? run("umount", ["-l", path])
            try? FileManager.default.removeItem(atPath: path)
        }

        deinit { unmount() }
    }

    /// The `kuzet-agent` built next to the test bundle (`swift build --build-tests` builds it).
    public static func agentExecutable() throws -> String { try BuiltExecutable.agent }

    /// Runs a program and returns its exit status, standard output and standard error apart.
    public static func runSeparately(_ executable: String, _ arguments: [String], timeout: Double = 120) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        let outData = Locked(Data())
        let errData = Locked(Data())
        let group = DispatchGroup()
        for (pipe, sink) in [(out, outData), (err, errData)] {
            group.enter()
            Thread.detachNewThread {
                sink.set(pipe.fileHandleForReading.readDataToEndOfFile())
                group.leave()
            }
        }
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw TestKitError("\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        process.waitUntilExit()
        _ = group.wait(timeout: .now() + 5)
        return (
            process.terminationStatus, String(decoding: outData.get(), as: UTF8.self),
            String(decoding: errData.get(), as: UTF8.self)
        )
    }

    final class Locked<Value: Sendable>: @unchecked Sendable {
        // @unchecked: every access goes through `lock`.
        private var value: Value
        private let lock = NSLock()
        init(_ value: Value) { self.value = value }
        func set(_ new: Value) { lock.withLock { value = new } }
        func get() -> Value { lock.withLock { value } }
    }
}
