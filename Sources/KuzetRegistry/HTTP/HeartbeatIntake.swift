import Foundation
import HTTPTypes
import KuzetProtocol

/// A `POST /api/v1/heartbeats` request found acceptable: who sends, what, and the bytes history keeps.
/// The checks both ways in share (`HeartbeatRoutes` and `HeartbeatFastPath`), in the order a client
/// is told about them; each failure is the 4xx the client gets.
struct HeartbeatIntake: Sendable {
    var schoolID: String
    var heartbeats: [Heartbeat]
    /// Each heartbeat's JSON for history: as sent (cut from the body) when the body was plain, else encoded again.
    var payloads: [Data]
    /// Issue 23: the newest thumbnail of each camera in the request (checked), kept apart from the
    /// state and history: `heartbeats` and `payloads` no longer carry them.
    var thumbnails: [StoredThumbnail] = []

    /// The school a request may write for, from what its head says; refuses it otherwise (before
    /// its body is read).
    /// - Parameters:
    ///   - principal: the token's holder (nil: no valid token); `viaCookie`: it came as the dashboard's cookie.
    ///   - contentType: the request's `Content-Type`, if any.
    static func sender(principal: Principal?, viaCookie: Bool, contentType: String?) throws(APIError) -> String {
        guard let principal, !viaCookie else { throw APIError.unauthorized }
        guard principal.role == .school, let schoolID = principal.schoolID else {
            throw APIError.forbidden(
                "token: only a school token may send heartbeats — use the token `kuzet-registry token create --role school` printed"
            )
        }
        if let contentType, !contentType.lowercased().hasPrefix("application/json") {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                message: "Content-Type: \(contentType.prefix(80)) — send application/json")
        }
        return schoolID
    }

    /// - Parameters:
    ///   - schoolID: the `sender`.
    ///   - body: the whole body (its size already checked against the limit).
    init(schoolID: String, body: Data) throws {
        let decoded = try HeartbeatPayload.decode(body)
        let (heartbeats, isBatch) = (decoded.heartbeats, decoded.isBatch)
        if let other = heartbeats.first(where: { $0.schoolID != schoolID }) {
            throw APIError.forbidden(
                "school_id: this token writes for \(schoolID), not \(other.schoolID.prefix(64)) — use that school's own token"
            )
        }
        let problems = HeartbeatValidation.problems(heartbeats, batch: isBatch)
        if !problems.isEmpty {
            throw APIError(
                .unprocessableContent, code: "invalid_heartbeat", message: problems[0],
                problems: Array(problems.prefix(50)))
        }
        // As sent only when the body holds nothing but the heartbeats' known fields; otherwise
        // encoded again, so history keeps no unknown member, padding or long number.
        self.payloads =
            try (decoded.isPlain ? HeartbeatSlices.slices(of: body, isBatch: isBatch, count: heartbeats.count) : nil)
            ?? heartbeats.map { try StoredJSON.encode($0) }
        // Issue 21: answers to challenges (a 64 KiB chunk each) are checked and their outcome kept
        // (`retention_challenges`), not kept in history.
        if heartbeats.contains(where: { $0.challengeAnswers != nil }) {
            self.payloads = try heartbeats.map { heartbeat in
                var kept = heartbeat
                kept.challengeAnswers = nil
                return try StoredJSON.encode(kept)
            }
        }
        self.schoolID = schoolID
        self.heartbeats = heartbeats
        if heartbeats.contains(where: { $0.cameras.contains { $0.thumbnail != nil } }) { try setThumbnailsApart() }
    }

    /// Moves the thumbnails out of the heartbeats into `thumbnails` (the newest per camera), and
    /// encodes the heartbeats that had one again for history.
    private mutating func setThumbnailsApart() throws {
        var newest: [String: StoredThumbnail] = [:]
        for index in heartbeats.indices {
            var changed = false
            for cameraIndex in heartbeats[index].cameras.indices {
                guard let thumbnail = heartbeats[index].cameras[cameraIndex].thumbnail else { continue }
                heartbeats[index].cameras[cameraIndex].thumbnail = nil
                changed = true
                guard case .success(let jpeg) = StoredThumbnail.jpeg(of: thumbnail) else { continue }
                let camera = heartbeats[index].cameras[cameraIndex].id
                if let kept = newest[camera], kept.takenAt >= thumbnail.takenAt { continue }
                newest[camera] = StoredThumbnail(
                    schoolID: schoolID, cameraID: camera, takenAt: thumbnail.takenAt, width: thumbnail.width,
                    height: thumbnail.height, jpeg: jpeg)
            }
            if changed { payloads[index] = try StoredJSON.encode(heartbeats[index]) }
        }
        thumbnails = newest.values.sorted { $0.cameraID < $1.cameraID }
    }

    /// The answer to a stored request: the receipt's JSON.
    static func receipt(_ result: IngestResult, receivedAt: Date, challenges: [RetentionChallenge] = []) -> String {
        HeartbeatReceipt(
            accepted: result.accepted, duplicates: result.duplicates, highestSequence: result.highestSequence,
            serverTime: receivedAt, challenges: challenges.isEmpty ? nil : challenges
        )
        .registryJSON
    }

    /// What a school whose token was recognised, but which was removed since, is told (401).
    static func schoolRemoved(_ schoolID: String) -> APIError {
        // The token was recognised a moment ago (instances remember tokens for a while), but the
        // school and its tokens have been removed since.
        APIError(
            .unauthorized, code: "school_removed",
            message:
                "school_id: \(schoolID) was removed from this registry, with its tokens — ask the registry's operator for a new token",
            headers: [.wwwAuthenticate: "Bearer realm=\"kuzet-registry\", error=\"invalid_token\""])
    }
}
