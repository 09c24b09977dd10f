import Foundation

/// One camera that ``RTSPCameraServer`` serves: a mount path and what the stream looks like.
///
/// The picture is a moving test pattern with temporal noise, encoded once per distinct
/// (codec, size, fps, bitrate, GOP, loop length) into a shared cache (`$TMPDIR/kuzet-clips`,
/// or `KUZET_CLIP_CACHE`), then looped at real time with monotonic timestamps. The first use
/// of a new combination costs an encode (a few seconds at 640×360, ~20 s at 1080p H.265);
/// keep tests on small sizes.
public struct CameraMount: Sendable, Hashable {
    public enum Codec: String, Sendable { case h264, h265 }
    public enum Audio: String, Sendable { case none, aac, pcmu }

    /// A username/password pair the camera asks for (Digest by default, see ``authMethod``).
    public struct Credentials: Sendable, Hashable {
        public var username: String
        public var password: String
        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }
    }

    public enum AuthMethod: String, Sendable { case digest, basic, both }

    /// The path as a client requests it, e.g. `/Streaming/Channels/101` or
    /// `/cam/realmonitor?channel=1&subtype=0`. gst-rtsp-server selects the mount by the part
    /// before `?`, so two mounts must differ in that part.
    public var path: String
    public var codec: Codec
    public var width: Int
    public var height: Int
    public var fps: Int
    public var bitrateKbps: Int
    /// Seconds between keyframes.
    public var gopSeconds: Double
    public var audio: Audio
    public var credentials: Credentials?
    public var authMethod: AuthMethod
    /// Length of the loop in seconds (a whole number of GOPs).
    public var clipSeconds: Double
    /// A raw H.264/H.265 (Annex B) file to loop instead of the generated pattern — e.g. the
    /// committed `scripts/testing/demo/kuzet-demo-640x360-25fps.h264`. Its codec must match ``codec``;
    /// ``fps`` is the rate it plays at; size, bitrate and GOP are the file's own.
    public var clipFile: String?

    public init(
        path: String, codec: Codec = .h264, width: Int = 640, height: Int = 360, fps: Int = 25, bitrateKbps: Int = 1000,
        gopSeconds: Double = 1, audio: Audio = .none, credentials: Credentials? = nil, authMethod: AuthMethod = .digest,
        clipSeconds: Double = 10, clipFile: String? = nil
    ) {
        self.path = path
        self.codec = codec
        self.width = width
        self.height = height
        self.fps = fps
        self.bitrateKbps = bitrateKbps
        self.gopSeconds = gopSeconds
        self.audio = audio
        self.credentials = credentials
        self.authMethod = authMethod
        self.clipSeconds = clipSeconds
        self.clipFile = clipFile
    }

    /// The committed demo clip (640×360 H.264, 25 fps, 10 s) of this checkout.
    public static var demoClipPath: String {
        repositoryRoot().appendingPathComponent("scripts/testing/demo/kuzet-demo-640x360-25fps.h264").path
    }

    /// The mount's key in the server's status: the path without its query string.
    public var route: String { String(path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]) }

    /// The JSON object the server script reads from `--spec`.
    var specObject: [String: Any] {
        var object: [String: Any] = [
            "path": path, "codec": codec.rawValue, "width": width, "height": height, "fps": fps,
            "bitrate": bitrateKbps, "gop": gopSeconds, "audio": audio.rawValue, "clip": clipSeconds,
        ]
        if let clipFile { object["file"] = clipFile }
        if let credentials {
            object["user"] = credentials.username
            object["password"] = credentials.password
            object["auth"] = authMethod.rawValue
        }
        return object
    }
}
