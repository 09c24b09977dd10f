import Foundation
import KuzetCommitment
import KuzetProtocol

/// Bounds on the issue-21 members of a heartbeat, checked with the rest of its shape
/// (`HeartbeatValidation`); each problem as `path: what is wrong — what to do`.
enum CommitmentLimits {
    static let dayRootsPerHeartbeat = 64
    static let answersPerHeartbeat = 8
    /// 4 KiB segments at 10 s… a day of one-second segments is 86,400; anything above is not a day.
    static let segmentsPerDay = 1_000_000

    static func problems(_ heartbeat: Heartbeat, path: (String) -> String) -> [String] {
        var problems: [String] = []
        func check(_ ok: Bool, _ field: @autoclosure () -> String, _ message: @autoclosure () -> String) {
            if !ok { problems.append("\(path(field())): \(message())") }
        }
        if let key = heartbeat.deviceKey {
            check(
                DevicePublicKey(base64: key) != nil, "device_key",
                "not base64 of a 32-byte Ed25519 public key — send the agent's own public key")
        }
        if let roots = heartbeat.dayRoots {
            check(
                roots.count <= dayRootsPerHeartbeat, "day_roots",
                "\(roots.count) entries, at most \(dayRootsPerHeartbeat) — send the rest in later heartbeats")
            for (index, root) in roots.prefix(dayRootsPerHeartbeat).enumerated() {
                check(
                    SegmentRecord.isValidCamera(root.camera), "day_roots[\(index)].camera",
                    "must be 1–128 bytes without control characters — send the camera's id")
                check(UTCDay(parsing: root.day) != nil, "day_roots[\(index)].day", "must be a UTC day YYYY-MM-DD")
                check(
                    (1...segmentsPerDay).contains(root.segments), "day_roots[\(index)].segments",
                    "must be 1…\(segmentsPerDay) — send the day tree's segment count")
                check(MerkleHash(hex: root.root) != nil, "day_roots[\(index)].root", "must be 64 lower-case hex digits")
                check(
                    root.signature.utf8.count == 88, "day_roots[\(index)].signature",
                    "must be base64 of a 64-byte Ed25519 signature")
            }
        }
        if let answers = heartbeat.challengeAnswers {
            check(
                answers.count <= answersPerHeartbeat, "challenge_answers",
                "\(answers.count) entries, at most \(answersPerHeartbeat) — send the rest in later heartbeats")
            for (index, answer) in answers.prefix(answersPerHeartbeat).enumerated() {
                let at = "challenge_answers[\(index)]"
                check(
                    !answer.id.isEmpty && answer.id.utf8.count <= 64, "\(at).id",
                    "must be 1–64 characters — send the challenge's id")
                check(
                    (answer.segmentRecord?.utf8.count ?? 0) <= SegmentRecord.maxRecordBytes, "\(at).segment_record",
                    "over \(SegmentRecord.maxRecordBytes) bytes")
                check(
                    (answer.segmentPath?.count ?? 0) <= MerkleTree.maxPathLength
                        && (answer.chunkPath?.count ?? 0) <= MerkleTree.maxPathLength, "\(at).segment_path",
                    "paths hold at most \(MerkleTree.maxPathLength) hashes")
                check(
                    (answer.chunk?.utf8.count ?? 0) <= ChallengeAnswerVerifier.maxChunkBase64Length, "\(at).chunk",
                    "over 65,536 bytes — send one chunk")
            }
        }
        return problems
    }
}
