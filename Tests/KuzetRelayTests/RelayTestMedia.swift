import Foundation
import KuzetTestKit

/// Real H.264 made by the real ffmpeg, for feeding a fan-out as a camera would.
enum RelayTestMedia {
    /// A `seconds`-long MPEG-TS of 25 fps H.264 (one keyframe a second, no B-frames — as cameras
    /// send), or with AAC audio a Matroska file (which keeps AAC's config, as an RTSP camera's SDP does).
    static func make(in directory: TemporaryDirectory, seconds: Int = 4, size: String = "640x360", bitrate: String = "1M", audio: Bool = false) throws -> String {
        let path = directory.file("camera-\(size)-\(bitrate)" + (audio ? "-av.mkv" : ".ts"))
        var arguments = ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=25"]
        if audio { arguments += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"] }
        arguments += [
            "-t", "\(seconds)", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-bf", "0",
            "-pix_fmt", "yuv420p", "-b:v", bitrate, "-maxrate", bitrate, "-bufsize", bitrate,
        ]
        if audio { arguments += ["-c:a", "aac", "-b:a", "64k"] }
        let (status, output) = try run("ffmpeg", arguments + [path], timeout: 120)
        guard status == 0 else { throw TestKitError("ffmpeg could not make test media: \(output)") }
        return path
    }
}
