import Foundation
import KuzetMedia

/// What the running agent knows about one camera right now, for the status report.
public struct StatusCameraFacts: Sendable {
    public enum Upstream: String, Sendable { case live, connecting, offline, disabled }
    public var upstream: Upstream
    /// The stream as the camera sends it (codec, size, fps), while connected.
    public var stream: MediaStreamInfo.Track?
    public var lastPacketAt: Date?
    public var bitrateKbps: Double?
    /// `recording`, `waiting` or `off`.
    public var recording: String
    /// `live`, `waiting` or `off`.
    public var push: String
    /// The last failure, already free of credentials, in words.
    public var lastError: String?

    public init(
        upstream: Upstream, stream: MediaStreamInfo.Track? = nil, lastPacketAt: Date? = nil, bitrateKbps: Double? = nil,
        recording: String = "off", push: String = "off", lastError: String? = nil
    ) {
        self.upstream = upstream
        self.stream = stream
        self.lastPacketAt = lastPacketAt
        self.bitrateKbps = bitrateKbps
        self.recording = recording
        self.push = push
        self.lastError = lastError
    }
}
