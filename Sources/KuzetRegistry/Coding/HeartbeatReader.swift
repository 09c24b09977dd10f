import Foundation
import KuzetProtocol

/// Reads a heartbeat body straight into the wire types, for the common, plain case: after the date
/// fix, Foundation's generic `JSONDecoder` was the largest cost of ingest (27 % of the CPU at one
/// heartbeat per request, perf). It answers nil — and `JSONDecoder` decides — whenever anything is
/// not plainly what `JSONDecoder` reads the same way: an unknown, repeated or escaped key, a string
/// with an escape or invalid UTF-8, a number outside strict JSON grammar or its type's range, a
/// missing field, an unknown enum value, trailing text. So it never accepts what `JSONDecoder` would
/// refuse, and where it accepts, the values are the same (tests compare both on generated and
/// mutated bodies). `KuzetProtocol`'s types are the schema: a field added there and not here fails
/// `HeartbeatSchemaTests` (its heartbeat must set every field, and this reader must read it whole).
struct HeartbeatReader {
    let bytes: [UInt8]
    var index = 0
    /// White space skipped between tokens (a body padded with it is not kept as sent).
    var spaces = 0

    /// Longest number read here (a longer one goes to `JSONDecoder`, and is not kept as sent).
    static let maximumNumberLength = 40

    private init(_ body: Data) { bytes = [UInt8](body) }

    /// The heartbeats of a `HeartbeatBatch` (with its version) or of one bare `Heartbeat`.
    static func read(_ body: Data) -> HeartbeatPayloadProbe? {
        var reader = HeartbeatReader(body)
        guard var probe = reader.payload() else { return nil }
        reader.skipSpace()
        guard reader.index == reader.bytes.count else { return nil }
        probe.isPlain = reader.spaces <= 64 + reader.bytes.count / 16
        return probe
    }

    private mutating func payload() -> HeartbeatPayloadProbe? {
        // A batch has `heartbeats`; look ahead without consuming.
        var lookahead = self
        var isBatch = false
        guard
            lookahead.members({ reader, key in
                if "heartbeats" ~= key { isBatch = true }
                return reader.skipValue()
            })
        else { return nil }
        if !isBatch {
            guard let heartbeat = heartbeat() else { return nil }
            return HeartbeatPayloadProbe(heartbeats: [heartbeat], isBatch: false, versions: [heartbeat.version])
        }
        var version: Int?
        var heartbeats: [Heartbeat]?
        guard
            members({ reader, key in
                switch key {
                case "version": return reader.set(&version, reader.integer(Int.self))
                case "heartbeats": return reader.set(&heartbeats, reader.array { $0.heartbeat() })
                default: return false
                }
            }), let version, let heartbeats
        else { return nil }
        return HeartbeatPayloadProbe(
            heartbeats: heartbeats, isBatch: true, versions: [version] + heartbeats.map(\.version))
    }

    private mutating func heartbeat() -> Heartbeat? {
        var version: Int?
        var schoolID: String?
        var sequence: UInt64?
        var sentAt: Date?
        var agentVersion: String?
        var uptime: Double?
        var interval: Int?
        var school: SchoolInfo??
        var cameras: [CameraReport]?
        var storage: StorageReport?
        var centre: CentreReport??
        var events: [AgentEvent]?
        var fingerprint: String??
        var deviceKey: String??
        var dayRoots: [DayRootReport]??
        var answers: [ChallengeAnswer]??
        var clock: ClockReport??
        guard
            members({ reader, key in
                switch key {
                case "version": return reader.set(&version, reader.integer(Int.self))
                case "config_fingerprint": return reader.set(&fingerprint, reader.optional { $0.string() })
                case "school_id": return reader.set(&schoolID, reader.string())
                case "sequence": return reader.set(&sequence, reader.integer(UInt64.self))
                case "sent_at": return reader.set(&sentAt, reader.date())
                case "agent_version": return reader.set(&agentVersion, reader.string())
                case "uptime_seconds": return reader.set(&uptime, reader.double())
                case "interval_seconds": return reader.set(&interval, reader.integer(Int.self))
                case "school": return reader.set(&school, reader.optional { $0.schoolInfo() })
                case "cameras": return reader.set(&cameras, reader.array { $0.camera() })
                case "storage": return reader.set(&storage, reader.storage())
                case "centre": return reader.set(&centre, reader.optional { $0.centre() })
                case "events": return reader.set(&events, reader.array { $0.event() })
                // Issue 21 (provable retention).
                case "device_key": return reader.set(&deviceKey, reader.optional { $0.string() })
                case "day_roots": return reader.set(&dayRoots, reader.optional { $0.array { $0.dayRoot() } })
                case "challenge_answers":
                    return reader.set(&answers, reader.optional { $0.array { $0.challengeAnswer() } })
                case "clock": return reader.set(&clock, reader.optional { $0.clock() })
                default: return false
                }
            }), let version, let schoolID, let sequence, let sentAt, let agentVersion, let uptime, let interval,
            let cameras, let storage,
            let events
        else { return nil }
        var heartbeat = Heartbeat(
            version: version, schoolID: schoolID, sequence: sequence, sentAt: sentAt, agentVersion: agentVersion,
            uptimeSeconds: uptime,
            intervalSeconds: interval, school: school ?? nil, cameras: cameras, storage: storage, centre: centre ?? nil,
            events: events,
            configFingerprint: fingerprint ?? nil, clock: clock ?? nil)
        heartbeat.deviceKey = deviceKey ?? nil
        heartbeat.dayRoots = dayRoots ?? nil
        heartbeat.challengeAnswers = answers ?? nil
        return heartbeat
    }

