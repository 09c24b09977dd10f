/// A closed UTC day of one camera, signed by the box's device key (issue 21): heartbeat member
/// `day_roots`. The signature is over `DayRootStatement.text` (KuzetCommitment).
public struct DayRootReport: Codable, Sendable, Equatable {
    public var camera: String
    /// `YYYY-MM-DD`, UTC.
    public var day: String
    public var segments: Int
    /// 64 lower-case hex digits.
    public var root: String
    /// Base64 Ed25519 signature.
    public var signature: String

    public init(camera: String, day: String, segments: Int, root: String, signature: String) {
        self.camera = camera
        self.day = day
        self.segments = segments
        self.root = root
        self.signature = signature
    }
}
