import KuzetProtocol

/// `proof.json` of an evidence folder (`kuzet-agent export … --evidence DIR`): for each original
/// segment copied into `segments/`, its committed record and audit path to its day's signed
/// root; the signed day roots; the device's public key. Checked offline by ``EvidenceVerifier``.
public struct EvidenceProof: Codable, Sendable, Equatable {
    public struct Segment: Codable, Sendable, Equatable {
        /// The file's name in `segments/`.
        public var file: String
        public var day: String
        /// Its place in the day tree; nil when its day is not signed yet (today's footage).
        public var segmentIndex: Int?
        public var record: String?
        public var segmentPath: [String]?

        public init(file: String, day: String, segmentIndex: Int?, record: String?, segmentPath: [String]?) {
            self.file = file
            self.day = day
            self.segmentIndex = segmentIndex
            self.record = record
            self.segmentPath = segmentPath
        }

        enum CodingKeys: String, CodingKey {
            case file, day, record
            case segmentIndex = "segment_index"
            case segmentPath = "segment_path"
        }
    }

    public static let currentVersion = 1
    public var version: Int
    public var schoolID: String
    public var camera: String
    /// The exported range, `2026-12-04T10:00:00.000Z`.
    public var from: String
    public var to: String
    public var deviceKey: String?
    /// The cut clip's file name in the folder, if one was written there.
    public var clip: String?
    public var segments: [Segment]
    public var dayRoots: [DayRootReport]

    public init(
        schoolID: String, camera: String, from: String, to: String, deviceKey: String?, clip: String?,
        segments: [Segment], dayRoots: [DayRootReport]
    ) {
        self.version = Self.currentVersion
        self.schoolID = schoolID
        self.camera = camera
        self.from = from
        self.to = to
        self.deviceKey = deviceKey
        self.clip = clip
        self.segments = segments
        self.dayRoots = dayRoots
    }

    enum CodingKeys: String, CodingKey {
        case version, camera, from, to, clip, segments
        case schoolID = "school_id"
        case deviceKey = "device_key"
        case dayRoots = "day_roots"
    }
}
