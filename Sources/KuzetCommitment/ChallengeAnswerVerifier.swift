import Foundation
import KuzetProtocol

/// An answer that does not prove what was asked; `reason` names the camera, day and what is wrong.
public struct ChallengeAnswerRefusal: Error, CustomStringConvertible, Equatable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// What a verified answer proves: the committed record of the segment asked for, and (for `ok`)
/// that the box still holds the chunk `chunkIndex` of it exactly as committed.
public struct VerifiedAnswer: Sendable, Equatable {
    public var status: ChallengeAnswer.Status
    public var record: SegmentRecord
    public var chunkIndex: Int?
}

/// The registry's check of a ``ChallengeAnswer`` against the signed day root it stores. Every
/// outside value is bounded before it is decoded or hashed: paths of at most 64 hashes, hashes of
/// exactly 64 hex digits, a chunk of at most 65,536 bytes, a record of at most 512 bytes.
public enum ChallengeAnswerVerifier {
    /// Base64 of a full chunk: 4 × ⌈65,536 / 3⌉ characters.
    public static let maxChunkBase64Length = 4 * ((ChunkTree.chunkSize + 2) / 3)

    /// Throws unless `answer` proves segment `segment_index` of the day tree with root
    /// `storedDayRoot` and `segmentCount` leaves (and, given `chunkNonce`, that the chunk is the one
    /// asked for). `missing` is always refused; `expired` proves the record only: the caller checks
    /// its start against the camera's claimed oldest footage.
    public static func verify(
        _ answer: ChallengeAnswer, storedDayRoot: MerkleHash, segmentCount: Int, chunkNonce: UInt32? = nil
    ) throws(ChallengeAnswerRefusal) -> VerifiedAnswer {
        let place =
            "camera \(answer.camera.prefix(SegmentRecord.maxCameraBytes)) day \(answer.day.prefix(10)) segment \(answer.segmentIndex)"
        if answer.status == .missing {
            throw ChallengeAnswerRefusal("\(place): the agent answered that the segment is missing")
        }
        guard segmentCount > 0, answer.segmentIndex >= 0, answer.segmentIndex < segmentCount else {
            throw ChallengeAnswerRefusal("\(place): not a segment of the \(segmentCount) signed for that day")
        }
        guard let recordText = answer.segmentRecord else { throw ChallengeAnswerRefusal("\(place): no segment_record") }
        let record: SegmentRecord
        do {
            record = try SegmentRecord.parse(Array(recordText.utf8.prefix(SegmentRecord.maxRecordBytes + 1)))
        } catch {
            throw ChallengeAnswerRefusal("\(place): \(error.message)")
        }
        guard record.camera == answer.camera, record.day == answer.day else {
            throw ChallengeAnswerRefusal("\(place): the record is of camera \(record.camera), day \(record.day)")
        }
        let segmentPath = try hashes(answer.segmentPath, name: "segment_path", place: place)
        guard
            MerkleTree.verify(
                leaf: record.leafHash, index: answer.segmentIndex, treeSize: segmentCount, path: segmentPath,
                root: storedDayRoot)
        else {
            throw ChallengeAnswerRefusal("\(place): the record and its path do not lead to the signed day root")
        }
        if answer.status == .expired { return VerifiedAnswer(status: .expired, record: record, chunkIndex: nil) }

        if record.chunkCount == 0 { return VerifiedAnswer(status: .ok, record: record, chunkIndex: nil) }
        guard let index = answer.chunkIndex, index >= 0, index < record.chunkCount else {
            throw ChallengeAnswerRefusal(
                "\(place): chunk_index absent or not below the record's \(record.chunkCount) chunks")
        }
        if let chunkNonce, index != Int(chunkNonce) % record.chunkCount {
            throw ChallengeAnswerRefusal(
                "\(place): chunk \(index) answered, \(Int(chunkNonce) % record.chunkCount) asked")
        }
        guard let encoded = answer.chunk, encoded.utf8.count <= maxChunkBase64Length,
            let chunk = Data(base64Encoded: encoded)
        else {
            throw ChallengeAnswerRefusal("\(place): chunk absent, over 65,536 bytes or not base64")
        }
        let expected = ChunkTree.chunkLength(index: index, bytes: record.bytes)
        guard chunk.count == expected else {
            throw ChallengeAnswerRefusal(
                "\(place): chunk \(index) is \(chunk.count) bytes, the record says \(expected)")
        }
        let chunkPath = try hashes(answer.chunkPath, name: "chunk_path", place: place)
        guard
            MerkleTree.verify(
                leaf: MerkleTree.leafHash(chunk), index: index, treeSize: record.chunkCount, path: chunkPath,
                root: record.root)
        else {
            throw ChallengeAnswerRefusal("\(place): chunk \(index) differs from what was committed")
        }
        return VerifiedAnswer(status: .ok, record: record, chunkIndex: index)
    }

    /// The same, with the stored root as its hex text.
    public static func verify(
        _ answer: ChallengeAnswer, storedDayRoot: String, segmentCount: Int, chunkNonce: UInt32? = nil
    ) throws(ChallengeAnswerRefusal) -> VerifiedAnswer {
        guard let root = MerkleHash(hex: storedDayRoot) else {
            throw ChallengeAnswerRefusal("stored day root is not 64 lower-case hex digits")
        }
        return try verify(answer, storedDayRoot: root, segmentCount: segmentCount, chunkNonce: chunkNonce)
    }

    private static func hashes(
        _ texts: [String]?, name: String, place: String
    ) throws(ChallengeAnswerRefusal) -> [MerkleHash] {
        guard let texts else { throw ChallengeAnswerRefusal("\(place): no \(name)") }
        guard texts.count <= MerkleTree.maxPathLength else {
            throw ChallengeAnswerRefusal(
                "\(place): \(name) has \(texts.count) hashes, at most \(MerkleTree.maxPathLength)")
        }
        var result = [MerkleHash]()
        for text in texts {
            guard let hash = MerkleHash(hex: text) else {
                throw ChallengeAnswerRefusal("\(place): \(name) holds a value that is not 64 lower-case hex digits")
            }
            result.append(hash)
        }
        return result
    }
}
