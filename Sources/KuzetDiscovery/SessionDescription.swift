import Foundation

/// The parts of an SDP (RFC 8866) that tell what a camera streams: codec, resolution, frame rate.
public struct SessionDescription: Sendable, Equatable {
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

    public init?(text: String) {
        var media: [Media] = []
        var payloadTypes: [String] = []
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = String(rawLine)
            if line.hasPrefix("m=") {
                let parts = line.dropFirst(2).split(separator: " ")
                payloadTypes = parts.count > 3 ? parts[3...].map(String.init) : []
                var entry = Media(kind: parts.first.map(String.init) ?? "")
                if payloadTypes.first == "26" { entry.codec = "JPEG" }
                media.append(entry)
                continue
            }
            guard !media.isEmpty else { continue }
            let index = media.count - 1
            if line.hasPrefix("a=rtpmap:") {
                let value = line.dropFirst("a=rtpmap:".count).split(separator: " ", maxSplits: 1)
                if value.count == 2, String(value[0]) == (payloadTypes.first ?? String(value[0])) {
                    media[index].codec = value[1].split(separator: "/").first.map { $0.uppercased() }
                }
            } else if line.hasPrefix("a=fmtp:") {
                let parameters = Self.parameters(String(line.drop(while: { $0 != " " }).dropFirst()))
                if let sets = parameters["sprop-parameter-sets"], let first = sets.split(separator: ",").first,
                    let sps = Data(base64Encoded: Self.padded(String(first))), let parsed = H264SequenceParameterSet(nal: Array(sps))
                {
                    media[index].width = parsed.width
                    media[index].height = parsed.height
                    if media[index].frameRate == nil { media[index].frameRate = parsed.frameRate }
                }
            } else if line.hasPrefix("a=framerate:") {
                media[index].frameRate = Double(line.dropFirst("a=framerate:".count).trimmingCharacters(in: .whitespaces))
            } else if line.hasPrefix("a=x-framerate:") {
                media[index].frameRate = Double(line.dropFirst("a=x-framerate:".count).trimmingCharacters(in: .whitespaces))
            } else if line.hasPrefix("a=x-dimensions:") {
                let size = line.dropFirst("a=x-dimensions:".count).split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                if size.count == 2, media[index].width == nil {
                    media[index].width = size[0]
                    media[index].height = size[1]
                }
            }
        }
        guard text.hasPrefix("v=") || !media.isEmpty else { return nil }
        self.media = media
    }

    static func parameters(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            result[parts[0].trimmingCharacters(in: .whitespaces).lowercased()] = parts[1].trimmingCharacters(in: .whitespaces)
        }
        return result
    }

    static func padded(_ base64: String) -> String {
        base64 + String(repeating: "=", count: (4 - base64.count % 4) % 4)
    }
}
