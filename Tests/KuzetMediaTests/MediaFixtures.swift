import Foundation
import KuzetTestKit

/// Small real media files made by the real ffmpeg, for tests that read or remux files.
enum MediaFixtures {
    /// A clip of `seconds` with a keyframe every `gop` frames at 25 fps; `video` is libx264 or libx265;
    /// `audio` an ffmpeg audio encoder (aac, pcm_mulaw) or nil. The container follows the extension.
    static func clip(
        in directory: TemporaryDirectory, name: String, seconds: Int = 6, gop: Int = 25, video: String = "libx264",
        audio: String? = nil
    ) throws -> String {
        let path = directory.file(name)
        var arguments = ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=\(seconds)"]
        if audio != nil {
            arguments += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000:duration=\(seconds)"]
        }
        arguments += ["-c:v", video, "-pix_fmt", "yuv420p", "-g", "\(gop)", "-keyint_min", "\(gop)", "-bf", "0"]
        if video == "libx265" {
            arguments += ["-x265-params", "log-level=error:keyint=\(gop):min-keyint=\(gop):scenecut=0"]
        } else {
            arguments += ["-sc_threshold", "0"]
        }
        if let audio { arguments += ["-c:a", audio] }
        arguments.append(path)
        let (status, output) = try run("ffmpeg", arguments, timeout: 60)
        guard status == 0 else { throw TestKitError("ffmpeg could not make \(name): \(output)") }
        return path
    }

    /// ffprobe's `codec_tag_string` of the first video stream.
    static func videoTag(of path: String) throws -> String {
        let (_, output) = try run(
            "ffprobe",
            [
                "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_tag_string", "-of", "csv=p=0",
                path,
            ])
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
