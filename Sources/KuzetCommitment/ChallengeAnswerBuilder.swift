import Foundation
import KuzetProtocol

/// The agent's side of a challenge: from the day's committed records (the journal) and the
/// segment file if it is still on disk, the answer ``ChallengeAnswerVerifier`` checks.
public enum ChallengeAnswerBuilder {
    /// - Parameters:
    ///   - day: the camera's committed records of the challenged day, in day-tree order; nil or
    ///     too short when the agent never committed that segment (answer `missing`).
    ///   - segmentFile: where the segment is; nil when retention deleted it (answer `expired`).
    public static func answer(_ challenge: RetentionChallenge, day: DayTree?, segmentFile: URL?) -> ChallengeAnswer {
        var answer = ChallengeAnswer(
            id: challenge.id, camera: challenge.camera, day: challenge.day, segmentIndex: challenge.segmentIndex,
            status: .missing)
        guard let day, challenge.segmentIndex >= 0, challenge.segmentIndex < day.records.count else { return answer }
        let record = day.records[challenge.segmentIndex]
        answer.segmentRecord = record.text
        answer.segmentPath = day.auditPath(segment: challenge.segmentIndex).map(\.hex)
        guard let segmentFile else {
            answer.status = .expired
            return answer
        }
        guard record.chunkCount > 0 else {
            answer.status = .ok
            return answer
        }
        let index = Int(challenge.chunkNonce) % record.chunkCount
        guard let proof = try? ChunkTree.proof(of: segmentFile, chunk: index) else {
            // On disk but unreadable or shorter than committed: say so, the registry flags it.
            answer.segmentRecord = nil
            answer.segmentPath = nil
            return answer
        }
        answer.status = .ok
        answer.chunkIndex = index
        answer.chunk = Data(proof.chunk).base64EncodedString()
        answer.chunkPath = proof.path.map(\.hex)
        return answer
    }
}
