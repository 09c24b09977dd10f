import Foundation

/// What the running agent knows about one camera right now, for the status report.
public struct StatusCameraFacts: Sendable {
    /// `idle`: a camera with `record: false` whose upstream is closed because nobody watches it
    /// (it opens for a relay client or an on-demand push) — not a failure.
    public enum Upstream: String, Sendable, CaseIterable { case live, connecting, offline, disabled, idle }

    /// The stream as the camera sends it, while known.
    public struct Video: Sendable, Equatable {
        public var codec: String
        public var width: Int?
        public var height: Int?
        public var framesPerSecond: Double?
        public init(codec: String, width: Int? = nil, height: Int? = nil, framesPerSecond: Double? = nil) {
            self.codec = codec
            self.width = width
            self.height = height
            self.framesPerSecond = framesPerSecond
        }
    }

    public var upstream: Upstream
    public var video: Video?
    public var lastPacketAt: Date?
    public var bitrateKbps: Double?
    /// `recording`, `waiting` or `off`.
    public var recording: String
    /// `live`, `waiting` or `off`.
    public var push: String
    /// The last failure in words (credentials are masked again before it is shown).
    public var lastError: String?

    public init(
        upstream: Upstream, video: Video? = nil, lastPacketAt: Date? = nil, bitrateKbps: Double? = nil,
        recording: String = "off", push: String = "off", lastError: String? = nil
    ) {
        self.upstream = upstream
        self.video = video
        self.lastPacketAt = lastPacketAt
        self.bitrateKbps = bitrateKbps
        self.recording = recording
        self.push = push
        self.lastError = lastError
    }
}
