import Foundation
import KuzetProtocol
import KuzetRegistry

/// Pre-encoded requests, so the load generator spends no CPU on JSON while timed.
struct BenchWorkload: Sendable {
    struct Request: Sendable {
        var schoolID: String
        var heartbeats: [Heartbeat]
        var body: Data
        /// What the floor writes: (sequence, sent_at, payload) per heartbeat and the resulting state.
        var rows: [(Int64, Double, String)]
        var stateJSON: String
    }

    var requests: [Request]
    var schools: [String]

    /// `total` heartbeats in requests of `batch`, spread over `schoolCount` schools with 8 cameras each.
    init(total: Int, batch: Int, schoolCount: Int, seed: Int) {
        schools = (0..<schoolCount).map { String(format: "KZ-B%02d-%05d", seed, $0) }
        var requests: [Request] = []
        var sequence = Array(repeating: UInt64(0), count: schoolCount)
        let start = Date()
        var produced = 0
        var index = 0
        while produced < total {
            let school = index % schoolCount
            index += 1
            var heartbeats: [Heartbeat] = []
            for _ in 0..<min(batch, total - produced) {
                sequence[school] += 1
                heartbeats.append(Self.heartbeat(schools[school], sequence: sequence[school], at: start, cameras: 8))
            }
            produced += heartbeats.count
            let body = try! JSONEncoder.kuzetWire.encode(HeartbeatBatch(heartbeats: heartbeats))
            let rows = heartbeats.map {
                (
                    Int64($0.sequence), $0.sentAt.timeIntervalSince1970,
                    String(decoding: try! JSONEncoder.kuzetWire.encode($0), as: UTF8.self)
                )
            }
            let state = SchoolState.applying(heartbeats.last!, to: nil, skewSeconds: 0, policy: FlagPolicy())
            requests.append(
                Request(
                    schoolID: schools[school], heartbeats: heartbeats, body: body, rows: rows,
                    stateJSON: String(decoding: try! JSONEncoder.kuzetWire.encode(state), as: UTF8.self)))
        }
        self.requests = requests
    }

    static func heartbeat(
        _ school: String, sequence: UInt64, at date: Date, cameras: Int, region: String? = nil, variant: Int = 0
    ) -> Heartbeat {
        let reports = (0..<cameras).map { index in
            CameraReport(
                id: "cam-\(index + 1)", online: variant != 3, codec: "h264", width: 1920, height: 1080, fps: 25,
                bitrateKbps: 4000, lastFrameAgeSeconds: 0.1,
                recording: variant == 4 ? .notRecording : .recording,
                push: index == 0 ? (variant == 1 ? .failing : .delivering) : .disabled,
                relayClients: index == 1 ? 1 : 0,
                retention: RetentionReport(
                    oldestFootage: date.addingTimeInterval(-31 * 86_400), achievedDays: variant == 2 ? 12 : 31,
                    bytesUsed: 1_000_000_000))
        }
        return Heartbeat(
            schoolID: school, sequence: sequence, sentAt: date.addingTimeInterval(Double(sequence)),
            agentVersion: "0.1.0", uptimeSeconds: 1000,
            intervalSeconds: 30, school: SchoolInfo(name: "School \(school)", region: region), cameras: reports,
            storage: StorageReport(
                totalBytes: 8_000_000_000_000, freeBytes: 1_000_000_000_000, recordingsBytes: 6_000_000_000_000,
                projectedDays: 40, writeRateKbps: 32000, diskPressure: false, retentionDays: 30))
    }
}
