import KuzetWire

/// A camera's SDP (from DESCRIBE) cut down to what we set up: the session part and its video and
/// audio media, with each medium's RTP payload type and control attribute. Read by KuzetWire's
/// ``KuzetWire/SessionDescription`` (the one SDP parser, bounded).
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

    init(_ sdp: String) throws(WireError) {
        let description = try SessionDescription(parsing: sdp)
        control = description.attribute("control")
        var kept: [String] = []
        var media: [Media] = []
        for section in description.media {
            guard section.kind == "video" || section.kind == "audio", let first = section.formats.first,
                let payloadType = Int(first)
            else { continue }
            kept += section.lines
            media.append(Media(payloadType: payloadType, control: section.attribute("control") ?? ""))
        }
        self.media = media
        text = (description.sessionLines + kept).joined(separator: "\r\n") + "\r\n"
    }
}