    private mutating func clock() -> ClockReport? {
        var trusted: Bool?
        var synchronised: Bool?
        var offset: Double??
        var stepAt: Date??
        var stepSeconds: Double??
        var untrusted: Int?
        guard
            members({ reader, key in
                switch key {
                case "trusted": return reader.set(&trusted, reader.bool())
                case "synchronised": return reader.set(&synchronised, reader.bool())
                case "offset_seconds": return reader.set(&offset, reader.optional { $0.double() })
                case "last_step_at": return reader.set(&stepAt, reader.optional { $0.date() })
                case "last_step_seconds": return reader.set(&stepSeconds, reader.optional { $0.double() })
                case "untrusted_segments": return reader.set(&untrusted, reader.integer(Int.self))
                default: return false
                }
            }), let trusted, let synchronised, let untrusted
        else { return nil }
        return ClockReport(
            trusted: trusted, synchronised: synchronised, offsetSeconds: offset ?? nil, lastStepAt: stepAt ?? nil,
            lastStepSeconds: stepSeconds ?? nil, untrustedSegments: untrusted)
    }

    private mutating func schoolInfo() -> SchoolInfo? {
        var name: String??
        var region: String??
        guard
            members({ reader, key in
                switch key {
                case "name": return reader.set(&name, reader.optional { $0.string() })
                case "region": return reader.set(&region, reader.optional { $0.string() })
                default: return false
                }
            })
        else { return nil }
        return SchoolInfo(name: name ?? nil, region: region ?? nil)
    }

    private mutating func camera() -> CameraReport? {
        var id: String?
        var online: Bool?
        var codec: String??
        var width: Int??
        var height: Int??
        var fps: Double??
        var bitrate: Double??
        var frameAge: Double??
        var recording: CameraReport.RecordingState?
        var push: CameraReport.DeliveryState?
        var relayClients: Int?
        var retention: RetentionReport??
        var idleOnDemand: Bool?? // issue 22
        var health: CameraHealthReport??
        var thumbnail: CameraThumbnail??
        guard
            members({ reader, key in
                switch key {
                case "id": return reader.set(&id, reader.string())
                case "health": return reader.set(&health, reader.optional { $0.health() })
                case "thumbnail": return reader.set(&thumbnail, reader.optional { $0.thumbnail() })
                case "online": return reader.set(&online, reader.bool())
                case "codec": return reader.set(&codec, reader.optional { $0.string() })
                case "width": return reader.set(&width, reader.optional { $0.integer(Int.self) })
                case "height": return reader.set(&height, reader.optional { $0.integer(Int.self) })
                case "fps": return reader.set(&fps, reader.optional { $0.double() })
                case "bitrate_kbps": return reader.set(&bitrate, reader.optional { $0.double() })
                case "last_frame_age_seconds": return reader.set(&frameAge, reader.optional { $0.double() })
                case "recording":
                    return reader.set(&recording, reader.string().flatMap(CameraReport.RecordingState.init(rawValue:)))
                case "push":
                    return reader.set(&push, reader.string().flatMap(CameraReport.DeliveryState.init(rawValue:)))
                case "relay_clients": return reader.set(&relayClients, reader.integer(Int.self))
                case "retention": return reader.set(&retention, reader.optional { $0.retention() })
                case "idle_on_demand": return reader.set(&idleOnDemand, reader.optional { $0.bool() }) // issue 22
                default: return false
                }
            }), let id, let online, let recording, let push, let relayClients
        else { return nil }
        return CameraReport(
            id: id, online: online, codec: codec ?? nil, width: width ?? nil, height: height ?? nil, fps: fps ?? nil,
            bitrateKbps: bitrate ?? nil,
            lastFrameAgeSeconds: frameAge ?? nil, recording: recording, push: push, relayClients: relayClients,
            retention: retention ?? nil, idleOnDemand: idleOnDemand ?? nil, health: health ?? nil,
            thumbnail: thumbnail ?? nil)
    }

