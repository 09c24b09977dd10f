import Foundation
import KuzetProtocol

extension SchoolState {
    /// The state after `heartbeat`, which must be newer (higher sequence) than `previous`.
    /// A flag that was already set keeps its start; a new one starts at the heartbeat's `sent_at`
    /// (or the agent's own `shortfall_since` for retention).
    /// - Parameter skewSeconds: agent clock minus registry clock, if measured on this heartbeat.
    public static func applying(
        _ heartbeat: Heartbeat, to previous: SchoolState?, skewSeconds: Double?, policy: FlagPolicy
    ) -> SchoolState {
        let observed = heartbeat.sentAt
        let previousCameras = Dictionary(
            (previous?.cameras ?? []).map { ($0.report.id, $0) }, uniquingKeysWith: { first, _ in first })
        let cameras = heartbeat.cameras.map { report in
            CameraState.applying(report, to: previousCameras[report.id], observed: observed, policy: policy)
        }
        let skew = skewSeconds ?? previous?.clockSkewSeconds ?? 0

        var conditions: [SchoolFlag: Date] = [:]
        func mark(_ flag: SchoolFlag, _ on: Bool, start: Date = observed) {
            guard on else { return }
            conditions[flag] = previous?.flags.since(flag) ?? start
        }
        let recordingCameras = heartbeat.cameras.filter { $0.recording != .disabled }
        mark(.notRecording, recordingCameras.contains { $0.recording == .notRecording || !$0.online })
        mark(.notDelivering, !Self.delivers(heartbeat.cameras))
        let shortfall = recordingCameras.compactMap { $0.retention?.shortfallSince }.min()
        let achieved = recordingCameras.compactMap { $0.retention?.achievedDays }
        let retentionBelow =
            shortfall != nil || achieved.isEmpty || achieved.contains { $0 < policy.minimumRetentionDays }
            || Double(heartbeat.storage.retentionDays) < policy.minimumRetentionDays
        mark(.retentionBelowMinimum, retentionBelow, start: shortfall ?? observed)
        mark(.diskPressure, heartbeat.storage.diskPressure)
        mark(.clockSkew, abs(skew) > policy.clockSkewSeconds)
        mark(.clockUntrusted, heartbeat.clock?.trusted == false)
        // Issue 23: since the earliest of the flagged cameras' own `since`.
        let obstructed = heartbeat.cameras.compactMap { $0.health?.state == .flagged ? $0.health?.since : nil }
        mark(.cameraObstructed, !obstructed.isEmpty, start: obstructed.min() ?? observed)

        return SchoolState(
            lastSequence: heartbeat.sequence, lastSentAt: heartbeat.sentAt, intervalSeconds: heartbeat.intervalSeconds,
            agentVersion: heartbeat.agentVersion, configFingerprint: heartbeat.configFingerprint,
            clockSkewSeconds: skew, storage: heartbeat.storage, cameras: cameras,
            flags: conditions.map { FlagMark(flag: $0.key, since: $0.value) }.sorted { $0.flag < $1.flag })
    }

    /// Something reaches the ЦОУ and nothing that should is failing: at least one camera pushes
    /// successfully or has a relay client, and no camera's push is failing.
    static func delivers(_ cameras: [CameraReport]) -> Bool {
        let flowing = cameras.contains { $0.push == .delivering || $0.relayClients > 0 }
        let failing = cameras.contains { $0.push == .failing }
        return flowing && !failing
    }
}

extension CameraState {
    static func applying(_ report: CameraReport, to previous: CameraState?, observed: Date, policy: FlagPolicy)
        -> CameraState
    {
        var report = report
        report.thumbnail = nil // kept apart (`StoredThumbnail`), never in the state
        var marks: [FlagMark] = []
        func mark(_ flag: SchoolFlag, _ on: Bool, start: Date = observed) {
            guard on else { return }
            marks.append(FlagMark(flag: flag, since: previous?.flags.since(flag) ?? start))
        }
        // A record: false camera closed because nobody watches it (issue 22) is not offline.
        mark(.offline, !report.online && report.idleOnDemand != true)
        mark(.notRecording, report.recording == .notRecording)
        mark(.notDelivering, report.push == .failing)
        if report.recording != .disabled, let retention = report.retention {
            mark(
                .retentionBelowMinimum,
                retention.shortfallSince != nil || retention.achievedDays < policy.minimumRetentionDays,
                start: retention.shortfallSince ?? observed)
        }
        if let health = report.health {
            mark(.cameraObstructed, health.state == .flagged, start: health.since)
        }
        return CameraState(report: report, flags: marks)
    }
}
