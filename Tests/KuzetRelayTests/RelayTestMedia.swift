import Foundation
import KuzetTestKit

/// Real H.264 made by the real ffmpeg, for feeding a fan-out as a camera would.
enum RelayTestMedia {
    /// A `seconds`-long MPEG-TS of 25 fps H.264 (one keyframe a second, no B-frames — as cameras
    /// send), or with AAC audio a Matroska file (which keeps AAC's config, as an RTSP camera's SDP does).
    /// Files are made once per process and shared by the tests (encoding is the slow part).
    static func make(
        in directory: TemporaryDirectory, seconds: Int = 4, size: String = "640x360", bitrate: String = "1M",
        audio: Bool = false
    ) throws -> String {
        try lock.withLock {
            let path = shared.file("camera-\(seconds)s-\(size)-\(bitrate)" + (audio ? "-av.mkv" : ".ts"))
            if FileManager.default.fileExists(atPath: path) { return path }
            let partial = path.replacingOccurrences(of: "camera-", with: "partial-")
            try encode(to: partial, seconds: seconds, size: size, bitrate: bitrate, audio: audio)
            try FileManager.default.moveItem(atPath: partial, toPath: path)
            return path
        }
    }

    static let lock = NSLock()
    static let shared = try! TemporaryDirectory(prefix: "kuzet-relay-media")

    static func encode(to path: String, seconds: Int, size: String, bitrate: String, audio: Bool) throws {
        var arguments = ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=25"]
        if audio { arguments += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"] }
        arguments += [
            "-t", "\(seconds)", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-bf",
            "0",
            "-pix_fmt", "yuv420p", "-b:v", bitrate, "-maxrate", bitrate, "-bufsize", bitrate,
        ]
        if audio { arguments += ["-c:a", "aac", "-b:a", "64k"] }
        let (status, output) = try run("ffmpeg", arguments + [path], timeout: 120)
        guard status == 0 else { throw TestKitError("ffmpeg could not make test media: \(output)") }
    }
}
