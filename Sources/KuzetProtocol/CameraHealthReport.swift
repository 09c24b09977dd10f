import Foundation

/// Issue 23: what a camera's picture shows, judged from one decoded keyframe every
/// `health.interval_seconds`. Sent per camera in the heartbeat as `health`.
///
///     "health": {"state": "flagged", "reasons": ["dark", "frozen"], "since": "2026-12-05T08:10:00Z",
///                "checked_at": "2026-12-05T08:12:00Z"}
public struct CameraHealthReport: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// Every check passes (or has not yet failed enough samples in a row to flag).
        case ok
        /// At least one check flagged: `reasons` names them.
        case flagged
        /// No picture judged yet (the camera just started, or health sampling is off).
        case unknown
    }

    public var state: State
    /// The checks that flag right now, in `PictureCheck` order; empty unless `state` is `flagged`.
    public var reasons: [PictureCheck]
    /// When the camera entered `state` (the agent's clock).
    public var since: Date
    /// When the last sample was judged; nil before the first.
    public var checkedAt: Date?

    public init(state: State, reasons: [PictureCheck] = [], since: Date, checkedAt: Date? = nil) {
        self.state = state
        self.reasons = reasons
        self.since = since
        self.checkedAt = checkedAt
    }

    enum CodingKeys: String, CodingKey {
        case state, reasons, since
        case checkedAt = "checked_at"
    }
}

/// One picture-health check; its raw value is the reason's name on the wire, in `/metrics` and in
/// the registry's `CAMERA_OBSTRUCTED` flag. At most `allCases.count` reasons per camera.
public enum PictureCheck: String, Codable, Sendable, CaseIterable, Comparable {
    /// The picture is nearly black (lens covered, light off).
    case dark
    /// The picture is nearly flat (sprayed, pointing at a plain surface).
    case uniform
    /// The same picture sample after sample while the stream's timestamps advance.
    case frozen
    /// Sharpness well below the camera's own baseline.
    case blurred
    /// The scene no longer matches the camera's reference picture (turned away).
    case moved
    /// The session delivers no video frames (audio only, or video that does not decode).
    case noVideo = "no_video"

    public static func < (lhs: PictureCheck, rhs: PictureCheck) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A camera's latest picture for police, sent as `thumbnail` with a heartbeat every
/// `health.thumbnail_minutes` (at most `maximumPerHeartbeat` cameras per heartbeat).
///
///     "thumbnail": {"taken_at": "2026-12-05T08:12:00Z", "jpeg": "/9j/4AAQ...", "width": 320, "height": 180}
public struct CameraThumbnail: Codable, Sendable, Equatable {
    /// Width limit, in pixels.
    public static let maximumWidth = 320
    /// Size limit of the JPEG itself (before base64), in bytes.
    public static let maximumBytes = 20 * 1024
    /// Thumbnails one heartbeat carries at most; the agent spreads the rest over later heartbeats.
    public static let maximumPerHeartbeat = 8

    public var takenAt: Date
    /// Base64 (standard alphabet, padded) of a baseline JPEG, starting FF D8 FF.
    public var jpeg: String
    public var width: Int
    public var height: Int

    public init(takenAt: Date, jpeg: String, width: Int, height: Int) {
        self.takenAt = takenAt
        self.jpeg = jpeg
        self.width = width
        self.height = height
    }

    public init(takenAt: Date, jpegData: Data, width: Int, height: Int) {
        self.init(takenAt: takenAt, jpeg: jpegData.base64EncodedString(), width: width, height: height)
    }

    enum CodingKeys: String, CodingKey {
        case jpeg, width, height
        case takenAt = "taken_at"
    }
}
