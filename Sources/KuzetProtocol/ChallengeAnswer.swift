/// The agent's answer to a ``RetentionChallenge`` (issue 21): heartbeat member `challenge_answers`.
/// `ok`: the segment record, its audit path to the signed day root, the chunk and its path to the
/// segment root. `expired`: the segment was deleted by retention; record and path still given
/// (from the journal). `missing`: nothing. Checked by `ChallengeAnswerVerifier` (KuzetCommitment).
public struct ChallengeAnswer: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case ok, missing, expired }

    public var id: String
    public var camera: String
    public var day: String
    public var segmentIndex: Int
    public var status: Status
    public var segmentRecord: String?
    /// Lower-case hex hashes, the sibling nearest the leaf first (RFC 6962).
    public var segmentPath: [String]?
    public var chunkIndex: Int?
    /// Base64 of the chunk's bytes.
    public var chunk: String?
    public var chunkPath: [String]?

    public init(
        id: String, camera: String, day: String, segmentIndex: Int, status: Status, segmentRecord: String? = nil,
        segmentPath: [String]? = nil, chunkIndex: Int? = nil, chunk: String? = nil, chunkPath: [String]? = nil
    ) {
        self.id = id
        self.camera = camera
        self.day = day
        self.segmentIndex = segmentIndex
        self.status = status
        self.segmentRecord = segmentRecord
        self.segmentPath = segmentPath
        self.chunkIndex = chunkIndex
        self.chunk = chunk
        self.chunkPath = chunkPath
    }

    enum CodingKeys: String, CodingKey {
        case id, camera, day, status, chunk
        case segmentIndex = "segment_index"
        case segmentRecord = "segment_record"
        case segmentPath = "segment_path"
        case chunkIndex = "chunk_index"
        case chunkPath = "chunk_path"
    }
}
