import Foundation

/// The registry asks for one chunk of one committed segment (issue 21): receipt member
/// `challenges` (at most 4). The agent answers in a later heartbeat's `challenge_answers`.
public struct RetentionChallenge: Codable, Sendable, Equatable {
    public var id: String
    public var camera: String
    /// `YYYY-MM-DD`, UTC: the day tree the segment is in.
    public var day: String
    public var segmentIndex: Int
    /// The chunk asked for is `chunk_nonce mod chunk count` of the segment.
    public var chunkNonce: UInt32
    public var expiresAt: Date

    public init(id: String, camera: String, day: String, segmentIndex: Int, chunkNonce: UInt32, expiresAt: Date) {
        self.id = id
        self.camera = camera
        self.day = day
        self.segmentIndex = segmentIndex
        self.chunkNonce = chunkNonce
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case id, camera, day
        case segmentIndex = "segment_index"
        case chunkNonce = "chunk_nonce"
        case expiresAt = "expires_at"
    }
}
