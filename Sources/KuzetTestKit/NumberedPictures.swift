import Foundation
import KuzetSegmentStore

/// Gaps in a recording measured by MEDIA time (issue 26): the camera serves a clip whose pictures
/// each carry a number (``MediaSigningSEI``), so the recorded segments, read in the order they were
/// written, must show the numbers running on. Names and `Date`s cannot tell a gap when the wall
/// clock is stepped; the pictures can.
///
/// ```swift
/// let files = try RecordingChecks.segmentsInWrittenOrder(root: root, camera: "cam1")
/// let numbers = try NumberedPictures.numbers(in: files, codec: .h264, scratch: directory.path)
/// let hole = NumberedPictures.largestHole(numbers, modulo: clip.units.count)   // pictures missing
/// ```
public enum NumberedPictures {
    /// A raw clip of `seconds` at `fps` (H.264, one slice per picture, a keyframe every second,
    /// no B-frames) with a numbered signing SEI before every picture, written to `path`.
    public static func clip(seconds: Int, fps: Int = 25, size: String = "320x180", at path: String) throws
        -> MediaSigningSEI.Signed
    {
        let plain = path + ".plain.h264"
        let (status, output) = try run(
            "/usr/bin/ffmpeg",
            [
                "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=\(fps)", "-frames:v",
                String(seconds * fps), "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "veryfast", "-bf", "0",
                "-g", String(fps), "-keyint_min", String(fps), "-sc_threshold", "0", "-x264-params",
                "repeat-headers=1", "-f", "h264", plain,
            ], timeout: 120)
        guard status == 0 else { throw TestKitError("ffmpeg could not make the numbered clip: \(output)") }
        let signed = try MediaSigningSEI.signing(
            clip: Array(try Data(contentsOf: URL(fileURLWithPath: plain))), codec: .h264)
        try Data(signed.clip).write(to: URL(fileURLWithPath: path))
        return signed
    }

    /// The picture numbers found in `files`, in order (each read with the real ffmpeg, `-c copy`).
    public static func numbers(in files: [String], codec: CameraMount.Codec, scratch: String) throws -> [Int] {
        var numbers: [Int] = []
        let stream = (scratch as NSString).appendingPathComponent("numbered-pictures.es")
        for file in files {
            let (status, text) = try run(
                "/usr/bin/ffmpeg",
                [
                    "-v", "error", "-y", "-i", file, "-map", "0:v:0", "-c", "copy", "-bsf:v",
                    codec == .h264 ? "h264_mp4toannexb" : "hevc_mp4toannexb", "-f", codec == .h264 ? "h264" : "hevc",
                    stream,
                ], timeout: 60)
            guard status == 0 else { throw TestKitError("ffmpeg could not read \(file): \(text)") }
            let units = MediaSigningSEI.units(
                inAnnexB: Array(try Data(contentsOf: URL(fileURLWithPath: stream))), codec: codec)
            numbers += units.compactMap { MediaSigningSEI.number(of: $0, codec: codec) }
        }
        return numbers
    }

    /// The most pictures missing between two consecutive numbers (the clip loops: numbers wrap
    /// modulo `count`, so a hole of a whole loop or more cannot be seen here — compare durations too).
    /// A number repeated or going back counts as the loop's length less one: it is not "no hole".
    public static func largestHole(_ numbers: [Int], modulo count: Int) -> Int {
        zip(numbers, numbers.dropFirst()).map { previous, next in
            ((next - previous - 1) % count + count) % count
        }.max() ?? 0
    }
}

extension RecordingChecks {
    /// A camera's segment files in the order they were written: by modification time (the
    /// kernel's real time, whatever the writer's wall clock said), then name. The segment store's
    /// order is by name, i.e. by the writer's wall clock, which a step reorders.
    public static func segmentsInWrittenOrder(root: String, camera: String) throws -> [String] {
        let stamped = try SegmentStore(root: root).segments(camera: camera).map {
            file -> (path: String, modified: Date) in
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            guard let modified = attributes[.modificationDate] as? Date else {
                throw TestKitError("\(file.path) has no modification time")
            }
            return (file.path, modified)
        }
        return stamped.sorted { ($0.modified, $0.path) < ($1.modified, $1.path) }.map(\.path)
    }
}
