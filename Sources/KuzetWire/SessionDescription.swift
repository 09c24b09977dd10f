/// An SDP session description (RFC 8866) split into its session part and its media sections,
/// each line kept verbatim, bounded in lines and line length. Readers of particular attributes
/// (codec, resolution, control URLs) build on this one parse.
public struct SessionDescription: Sendable, Equatable {
    public struct Media: Sendable, Equatable {
        /// `video`, `audio`, `application`…
        public var kind: String
        /// The RTP payload types (or other formats) of the `m=` line, in order.
        public var formats: [String]
        /// Every line of the section, starting with its `m=` line.
        public var lines: [String]

        /// The value of the first `a=name:value` (or "" for a flag `a=name`) in this section.
        public func attribute(_ name: String) -> String? { SessionDescription.attribute(name, in: lines) }
        /// Every value of `a=name:…` in this section.
        public func attributes(_ name: String) -> [String] { SessionDescription.attributes(name, in: lines) }
    }

    /// Lines before the first `m=` line.
    public var sessionLines: [String]
    public var media: [Media]

    /// The value of the first session-level `a=name:value`.
    public func attribute(_ name: String) -> String? { Self.attribute(name, in: sessionLines) }

    /// Splits `text` into lines (CRLF or LF). Lines that are not `x=…` are skipped (cameras add
    /// blank and odd lines); more than ``WireLimits/descriptionLines`` lines or a line longer than
    /// ``WireLimits/lineLength`` is refused.
    public init(parsing text: String, limits: WireLimits = WireLimits()) throws(WireError) {
        sessionLines = []
        media = []
        var count = 0
        for raw in text.utf8.split(separator: 10, omittingEmptySubsequences: true) {
            count += 1
            guard count <= limits.descriptionLines else { throw .descriptionTooLarge(limit: limits.descriptionLines) }
            guard raw.count <= limits.lineLength + 1 else { throw .lineTooLong(limit: limits.lineLength) }
            var bytes = Array(raw)
            if bytes.last == 13 { bytes.removeLast() }
            guard bytes.count >= 2, bytes[1] == UInt8(ascii: "="), (97...122).contains(bytes[0]) else { continue }
            let line = String(decoding: bytes, as: UTF8.self)
            if line.hasPrefix("m=") {
                let fields = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: true)
                media.append(
                    Media(
                        kind: fields.first.map(String.init) ?? "", formats: fields.dropFirst(3).map(String.init),
                        lines: [line]))
            } else if media.isEmpty {
                sessionLines.append(line)
            } else {
                media[media.count - 1].lines.append(line)
            }
        }
    }

    static func attribute(_ name: String, in lines: [String]) -> String? { attributes(name, in: lines).first }

    static func attributes(_ name: String, in lines: [String]) -> [String] {
        let prefix = "a=" + name
        return lines.compactMap { line in
            guard line.hasPrefix(prefix) else { return nil }
            let rest = line.dropFirst(prefix.count)
            if rest.isEmpty { return "" }
            return rest.first == ":" ? String(rest.dropFirst()) : nil
        }
    }
}
