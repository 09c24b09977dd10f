import Foundation

/// What `ffprobe` (the real one) says about a media file or URL.
public struct ProbeResult: Sendable {
    public struct Stream: Sendable {
        public var codecType: String
        public var codecName: String
        public var width: Int?
        public var height: Int?
    }
    public var formatName: String
    public var duration: Double?
    public var streams: [Stream]

    public var video: Stream? { streams.first { $0.codecType == "video" } }
}

public enum FFprobe {
    /// Probes `target` (a path or URL); throws with ffprobe's own message when it cannot read it.
    /// - Parameter namespace: a network namespace to run ffprobe in (`ip netns exec`), e.g. a ``NATLab``'s.
    public static func probe(
        _ target: String, timeout: Double = 20, countFrames: Bool = false, namespace: String? = nil
    ) throws -> ProbeResult {
        var arguments = ["-v", "error", "-print_format", "json", "-show_format", "-show_streams"]
        if target.hasPrefix("rtsp://") { arguments += ["-rtsp_transport", "tcp"] }
        if countFrames { arguments += ["-count_frames"] }
        let (status, output) =
            try namespace.map {
                try run("/usr/sbin/ip", ["netns", "exec", $0, "ffprobe"] + arguments + [target], timeout: timeout)
            }
            ?? run("ffprobe", arguments + [target], timeout: timeout)
        guard status == 0, let start = output.firstIndex(of: "{"),
            let json = try? JSONSerialization.jsonObject(with: Data(output[start...].utf8)) as? [String: Any]
        else { throw TestKitError("ffprobe \(target) failed (\(status)): \(output.prefix(500))") }
        let format = json["format"] as? [String: Any] ?? [:]
        let streams = (json["streams"] as? [[String: Any]] ?? []).map {
            ProbeResult.Stream(
                codecType: $0["codec_type"] as? String ?? "", codecName: $0["codec_name"] as? String ?? "",
                width: $0["width"] as? Int, height: $0["height"] as? Int)
        }
        return ProbeResult(
            formatName: format["format_name"] as? String ?? "",
            duration: (format["duration"] as? String).flatMap(Double.init), streams: streams)
    }

    /// Decodes the whole file and fails if ffmpeg reports any error (a stricter check than probing).
    public static func decodesCleanly(_ path: String, timeout: Double = 60) throws -> Bool {
        try decodingProblems(path, timeout: timeout).isEmpty
    }

    /// What ffmpeg complained about while decoding the whole file ("" when it decoded cleanly).
    public static func decodingProblems(_ path: String, timeout: Double = 60) throws -> String {
        let (status, output) = try run("ffmpeg", ["-v", "error", "-i", path, "-f", "null", "-"], timeout: timeout)
        let problems = output.trimmingCharacters(in: .whitespacesAndNewlines)
        if status != 0 && problems.isEmpty { return "ffmpeg exited \(status)" }
        return String(problems.prefix(2000))
    }
}
