import Foundation

/// One packet a client received, as `ffmpeg -f framemd5` lists it (stream copy, nothing decoded).
public struct ReceivedPacket: Sendable {
    /// 0 is the first stream of the session (the video track of a camera), 1 the next.
    public var stream: Int
    /// Presentation time in seconds.
    public var seconds: Double

    /// The packets `url` sends during `seconds` (RTSP over TCP), every stream.
    public static func list(of url: String, seconds: Double) throws -> [ReceivedPacket] {
        let directory = try TemporaryDirectory(prefix: "kuzet-packets")
        let output = directory.file("packets.md5")
        let (status, log) = try run(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-y", "-rtsp_transport", "tcp", "-i", url, "-t", String(seconds),
                "-map", "0", "-c", "copy", "-f", "framemd5", output,
            ], timeout: seconds + 30)
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        var timeBases: [Int: Double] = [:]
        var packets: [ReceivedPacket] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("#tb ") { // "#tb 0: 1/90000"
                let parts = line.dropFirst(4).split(separator: ":")
                let fraction = parts.last?.trimmingCharacters(in: .whitespaces).split(separator: "/") ?? []
                if let stream = Int(parts[0]), fraction.count == 2, let numerator = Double(fraction[0]),
                    let denominator = Double(fraction[1]), denominator > 0
                {
                    timeBases[stream] = numerator / denominator
                }
                continue
            }
            if line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 3, let stream = Int(fields[0]), let pts = Double(fields[2]),
                let base = timeBases[stream]
            else { continue }
            packets.append(ReceivedPacket(stream: stream, seconds: pts * base))
        }
        guard !packets.isEmpty else {
            throw TestKitError("ffmpeg received no packets from \(url) (\(status)): \(log.prefix(500))")
        }
        return packets
    }
}
