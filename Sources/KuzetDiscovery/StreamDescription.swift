import Foundation
import KuzetWire

/// The parts of an SDP (RFC 8866) that tell what a camera streams: codec, resolution, frame rate.
/// Read from KuzetWire's ``KuzetWire/SessionDescription`` (the one SDP parser).
public struct StreamDescription: Sendable, Equatable {
    public struct Media: Sendable, Equatable, Codable {
        /// `video`, `audio`, `application`…
        public var kind: String
        /// From `a=rtpmap` (`H264`, `H265`, `JPEG`, `PCMA`…), or the static payload type's name.
        public var codec: String?
        public var width: Int?
        public var height: Int?
        public var frameRate: Double?
    }

    public var media: [Media]

    public var video: Media? { media.first { $0.kind == "video" } }

    /// nil when `text` is not an SDP (no `v=` and no media) or goes over KuzetWire's SDP limits.
    public init?(text: String) {
        guard let parsed = try? SessionDescription(parsing: text) else { return nil }
        var media: [Media] = []
        for section in parsed.media {
            let payloadTypes = section.formats
            var entry = Media(kind: section.kind)
            if payloadTypes.first == "26" { entry.codec = "JPEG" }
            media.append(entry)
            let index = media.count - 1
            for line in section.lines.dropFirst() {
                Self.read(line, payloadTypes: payloadTypes, into: &media[index])
            }
        }
        guard text.hasPrefix("v=") || !media.isEmpty else { return nil }
        self.media = media
    }

    /// One attribute line of a media section.
    static func read(_ line: String, payloadTypes: [String], into media: inout Media) {
        if line.hasPrefix("a=rtpmap:") {
            let value = line.dropFirst("a=rtpmap:".count).split(separator: " ", maxSplits: 1)
            if value.count == 2, String(value[0]) == (payloadTypes.first ?? String(value[0])) {
                media.codec = value[1].split(separator: "/").first.map { $0.uppercased() }
            }
        } else if line.hasPrefix("a=fmtp:") {
            let parameters = Self.parameters(String(line.drop(while: { $0 != " " }).dropFirst()))
            if let sets = parameters["sprop-parameter-sets"], let first = sets.split(separator: ",").first,
                let sps = Data(base64Encoded: Self.padded(String(first))),
                let parsed = H264SequenceParameterSet(nal: Array(sps))
            {
                media.width = parsed.width
                media.height = parsed.height
                if media.frameRate == nil { media.frameRate = parsed.frameRate }
            }
        } else if line.hasPrefix("a=framerate:") {
            media.frameRate = Double(line.dropFirst("a=framerate:".count).trimmingCharacters(in: .whitespaces))
        } else if line.hasPrefix("a=x-framerate:") {
            media.frameRate = Double(line.dropFirst("a=x-framerate:".count).trimmingCharacters(in: .whitespaces))
        } else if line.hasPrefix("a=x-dimensions:") {
            let size = line.dropFirst("a=x-dimensions:".count).split(separator: ",").compactMap {
                Int($0.trimmingCharacters(in: .whitespaces))
            }
            if size.count == 2, media.width == nil {
                media.width = size[0]
                media.height = size[1]
            }
        }
    }

    static func parameters(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            result[parts[0].trimmingCharacters(in: .whitespaces).lowercased()] = parts[1].trimmingCharacters(
                in: .whitespaces)
        }
        return result
    }

    static func padded(_ base64: String) -> String {
        base64 + String(repeating: "=", count: (4 - base64.count % 4) % 4)
    }
}
