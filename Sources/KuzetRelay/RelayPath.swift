import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetMedia

/// What an RTSP URL on the relay names: `rtsp://box:8554/<camera-id>[/sub][/ts][/streamid=N]`.
/// `/ts` asks for the MPEG-TS-over-RTP form (for VLC as Debian ships it, see ``RTPPacketizer``).
public struct RelayPath: Sendable, Equatable {
    public var camera: String
    public var stream: AgentConfiguration.Camera.StreamChoice
    public var payload: RTPPacketizer.Payload
    /// The relayed track a SETUP names (`streamid=N`); nil for the whole presentation.
    public var track: Int?

    public init(
        camera: String, stream: AgentConfiguration.Camera.StreamChoice = .main,
        payload: RTPPacketizer.Payload = .elementary, track: Int? = nil
    ) {
        self.camera = camera
        self.stream = stream
        self.payload = payload
        self.track = track
    }

    /// Parses an absolute `rtsp://` URL or a bare path; nil when it names no camera.
    public init?(uri: String) {
        var path = Substring(uri)
        if let scheme = path.range(of: "://") {
            path = path[scheme.upperBound...]
            guard let slash = path.firstIndex(of: "/") else { return nil }
            path = path[slash...]
        }
        if let query = path.firstIndex(of: "?") { path = path[..<query] }
        var segments = path.split(separator: "/").map(String.init)
        var track: Int?
        if let last = segments.last, last.hasPrefix("streamid=") {
            guard let number = Int(last.dropFirst("streamid=".count)), number >= 0 else { return nil }
            track = number
            segments.removeLast()
        }
        var payload = RTPPacketizer.Payload.elementary
        if segments.count > 1, segments.last == "ts" {
            payload = .transportStream
            segments.removeLast()
        }
        var stream = AgentConfiguration.Camera.StreamChoice.main
        if segments.count == 2, segments[1] == "sub" || segments[1] == "main" {
            stream = segments[1] == "sub" ? .sub : .main
            segments.removeLast()
        }
        guard segments.count == 1, CameraID.isValid(segments[0]) else { return nil }
        self.init(camera: segments[0], stream: stream, payload: payload, track: track)
    }

    /// The presentation's path, `/<camera>[/sub][/ts]`.
    public var presentation: String {
        "/\(camera)" + (stream == .sub ? "/sub" : "") + (payload == .transportStream ? "/ts" : "")
    }

    /// The same presentation without a track.
    public var withoutTrack: RelayPath { RelayPath(camera: camera, stream: stream, payload: payload) }
}
