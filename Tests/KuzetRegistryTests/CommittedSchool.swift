import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetCommitment
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import NIOCore

/// A school's recordings as the agent commits them (issue 21), written by the test through the
/// same commitment code (`KuzetCommitment`): segment files on disk, each camera's day trees, the
/// device key, the signed day roots; and the agent's side of the wire (signed requests, answers).
struct CommittedSchool: Sendable {
    struct Day: Sendable {
        var tree: DayTree
        var files: [URL]
    }

    let sample: Sample
    let directory: TemporaryDirectory
    /// The raw Ed25519 private key (Crypto's key type is not Sendable).
    let privateKey: Data
    /// By camera, then by `YYYY-MM-DD`.
    let days: [String: [String: Day]]

    var schoolID: String { sample.schoolID }
    var key: Curve25519.Signing.PrivateKey { try! Curve25519.Signing.PrivateKey(rawRepresentation: privateKey) }
    var publicKey: DevicePublicKey { DevicePublicKey(key.publicKey) }

    /// `dayCount` closed days before `now`'s day, `segmentsPerDay` segments of `bytes` random
    /// bytes each (an hour apart from midnight UTC), for each of the sample's cameras.
    init(
        _ sample: Sample, days dayCount: Int, segmentsPerDay: Int = 2, bytes: Int = 150_000, now: Date,
        key: Curve25519.Signing.PrivateKey = Curve25519.Signing.PrivateKey()
    ) throws {
        self.sample = sample
        directory = try TemporaryDirectory(prefix: "kuzet-committed")
        privateKey = key.rawRepresentation
        let today = (now.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        var days: [String: [String: Day]] = [:]
        for camera in (0..<sample.cameras).map({ "cam-\($0 + 1)" }) {
            let folder = URL(fileURLWithPath: directory.file(camera))
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for back in 1...dayCount {
                let dayStart = Date(timeIntervalSince1970: today - Double(back) * 86_400)
                var records: [SegmentRecord] = []
                var files: [URL] = []
                for index in 0..<segmentsPerDay {
                    let start = dayStart.addingTimeInterval(Double(index) * 3600)
                    let file = folder.appendingPathComponent("\(Int(start.timeIntervalSince1970)).mp4")
                    try Self.randomBytes(bytes).write(to: file)
                    records.append(
                        SegmentRecord(
                            camera: camera, startMilliseconds: CommitmentTime.milliseconds(start),
                            digest: try ChunkTree.root(of: file)))
                    files.append(file)
                }
                days[camera, default: [:]][CommitmentTime.day(dayStart)] = Day(
                    tree: DayTree(records: records), files: files)
            }
        }
        self.days = days
    }

    /// `count` random bytes, eight at a time (byte by byte took a minute for 30 days of files in debug).
    static func randomBytes(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        var words = (0..<(count + 7) / 8).map { _ in generator.next() as UInt64 }
        return words.withUnsafeMutableBytes { Data($0.prefix(count)) }
    }

    /// Every day root, signed with `key` (default: the school's own).
    func dayRoots(signedBy signer: Curve25519.Signing.PrivateKey? = nil) throws -> [DayRootReport] {
        try days.sorted { $0.key < $1.key }.flatMap { camera, byDay in
            try byDay.sorted { $0.key < $1.key }.map { day, committed in
                let statement = DayRootStatement(schoolID: schoolID, camera: camera, day: day, tree: committed.tree)
                return DayRootReport(
                    camera: camera, day: day, segments: committed.tree.records.count, root: committed.tree.root.hex,
                    signature: try statement.signature(with: signer ?? key))
            }
        }
    }

    /// A heartbeat carrying the device key (and day roots / answers when given).
    func heartbeat(
        _ sequence: UInt64, at date: Date, dayRoots: [DayRootReport]? = nil, answers: [ChallengeAnswer]? = nil,
        deviceKey: DevicePublicKey? = nil
    ) -> Heartbeat {
        var heartbeat = sample.heartbeat(sequence, at: date)
        heartbeat.deviceKey = (deviceKey ?? publicKey).base64
        heartbeat.dayRoots = dayRoots
        heartbeat.challengeAnswers = answers
        return heartbeat
    }

    /// What the agent answers: from the committed day tree, and the segment file if still there.
    func answer(_ challenge: RetentionChallenge) -> ChallengeAnswer {
        let day = days[challenge.camera]?[challenge.day]
        let file = day.flatMap { day in
            challenge.segmentIndex < day.files.count ? day.files[challenge.segmentIndex] : nil
        }
        let present = file.map { FileManager.default.fileExists(atPath: $0.path) } ?? false
        return ChallengeAnswerBuilder.answer(challenge, day: day?.tree, segmentFile: present ? file : nil)
    }

    func file(camera: String, day: String, segment: Int) -> URL { days[camera]![day]!.files[segment] }
}

extension TestRegistry {
    /// Posts `heartbeat`, signed by `signer` over the exact body (nil: unsigned).
    func postSigned(_ heartbeat: Heartbeat, token: String, signer: Curve25519.Signing.PrivateKey?) async throws
        -> TestResponse
    {
        let body = heartbeat.json
        var headers: HTTPFields = [.contentType: "application/json", .authorization: "Bearer \(token)"]
        if let signer { headers[RetentionProofs.signatureField] = try signer.signatureBase64(for: body) }
        return try await client.execute(
            uri: "/api/v1/heartbeats", method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }

    /// Plants a challenge through the admin API.
    func plantChallenge(_ schoolID: String, admin: String, camera: String, day: String, segment: Int) async throws
        -> RetentionChallenge
    {
        let body = #"{"camera":"\#(camera)","day":"\#(day)","segment_index":\#(segment)}"#
        let response = try await client.execute(
            uri: "/api/v1/schools/\(schoolID)/challenges", method: .post,
            headers: [.contentType: "application/json", .authorization: "Bearer \(admin)"],
            body: ByteBuffer(string: body))
        guard response.status == .created else {
            throw TestKitError("plant challenge: \(response.status) \(String(buffer: response.body))")
        }
        return try JSONDecoder.kuzetWire.decode(RetentionChallenge.self, from: Data(response.body.readableBytesView))
    }
}

extension TestResponse {
    /// The challenges of a heartbeat receipt.
    var challenges: [RetentionChallenge] {
        (try? JSONDecoder.kuzetWire.decode(HeartbeatReceipt.self, from: Data(body.readableBytesView)))?.challenges ?? []
    }
}