    /// Issue 23: a camera's picture-health verdict.
    private mutating func health() -> CameraHealthReport? {
        var state: CameraHealthReport.State?
        var reasons: [PictureCheck]?
        var since: Date?
        var checkedAt: Date??
        guard
            members({ reader, key in
                switch key {
                case "state":
                    return reader.set(&state, reader.string().flatMap(CameraHealthReport.State.init(rawValue:)))
                case "reasons":
                    return reader.set(&reasons, reader.array { $0.string().flatMap(PictureCheck.init(rawValue:)) })
                case "since": return reader.set(&since, reader.date())
                case "checked_at": return reader.set(&checkedAt, reader.optional { $0.date() })
                default: return false
                }
            }), let state, let reasons, let since
        else { return nil }
        return CameraHealthReport(state: state, reasons: reasons, since: since, checkedAt: checkedAt ?? nil)
    }

    /// Issue 23: a camera's thumbnail (its JPEG is checked by `HeartbeatValidation`, not here).
    private mutating func thumbnail() -> CameraThumbnail? {
        var takenAt: Date?
        var jpeg: String?
        var width: Int?
        var height: Int?
        guard
            members({ reader, key in
                switch key {
                case "taken_at": return reader.set(&takenAt, reader.date())
                case "jpeg": return reader.set(&jpeg, reader.base64())
                case "width": return reader.set(&width, reader.integer(Int.self))
                case "height": return reader.set(&height, reader.integer(Int.self))
                default: return false
                }
            }), let takenAt, let jpeg, let width, let height
        else { return nil }
        return CameraThumbnail(takenAt: takenAt, jpeg: jpeg, width: width, height: height)
    }

    private mutating func retention() -> RetentionReport? {
        var oldest: Date??
        var achieved: Double?
        var gaps: [TimeRange]?
        var bytesUsed: Int64?
        var shortfall: Date??
        var recorded: Double??
        guard
            members({ reader, key in
                switch key {
                case "oldest_footage": return reader.set(&oldest, reader.optional { $0.date() })
                case "achieved_days": return reader.set(&achieved, reader.double())
                case "gaps": return reader.set(&gaps, reader.array { $0.timeRange() })
                case "bytes_used": return reader.set(&bytesUsed, reader.integer(Int64.self))
                case "shortfall_since": return reader.set(&shortfall, reader.optional { $0.date() })
                case "recorded_kbps": return reader.set(&recorded, reader.optional { $0.double() })
                default: return false
                }
            }), let achieved, let gaps, let bytesUsed
        else { return nil }
        return RetentionReport(
            oldestFootage: oldest ?? nil, achievedDays: achieved, gaps: gaps, bytesUsed: bytesUsed,
            shortfallSince: shortfall ?? nil,
            recordedKbps: recorded ?? nil)
    }

    private mutating func timeRange() -> TimeRange? {
        var from: Date?
        var to: Date?
        guard
            members({ reader, key in
                switch key {
                case "from": return reader.set(&from, reader.date())
                case "to": return reader.set(&to, reader.date())
                default: return false
                }
            }), let from, let to
        else { return nil }
        return TimeRange(from: from, to: to)
    }

    private mutating func storage() -> StorageReport? {
        var total: Int64?
        var free: Int64?
        var recordings: Int64?
        var projected: Double??
        var writeRate: Double??
        var pressure: Bool?
        var retentionDays: Int?
        var sweepAt: Date??
        var sweepFiles: Int??
        var sweepBytes: Int64??
        guard
            members({ reader, key in
                switch key {
                case "total_bytes": return reader.set(&total, reader.integer(Int64.self))
                case "free_bytes": return reader.set(&free, reader.integer(Int64.self))
                case "recordings_bytes": return reader.set(&recordings, reader.integer(Int64.self))
                case "projected_days": return reader.set(&projected, reader.optional { $0.double() })
                case "write_rate_kbps": return reader.set(&writeRate, reader.optional { $0.double() })
                case "disk_pressure": return reader.set(&pressure, reader.bool())
                case "retention_days": return reader.set(&retentionDays, reader.integer(Int.self))
                case "last_sweep_at": return reader.set(&sweepAt, reader.optional { $0.date() })
                case "last_sweep_deleted_files":
                    return reader.set(&sweepFiles, reader.optional { $0.integer(Int.self) })
                case "last_sweep_deleted_bytes":
                    return reader.set(&sweepBytes, reader.optional { $0.integer(Int64.self) })
                default: return false
                }
            }), let total, let free, let recordings, let pressure, let retentionDays
        else { return nil }
        return StorageReport(
            totalBytes: total, freeBytes: free, recordingsBytes: recordings, projectedDays: projected ?? nil,
            writeRateKbps: writeRate ?? nil,
            diskPressure: pressure, retentionDays: retentionDays, lastSweepAt: sweepAt ?? nil,
            lastSweepDeletedFiles: sweepFiles ?? nil,
            lastSweepDeletedBytes: sweepBytes ?? nil)
    }

