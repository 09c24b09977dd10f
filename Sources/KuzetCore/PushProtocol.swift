/// The protocols the agent pushes a camera to the ЦОУ with (`centre.push`): the one list the
/// configuration reader (and so `check`), the push output and its error text read.
///
/// Adding a protocol: a row in ``all``; a new ``Carriage`` case if it needs another muxer (the
/// compiler then points at `MediaOutput.Format.forPush`); and, when libavformat's own client
/// cannot publish it, its publisher in the media code (as `RTMPPublisher` is for plain `rtmp://`).
public struct PushProtocol: Sendable, Equatable {
    /// How the stream travels: which muxer `MediaOutput` writes it with.
    public enum Carriage: Sendable, Equatable {
        /// FLV in an RTMP session.
        case flv
        /// RTSP publish (ANNOUNCE/RECORD), over TCP.
        case rtspPublish
        /// MPEG-TS over SRT, in caller mode.
        case mpegtsOverSRT
    }

    /// The URL scheme, lower case, without `://`.
    public var scheme: String
    public var carriage: Carriage
    /// Whether the connection is TLS with the centre's certificate checked (against
    /// `centre.ca_file` when given, else the system's authorities); only then does `ca_file` apply.
    public var verifiesCertificate: Bool
    /// TLS whose certificate cannot be checked: the agent warns at start.
    public var encryptedUnverified: Bool
    /// One line for people: what it is and who publishes it.
    public var summary: String

    public static let all: [PushProtocol] = [
        .init(
            scheme: "rtmp", carriage: .flv,
            summary: "RTMP; our own publisher (libavformat's client when the URL has credentials)"),
        .init(
            scheme: "rtmps", carriage: .flv, verifiesCertificate: true,
            summary: "RTMP over TLS, certificate checked; libavformat's client"),
        .init(scheme: "rtsp", carriage: .rtspPublish, summary: "RTSP publish over TCP; libavformat's client"),
        .init(
            scheme: "rtsps", carriage: .rtspPublish, encryptedUnverified: true,
            summary: "RTSP over TLS, certificate not checked (FFmpeg 5.1); libavformat's client"),
        .init(scheme: "srt", carriage: .mpegtsOverSRT, summary: "MPEG-TS over SRT, caller mode; libavformat's client"),
    ]

    init(
        scheme: String, carriage: Carriage, verifiesCertificate: Bool = false, encryptedUnverified: Bool = false,
        summary: String
    ) {
        self.scheme = scheme
        self.carriage = carriage
        self.verifiesCertificate = verifiesCertificate
        self.encryptedUnverified = encryptedUnverified
        self.summary = summary
    }

    /// The protocol of a push URL (its scheme, in any case), nil when the agent cannot push there.
    public static func of(url: String) -> PushProtocol? {
        guard let colon = url.firstIndex(of: ":") else { return nil }
        let scheme = url[..<colon].lowercased()
        return all.first { $0.scheme == scheme }
    }

    /// `rtmp://, rtmps://, rtsp://, rtsps:// or srt://`, for error text.
    public static func schemes(where include: (PushProtocol) -> Bool = { _ in true }) -> String {
        let names = all.filter(include).map { "\($0.scheme)://" }
        guard let last = names.last else { return "" }
        return names.count == 1 ? last : names.dropLast().joined(separator: ", ") + " or " + last
    }
}
