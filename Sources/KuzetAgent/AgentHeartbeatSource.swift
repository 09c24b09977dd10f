import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetProtocol
import KuzetRecorder
import KuzetRelay
import KuzetRetention
import KuzetUplink

/// What a heartbeat carries, taken from the running agent: cameras (media state, relay clients,
/// retention facts), disk, the achieved push rate against `centre.max_kbps`, and events.
struct AgentHeartbeatSource: HeartbeatSnapshotProvider {
    let configuration: AgentConfiguration
    let runtime: AgentRuntime
    let retention: RetentionService
    let relay: RelayStatistics?
    let events: AgentEvents
    var budget: UplinkBudget? = nil
    let commitments: CommitmentService?
    let clock: ClockTrustMonitor
    /// Picture health (issue 23): per camera `health`, and `thumbnail` on some heartbeats.
    var health: PictureHealthMonitor? = nil

    func heartbeatSnapshot() async -> HeartbeatSnapshot {
        let state = runtime.snapshot()
        let facts = retention.facts()
        let retentionByCamera = Dictionary(
            facts.cameras.map { ($0.camera, $0) }, uniquingKeysWith: { first, _ in first })
        let thumbnails = health?.takeThumbnails() ?? [:]
        let cameras = configuration.cameras.map { configured in
            var report = Self.report(
                configured: configured, state: state.cameras.first { $0.id == configured.id },
                centre: configuration.centre,
                relayClients: relay?.camera(configured.id).clients ?? 0,
                retention: retentionByCamera[configured.id]?.report)
            report.health = health?.report(camera: configured.id)
            report.thumbnail = thumbnails[configured.id]
            return report
        }
        let storage =
            facts.storageReport
            ?? StorageReport(
                totalBytes: 0, freeBytes: 0, recordingsBytes: 0, retentionDays: configuration.retention.days)
        let achieved = budget?.achieved()
        let centre = configuration.centre.map { centre in
            CentreReport(
                maxKbps: centre.maxKbps, achievedKbps: state.cameras.compactMap(\.push?.bitrateKbps).reduce(0, +),
                liveKbps: achieved?.liveKbps, uploadKbps: achieved?.uploadKbps, liveSessions: budget?.liveSessions)
        }
        let trust = clock.trust
        let clockReport = ClockReport(
            trusted: trust.trusted, synchronised: trust.synchronised, offsetSeconds: trust.offsetSeconds,
            lastStepAt: trust.lastStep?.at, lastStepSeconds: trust.lastStep?.seconds,
            untrustedSegments: facts.cameras.reduce(0) { $0 + $1.untrustedSegments })
        var snapshot = HeartbeatSnapshot(
            cameras: cameras, storage: storage, centre: centre,
            events: events.drain() + retention.drainEvents().map(\.agentEvent) + (health?.drainEvents() ?? []),
            clock: clockReport)
        if let commitments {
            let proofs = commitments.takeForHeartbeat()
            snapshot.deviceKey = proofs.deviceKey
            snapshot.dayRoots = proofs.dayRoots.isEmpty ? nil : proofs.dayRoots
            snapshot.challengeAnswers = proofs.answers.isEmpty ? nil : proofs.answers
        }
        return snapshot
    }

    func snapshotQueued(_ snapshot: HeartbeatSnapshot, queued: Bool) {
        commitments?.heartbeatQueued(
            dayRoots: snapshot.dayRoots ?? [], answers: snapshot.challengeAnswers ?? [], queued: queued)
    }

    func receiptArrived(_ receipt: HeartbeatReceipt) {
        if let challenges = receipt.challenges { commitments?.challengesArrived(challenges) }
    }

    static func report(
        configured: AgentConfiguration.Camera, state: AgentState.Camera?, centre: AgentConfiguration.Centre?,
        relayClients: Int,
        retention: RetentionReport?
    ) -> CameraReport {
        // The stream the camera is recorded from speaks for it; otherwise one that is open (an
        // on-demand camera may be watched on its sub stream only), else the main one.
        let stream =
            configured.record.flatMap { state?.streams[$0.rawValue] }
            ?? state?.streams.values.first { $0.phase == .online } ?? state?.streams["main"]
            ?? state?.streams.values.first
        let recording: CameraReport.RecordingState =
            configured.record == nil
            ? .disabled
            : (state?.recording?.openSegment != nil && stream?.phase == .online ? .recording : .notRecording)
        let push: CameraReport.DeliveryState =
            configured.push == nil || centre?.push == nil
            ? .disabled : (state?.push?.connected == true ? .delivering : .failing)
        return CameraReport(
            id: configured.id, online: stream?.phase == .online, codec: stream?.codec, width: stream?.width,
            height: stream?.height,
            fps: stream?.framesPerSecond, bitrateKbps: stream?.bitrateKbps, lastFrameAgeSeconds: stream?.lastPacketAge,
            recording: recording, push: push, relayClients: relayClients, retention: retention,
            idleOnDemand: stream?.phase == .idle ? true : nil)
    }
}
