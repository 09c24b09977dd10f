import Foundation
import KuzetProtocol

/// JSON shapes of the read API (see docs/registry-api.yaml). snake_case keys, ISO 8601 dates.
enum APIResponses {
    struct Flag: Encodable {
        var flag: String
        var since: Date
        init(_ mark: FlagMark) {
            flag = mark.flag.rawValue
            since = mark.since
        }
    }

    struct SchoolSummary: Encodable {
        var id: String
        var name: String?
        var region: String
        /// The region the school's heartbeats name when it is not `region` (REGION_MISMATCH).
        var reported_region: String?
        var online: Bool
        var delivering: Bool
        var retention_compliant: Bool
        var last_contact_at: Date?
        var last_sequence: UInt64?
        var cameras: Int
        var cameras_recording: Int
        var minimum_retention_days: Double?
        var flags: [Flag]

        init(_ record: SchoolRecord, now: Date, policy: FlagPolicy) {
            self.init(record.listing, now: now, policy: policy)
        }

        init(_ record: SchoolListing, now: Date, policy: FlagPolicy) {
            id = record.id
            name = record.name
            region = record.region ?? UnknownRegion.name
            reported_region = record.regionMismatch?.reported
            online = record.isOnline(at: now, policy: policy)
            delivering = record.isDelivering(at: now, policy: policy)
            retention_compliant = record.isRetentionCompliant
            last_contact_at = record.lastContactAt
            last_sequence = record.status?.lastSequence
            cameras = record.status?.cameras ?? 0
            cameras_recording = record.status?.camerasRecording ?? 0
            minimum_retention_days = record.status?.minimumRetentionDays
            flags = record.flags(at: now, policy: policy).map(Flag.init)
        }
    }

    struct SchoolList: Encodable {
        var total: Int
        var limit: Int
        var offset: Int
        var next_offset: Int?
        var schools: [SchoolSummary]
    }

    struct Camera: Encodable {
        var id: String
        var online: Bool
        var recording: String
        var push: String
        var relay_clients: Int
        var codec: String?
        var width: Int?
        var height: Int?
        var fps: Double?
        var bitrate_kbps: Double?
        var retention_days: Double?
        var oldest_footage: Date?
        var flags: [Flag]
        /// Issue 23: the agent's picture-health verdict (nil from agents that do not send it).
        var health: Health?

        init(_ camera: CameraState) {
            let report = camera.report
            id = report.id
            online = report.online
            recording = report.recording.rawValue
            push = report.push.rawValue
            relay_clients = report.relayClients
            codec = report.codec
            width = report.width
            height = report.height
            fps = report.fps
            bitrate_kbps = report.bitrateKbps
            retention_days = report.retention?.achievedDays
            oldest_footage = report.retention?.oldestFootage
            flags = camera.flags.map(Flag.init)
            health = report.health.map(Health.init)
        }
    }

    /// Issue 23: `{"state": "flagged", "reasons": ["dark"], "since": …, "checked_at": …}`.
    struct Health: Encodable {
        var state: String
        var reasons: [String]
        var since: Date
        var checked_at: Date?
        init(_ health: CameraHealthReport) {
            state = health.state.rawValue
            reasons = health.reasons.map(\.rawValue)
            since = health.since
            checked_at = health.checkedAt
        }
    }

    struct Storage: Encodable {
        var total_bytes: Int64
        var free_bytes: Int64
        var recordings_bytes: Int64
        var projected_days: Double?
        var disk_pressure: Bool
        var retention_days: Int
        init(_ storage: StorageReport) {
            total_bytes = storage.totalBytes
            free_bytes = storage.freeBytes
            recordings_bytes = storage.recordingsBytes
            projected_days = storage.projectedDays
            disk_pressure = storage.diskPressure
            retention_days = storage.retentionDays
        }
    }

    struct Event: Encodable {
        var at: Date
        var kind: String
        var camera: String?
        var message: String
    }

    struct History: Encodable {
        var sequence: UInt64
        var sent_at: Date
        var received_at: Date
        var cameras: Int
        var cameras_online: Int
        var cameras_recording: Int
        var events: [Event]

        init(_ entry: HistoryEntry) {
            sequence = entry.sequence
            sent_at = entry.sentAt
            received_at = entry.receivedAt
            let heartbeat = try? StoredJSON.decode(Heartbeat.self, entry.payload)
            cameras = heartbeat?.cameras.count ?? 0
            cameras_online = heartbeat?.cameras.filter(\.online).count ?? 0
            cameras_recording = heartbeat?.cameras.filter { $0.recording == .recording }.count ?? 0
            events = (heartbeat?.events ?? []).map {
                Event(at: $0.at, kind: $0.kind.rawValue, camera: $0.camera, message: $0.message)
            }
        }
    }

    struct SchoolDetail: Encodable {
        var school: SchoolSummary
        var agent_version: String?
        var interval_seconds: Int?
        var clock_skew_seconds: Double?
        var last_sent_at: Date?
        var storage: Storage?
        var cameras: [Camera]
        var history: [History]
        /// Issue 21: the pinned device key, and what the retention challenges proved.
        var retention_proof: RetentionProofSummary? = nil
    }

    struct ReportRow: Encodable {
        var region: String
        var schools: Int
        var online: Int
        var online_percent: Double
        var delivering: Int
        var delivering_percent: Double
        var retention_compliant: Int
        var retention_compliant_percent: Double
        var retention_proven: Int
        var retention_proven_percent: Double
        /// Issue 23: schools with CAMERA_OBSTRUCTED.
        var camera_obstructed: Int

        init(_ counts: RegionCounts) {
            retention_proven = counts.retentionProven
            retention_proven_percent = counts.percent(counts.retentionProven)
            camera_obstructed = counts.cameraObstructed
            region = counts.region
            schools = counts.schools
            online = counts.online
            online_percent = counts.percent(counts.online)
            delivering = counts.delivering
            delivering_percent = counts.percent(counts.delivering)
            retention_compliant = counts.retentionCompliant
            retention_compliant_percent = counts.percent(counts.retentionCompliant)
        }
    }

    struct Report: Encodable {
        var generated_at: Date
        var minimum_retention_days: Double
        var offline_after_intervals: Double
        var regions: [ReportRow]
        var total: ReportRow
    }
}
