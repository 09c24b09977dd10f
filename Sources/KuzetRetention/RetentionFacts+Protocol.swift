import Foundation
import KuzetCore
import KuzetProtocol

extension CameraRetentionFacts {
    /// The camera's retention facts as the heartbeat carries them.
    public var report: RetentionReport {
        RetentionReport(
            oldestFootage: oldestFootage, achievedDays: achievedDays,
            gaps: gaps.map { TimeRange(from: $0.start, to: $0.end) },
            bytesUsed: bytes, shortfallSince: shortfall?.since, recordedKbps: recordedKbps)
    }
}

extension RetentionFacts {
    /// The box's storage facts as the heartbeat carries them; nil before the first sweep read the disk.
    public var storageReport: StorageReport? {
        guard let space else { return nil }
        return StorageReport(
            totalBytes: space.totalBytes, freeBytes: space.freeBytes, recordingsBytes: space.recordingsBytes,
            projectedDays: projection?.projectedDays, writeRateKbps: writeKbps, diskPressure: diskPressureSince != nil,
            retentionDays: requiredDays, lastSweepAt: lastSweep?.at, lastSweepDeletedFiles: lastSweep?.deletedFiles,
            lastSweepDeletedBytes: lastSweep?.deletedBytes)
    }
}

extension RetentionEvent {
    /// The event as the heartbeat carries it.
    public var agentEvent: AgentEvent {
        let kind: AgentEvent.Kind =
            switch self.kind {
            case .diskPressure: .diskPressure
            case .diskPressureCleared: .diskPressureCleared
            case .retentionShortfall, .retentionRestored: .retentionShortfall
            }
        return AgentEvent(at: at, kind: kind, camera: camera, message: message)
    }
}
