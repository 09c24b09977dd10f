import Foundation
import KuzetProtocol
import KuzetUplink

/// Heartbeats and snapshots for the tests (fixed content; only the sequence varies).
enum Fixtures {
    static let school = "KZ-AST-0042"

    static func heartbeat(_ sequence: UInt64, events: [AgentEvent] = []) -> Heartbeat {
        Heartbeat(
            schoolID: school, sequence: sequence,
            sentAt: Date(timeIntervalSince1970: 1_790_000_000 + Double(sequence) * 30),
            agentVersion: "test", uptimeSeconds: Double(sequence) * 30, intervalSeconds: 30,
            cameras: [
                CameraReport(
                    id: "entrance", online: true, codec: "h264", width: 1920, height: 1080, fps: 25,
                    recording: .recording)
            ],
            storage: StorageReport(totalBytes: 1 << 40, freeBytes: 1 << 39, recordingsBytes: 1 << 38), events: events)
    }

    static func event(_ message: String) -> AgentEvent {
        AgentEvent(
            at: Date(timeIntervalSince1970: 1_790_000_000), kind: .cameraOffline, camera: "entrance", message: message)
    }

    static let snapshot = HeartbeatSnapshot(
        cameras: [
            CameraReport(
                id: "entrance", online: true, codec: "h264", width: 1920, height: 1080, fps: 25, recording: .recording)
        ],
        storage: StorageReport(totalBytes: 1 << 40, freeBytes: 1 << 39, recordingsBytes: 1 << 38))

    /// Sequences of the heartbeats in `entries`.
    static func sequences(_ entries: [OutboxEntry]) -> [UInt64] { entries.map(\.sequence) }
}

extension Outbox {
    /// Appends `count` fixture heartbeats; returns their sequences.
    @discardableResult
    func appendFixtures(_ count: Int, eventsEvery: Int? = nil) throws -> [UInt64] {
        try (0..<count).map { index in
            try append { sequence in
                let events =
                    eventsEvery.map { index % $0 == 0 } == true
                    ? [Fixtures.event("camera entrance offline #\(index)")] : []
                return Fixtures.heartbeat(sequence, events: events)
            }.sequence
        }
    }
}
