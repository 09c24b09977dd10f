/// How much of a message KuzetWire reads before it refuses it. Every length and count taken from
/// the network is checked against one of these before it is used in arithmetic or buffering.
///
/// The defaults fit RTSP and ONVIF (SOAP over HTTP) as cameras, NVRs and clients send them; each
/// caller tightens what it does not need (the relay takes small request bodies only).
public struct WireLimits: Sendable, Equatable {
    /// The whole head (start line, header lines, blank line), in bytes.
    public var headerBytes: Int
    /// Header fields in one head (and trailer fields after a chunked body).
    public var headerCount: Int
    /// One line (start line, header line, chunk-size line), without its line ending.
    public var lineLength: Int
    /// A body, by `Content-Length`, by the sum of its chunks, or read until the peer closes.
    public var bodyBytes: Int
    /// One chunk of a chunked body.
    public var chunkSize: Int
    /// Lines of an SDP session description.
    public var descriptionLines: Int

    /// The largest value any limit may take: keeps `start + limit` far from `Int.max`.
    public static let ceiling = 1 << 30

    public init(
        headerBytes: Int = 64 * 1024, headerCount: Int = 100, lineLength: Int = 8 * 1024, bodyBytes: Int = 2 << 20,
        chunkSize: Int = 1 << 20, descriptionLines: Int = 1024
    ) {
        // Clamped rather than trapped on: a limit is never a reason to crash.
        self.headerBytes = Self.clamp(headerBytes)
        self.headerCount = Self.clamp(headerCount)
        self.lineLength = Self.clamp(lineLength)
        self.bodyBytes = Self.clamp(bodyBytes)
        self.chunkSize = Self.clamp(chunkSize)
        self.descriptionLines = Self.clamp(descriptionLines)
    }

    static func clamp(_ value: Int) -> Int { min(max(value, 0), ceiling) }
}
