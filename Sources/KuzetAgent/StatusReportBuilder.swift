import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetRelay
import KuzetSegmentStore

/// Builds the ``StatusReport`` from the configuration, the cameras' live facts, the relay's
/// figures and what is on disk — and words every problem as `what is wrong — what to do`.
/// Only ids, states and figures go in: never a URL, user name or password.
public struct StatusReportBuilder: Sendable {
    public var configuration: AgentConfiguration
    public var startedAt: Date
    /// Uptime is measured on the monotonic clock (a stepped wall clock does not change it).
    public var started: MonotonicInstant
    public var now: @Sendable () -> Date

    public init(
        configuration: AgentConfiguration, startedAt: Date = Date(), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.startedAt = startedAt
        self.started = .now()
        self.now = now
    }

    public func report(
        cameras facts: [String: StatusCameraFacts], relay: RelayStatistics? = nil,
        uplink: StatusReport.Uplink = .init(state: "off", outboxPending: 0)
    ) -> StatusReport {
        let now = now()
        let cameras = configuration.cameras.map {
            camera(configured: $0, facts: facts[$0.id], relay: relay?.camera($0.id), now: now)
        }
        let disk = Self.disk(root: configuration.storage.root, retention: configuration.retention)
        var problems: [String] = []
        var details: [StatusProblem] = []
        if let disk, disk.freePercent < disk.minFreePercent {
            problems.append(
                String(
                    format:
                        "storage %@: only %.1f%% free, below retention.min_free_percent (%.0f%%) — the oldest footage is deleted early; add disk space",
                    disk.root, disk.freePercent, disk.minFreePercent))
            details.append(
                StatusProblem(
                    .storageLow,
                    [
                        "root": disk.root, "free": String(format: "%.1f", disk.freePercent),
                        "minimum": String(format: "%.0f", disk.minFreePercent),
                    ]))
        }
        if disk == nil {
            problems.append(
                "storage.root \(configuration.storage.root): cannot be read — create it and give the agent write access"
            )
            details.append(StatusProblem(.storageUnreadable, ["root": configuration.storage.root]))
        }
        if uplink.state == "failing" {
            problems.append(
                "registry: heartbeats are not delivered (\(uplink.outboxPending) waiting) — check the network and registry.url"
            )
            details.append(StatusProblem(.registryFailing, ["waiting": "\(uplink.outboxPending)"]))
        }
        let relayFacts = configuration.relay.map { relayConfiguration in
            StatusReport.Relay(
                listen: relayConfiguration.listen.description, clients: cameras.reduce(0) { $0 + $1.relayClients },
                authentication: relayConfiguration.username != nil)
        }
        var report = StatusReport(
            school: .init(
                id: configuration.school.id, name: configuration.school.name, region: configuration.school.region),
            generatedAt: now, uptimeSeconds: started.elapsedSeconds, cameras: cameras, disk: disk,
            uplink: uplink,
            relay: relayFacts, problems: problems)
        report.problemDetails = details
        return report
    }

    func camera(
        configured: AgentConfiguration.Camera, facts: StatusCameraFacts?, relay: RelayStatistics.Camera?, now: Date
    ) -> StatusReport.Camera {
        let facts = facts ?? StatusCameraFacts(upstream: .connecting)
        var camera = StatusReport.Camera(id: configured.id, state: facts.upstream.rawValue)
        camera.codec = facts.video?.codec
        camera.width = facts.video?.width
        camera.height = facts.video?.height
        camera.framesPerSecond = facts.video?.framesPerSecond
        camera.bitrateKbps = facts.bitrateKbps
        camera.lastFrameAgeSeconds = facts.lastPacketAt.map { max(0, now.timeIntervalSince($0)) }
        camera.recording = facts.recording
        camera.push = facts.push
        camera.relayClients = relay?.clients ?? 0
        camera.relayDroppedPackets = relay?.droppedPackets ?? 0
        let segments = SegmentStore(root: configuration.storage.root).segments(camera: configured.id)
        camera.segments = segments.count
        camera.oldestSegment = segments.first?.start
        camera.newestSegment = segments.last?.start
        // Footage named after "now" (a clock corrected back after running ahead) is 0 days, not negative.
        camera.daysKept = segments.first.map { max(0, now.timeIntervalSince($0.start) / 86_400) }
        var details: [StatusProblem] = []
        switch facts.upstream {
        case .offline:
            let since = camera.lastFrameAgeSeconds.map { String(format: " for %.0f s", $0) } ?? ""
            let redacted = facts.lastError.map(CredentialRedaction.redact)
            let reason = redacted.map { " (\($0))" } ?? ""
            camera.problems.append(
                "no video\(since)\(reason) — check the camera's power and network, and cameras[\(configured.id)].url and password"
            )
            let seconds = camera.lastFrameAgeSeconds.map { String(format: "%.0f", $0) }
            var values = ["camera": configured.id]
            values["seconds"] = seconds
            details.append(StatusProblem(seconds == nil ? .noVideo : .noVideoFor, values, reason: redacted))
        case .connecting:
            camera.problems.append(
                "connecting to the camera — wait a few seconds; if it stays so, check cameras[\(configured.id)].url")
            details.append(StatusProblem(.connecting, ["camera": configured.id]))
        case .live, .disabled, .idle:
            break
        }
        if configured.record != nil && facts.upstream == .live && facts.recording != "recording" {
            camera.problems.append("the camera is live but not recorded — check storage.root is writable and has space")
            details.append(StatusProblem(.notRecorded))
        }
        camera.problemDetails = details
        return camera
    }

    static func disk(root: String, retention: AgentConfiguration.Retention) -> StatusReport.Disk? {
        guard let attributes = try? FileManager.default.attributesOfFileSystem(forPath: root),
            let total = (attributes[.systemSize] as? NSNumber)?.int64Value,
            let free = (attributes[.systemFreeSize] as? NSNumber)?.int64Value,
            total > 0
        else { return nil }
        return StatusReport.Disk(
            root: root, totalBytes: total, freeBytes: free, freePercent: Double(free) * 100 / Double(total),
            retentionDays: retention.days,
            minFreePercent: retention.minFreePercent)
    }
}
