import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import NIOCore
import Testing

/// Heartbeats as a real agent would send them, with the knobs the tests turn.
struct Sample {
    var schoolID: String
    var name: String? = nil
    var region: String? = nil
    var cameras = 2
    var online = true
    var recording: CameraReport.RecordingState = .recording
    var push: CameraReport.DeliveryState = .delivering
    var relayClients = 0
    var retentionDays = 31.0
    var shortfallSince: Date? = nil
    var diskPressure = false
    var interval = 30

    func heartbeat(_ sequence: UInt64, at sentAt: Date, events: [AgentEvent] = []) -> Heartbeat {
        let cameraReports = (0..<cameras).map { index in
            CameraReport(
                id: "cam-\(index + 1)", online: online, codec: "h264", width: 1920, height: 1080, fps: 25,
                bitrateKbps: 4000,
                lastFrameAgeSeconds: 0.2, recording: recording, push: index == 0 ? push : .disabled,
                relayClients: index == 0 ? relayClients : 0,
                retention: RetentionReport(
                    oldestFootage: sentAt.addingTimeInterval(-retentionDays * 86_400), achievedDays: retentionDays,
                    bytesUsed: 1_000_000_000,
                    shortfallSince: shortfallSince))
        }
        return Heartbeat(
            schoolID: schoolID, sequence: sequence, sentAt: sentAt, agentVersion: "0.1.0", uptimeSeconds: 3600,
            intervalSeconds: interval,
            school: SchoolInfo(name: name, region: region), cameras: cameraReports,
            storage: StorageReport(
                totalBytes: 4_000_000_000_000, freeBytes: diskPressure ? 40_000_000_000 : 1_000_000_000_000,
                recordingsBytes: 2_000_000_000_000,
                projectedDays: 40, writeRateKbps: 8000, diskPressure: diskPressure, retentionDays: 30),
            events: events)
    }
}

extension Heartbeat {
    var json: Data { try! JSONEncoder.kuzetWire.encode(self) }
}

extension [Heartbeat] {
    var batchJSON: Data { try! JSONEncoder.kuzetWire.encode(HeartbeatBatch(heartbeats: self)) }
}