    private mutating func centre() -> CentreReport? {
        var maximum: Int?
        var achieved: Double?
        var live: Double??
        var upload: Double??
        var sessions: Int??
        guard
            members({ reader, key in
                switch key {
                case "max_kbps": return reader.set(&maximum, reader.integer(Int.self))
                case "achieved_kbps": return reader.set(&achieved, reader.double())
                // Issue 22: on-demand live pushes and uploads.
                case "live_kbps": return reader.set(&live, reader.optional { $0.double() })
                case "upload_kbps": return reader.set(&upload, reader.optional { $0.double() })
                case "live_sessions": return reader.set(&sessions, reader.optional { $0.integer(Int.self) })
                default: return false
                }
            }), let maximum, let achieved
        else { return nil }
        return CentreReport(
            maxKbps: maximum, achievedKbps: achieved, liveKbps: live ?? nil, uploadKbps: upload ?? nil,
            liveSessions: sessions ?? nil)
    }

    private mutating func event() -> AgentEvent? {
        var at: Date?
        var kind: AgentEvent.Kind?
        var camera: String??
        var message: String?
        guard
            members({ reader, key in
                switch key {
                case "at": return reader.set(&at, reader.date())
                case "kind": return reader.set(&kind, reader.string().flatMap(AgentEvent.Kind.init(rawValue:)))
                case "camera": return reader.set(&camera, reader.optional { $0.string() })
                case "message": return reader.set(&message, reader.string())
                default: return false
                }
            }), let at, let kind, let message
        else { return nil }
        return AgentEvent(at: at, kind: kind, camera: camera ?? nil, message: message)
    }

    // Issue 21 (provable retention).
    private mutating func dayRoot() -> DayRootReport? {
        var camera: String?
        var day: String?
        var segments: Int?
        var root: String?
        var signature: String?
        guard
            members({ reader, key in
                switch key {
                case "camera": return reader.set(&camera, reader.string())
                case "day": return reader.set(&day, reader.string())
                case "segments": return reader.set(&segments, reader.integer(Int.self))
                case "root": return reader.set(&root, reader.string())
                case "signature": return reader.set(&signature, reader.string())
                default: return false
                }
            }), let camera, let day, let segments, let root, let signature
        else { return nil }
        return DayRootReport(camera: camera, day: day, segments: segments, root: root, signature: signature)
    }

    private mutating func challengeAnswer() -> ChallengeAnswer? {
        var id: String?
        var camera: String?
        var day: String?
        var segmentIndex: Int?
        var status: ChallengeAnswer.Status?
        var record: String??
        var segmentPath: [String]??
        var chunkIndex: Int??
        var chunk: String??
        var chunkPath: [String]??
        guard
            members({ reader, key in
                switch key {
                case "id": return reader.set(&id, reader.string())
                case "camera": return reader.set(&camera, reader.string())
                case "day": return reader.set(&day, reader.string())
                case "segment_index": return reader.set(&segmentIndex, reader.integer(Int.self))
                case "status":
                    return reader.set(&status, reader.string().flatMap(ChallengeAnswer.Status.init(rawValue:)))
                case "segment_record": return reader.set(&record, reader.optional { $0.string() })
                case "segment_path": return reader.set(&segmentPath, reader.optional { $0.array { $0.string() } })
                case "chunk_index": return reader.set(&chunkIndex, reader.optional { $0.integer(Int.self) })
                case "chunk": return reader.set(&chunk, reader.optional { $0.string() })
                case "chunk_path": return reader.set(&chunkPath, reader.optional { $0.array { $0.string() } })
                default: return false
                }
            }), let id, let camera, let day, let segmentIndex, let status
        else { return nil }
        return ChallengeAnswer(
            id: id, camera: camera, day: day, segmentIndex: segmentIndex, status: status, segmentRecord: record ?? nil,
            segmentPath: segmentPath ?? nil, chunkIndex: chunkIndex ?? nil, chunk: chunk ?? nil,
            chunkPath: chunkPath ?? nil)
    }
}
