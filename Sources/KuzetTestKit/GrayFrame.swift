import Foundation

/// One decoded picture as 8-bit luma, taken by the real `ffmpeg` (tests of what a camera shows).
///
/// The statistics are the test's own yardstick, deliberately simple: ``mean`` brightness,
/// ``spread`` (standard deviation: flat pictures are low), ``sharpness`` (mean absolute
/// difference of horizontal and vertical neighbours: blurred pictures are low) and
/// ``difference(_:)`` (mean absolute difference of two pictures).
public struct GrayFrame: Sendable {
    public let width: Int
    public let height: Int
    public let pixels: [UInt8]

    public var mean: Double { Double(pixels.reduce(0) { $0 + Int($1) }) / Double(pixels.count) }

    public var spread: Double {
        let mean = self.mean
        let sum = pixels.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) }
        return (sum / Double(pixels.count)).squareRoot()
    }

    public var sharpness: Double {
        var total = 0
        for y in 0..<(height - 1) {
            for x in 0..<(width - 1) {
                let here = Int(pixels[y * width + x])
                total += abs(here - Int(pixels[y * width + x + 1])) + abs(here - Int(pixels[(y + 1) * width + x]))
            }
        }
        return Double(total) / Double(2 * (width - 1) * (height - 1))
    }

    public func difference(_ other: GrayFrame) -> Double {
        precondition(other.pixels.count == pixels.count, "pictures of different sizes")
        var total = 0
        for index in pixels.indices { total += abs(Int(pixels[index]) - Int(other.pixels[index])) }
        return Double(total) / Double(pixels.count)
    }

    /// The keyframes `url` (RTSP over TCP, or a file) sends during `seconds`, decoded and scaled to
    /// `width`×`height` luma. Only keyframes are decoded (like the agent's sampler).
    public static func keyframes(
        of url: String, seconds: Double, width: Int = 160, height: Int = 90, timeout: Double? = nil
    ) throws -> [GrayFrame] {
        let directory = try TemporaryDirectory(prefix: "kuzet-frames")
        let output = directory.file("frames.gray")
        var arguments = ["-hide_banner", "-loglevel", "error", "-y", "-skip_frame", "nokey"]
        if url.hasPrefix("rtsp://") { arguments += ["-rtsp_transport", "tcp"] }
        arguments += [
            "-i", url, "-t", String(seconds), "-map", "0:v:0", "-vsync", "passthrough", "-vf",
            "scale=\(width):\(height),format=gray", "-f", "rawvideo", output,
        ]
        let (status, log) = try run("ffmpeg", arguments, timeout: timeout ?? seconds + 30)
        let data = (try? Data(contentsOf: URL(fileURLWithPath: output))) ?? Data()
        guard status == 0 || !data.isEmpty else {
            throw TestKitError("ffmpeg could not take frames of \(url) (\(status)): \(log.prefix(500))")
        }
        let size = width * height
        return stride(from: 0, to: data.count - size + 1, by: size).map {
            GrayFrame(width: width, height: height, pixels: [UInt8](data[$0..<($0 + size)]))
        }
    }
}
