import Foundation
import KuzetTestKit

/// The real players the ЦОУ uses, recording what they pull from the relay into files that
/// ffprobe then counts.
enum RelayClients {
    static func ffmpeg(url: String, transport: String, seconds: Int, output: String) throws -> ExternalProcess {
        try ExternalProcess(
            "ffmpeg",
            [
                "-v", "error", "-y", "-rtsp_transport", transport, "-i", url, "-t", "\(seconds)", "-c", "copy", "-f",
                "mpegts", output,
            ],
            name: "ffmpeg-client")
    }

    /// GStreamer's rtspsrc over TCP; stopped with SIGINT so `-e` finishes the file.
    static func gstreamer(url: String, user: String? = nil, password: String? = nil, output: String) throws
        -> ExternalProcess
    {
        let credentials = user.map { ["user-id=\($0)", "user-pw=\(password ?? "")"] } ?? []
        return try ExternalProcess(
            "gst-launch-1.0",
            ["-e", "rtspsrc", "location=\(url)"] + credentials + [
                "protocols=tcp", "latency=200", "!",
                "rtph264depay", "!", "h264parse", "!", "mpegtsmux", "!", "filesink", "location=\(output)",
            ], name: "gst-client")
    }

    /// VLC refuses to run as root, so it runs as `nobody` (the output folder must be writable).
    static func vlc(url: String, seconds: Int, output: String) throws -> ExternalProcess {
        try ExternalProcess(
            "/usr/sbin/runuser",
            [
                "-u", "nobody", "--", "cvlc", "--intf", "dummy", "--no-audio", url,
                "--sout", "#std{access=file,mux=ts,dst=\(output)}", "--run-time=\(seconds)", "vlc://quit",
            ], name: "vlc-client", environment: ["HOME": "/tmp"])
    }

    /// Video frames ffprobe decodes from a recorded file.
    static func decodedFrames(_ path: String) throws -> Int {
        try decode(path).frames
    }

    /// Decodes every video frame with ffprobe: how many, and what the decoder complained about
    /// (ffprobe does not mux, so players' own timestamp quirks in their files are not counted).
    static func decode(_ path: String) throws -> (frames: Int, errors: [String]) {
        let (status, output) = try run(
            "ffprobe",
            [
                "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries", "stream=nb_read_frames",
                "-of", "csv=p=0", path,
            ],
            timeout: 60)
        let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard status == 0, let frames = lines.compactMap({ Int($0) }).first else {
            throw TestKitError("ffprobe cannot count frames of \(path): \(output)")
        }
        return (frames, lines.filter { Int($0) == nil })
    }
}
