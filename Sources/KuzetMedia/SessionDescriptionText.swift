/// A camera's SDP (from DESCRIBE) cut down to what we set up: the session part and its video and
/// audio media, with each medium's RTP payload type and control attribute.
struct SessionDescriptionText {
    struct Media {
        var payloadType: Int
        var control: String
    }

    /// The SDP text handed to libavformat (video and audio media only, CRLF lines).
    var text: String
    /// Session-level `a=control`, if any.
    var control: String?
    var media: [Media]

    init(_ sdp: String) {
        var session: [Substring] = []
        var sections: [[Substring]] = []
        for line in sdp.split(whereSeparator: \.isNewline) where !line.isEmpty {
            if line.hasPrefix("m=") {
                sections.append([line])
            } else if sections.isEmpty {
                session.append(line)
            } else {
                sections[sections.count - 1].append(line)
            }
        }
        control = session.first { $0.hasPrefix("a=control:") }.map { String($0.dropFirst(10)) }
        var kept: [[Substring]] = []
        var media: [Media] = []
        for section in sections {
            let fields = section[0].dropFirst(2).split(separator: " ")
            guard fields.count >= 4, fields[0] == "video" || fields[0] == "audio", let payloadType = Int(fields[3]) else { continue }
            let control = section.first { $0.hasPrefix("a=control:") }.map { String($0.dropFirst(10)) } ?? ""
            kept.append(section)
            media.append(Media(payloadType: payloadType, control: control))
        }
        self.media = media
        text = (session + kept.flatMap { $0 }).joined(separator: "\r\n") + "\r\n"
    }
}
