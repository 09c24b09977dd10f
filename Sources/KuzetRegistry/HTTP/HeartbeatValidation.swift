import Foundation
import KuzetCore
import KuzetProtocol

/// Range and shape checks the JSON types cannot express. Every problem is collected, each as
/// `path: what is wrong — what to do`.
enum HeartbeatValidation {
    static func problems(_ heartbeats: [Heartbeat], batch: Bool) -> [String] {
        var problems: [String] = []
        for (index, heartbeat) in heartbeats.enumerated() {
            problems += Self.problems(heartbeat, at: batch ? "heartbeats[\(index)]" : "")
        }
        var seen = Set<UInt64>()
        for heartbeat in heartbeats where !seen.insert(heartbeat.sequence).inserted {
            problems.append(
                "heartbeats: sequence \(heartbeat.sequence) appears twice in one batch — send each heartbeat once")
        }
        return problems
    }

    static func problems(_ heartbeat: Heartbeat, at base: String) -> [String] {
        var problems: [String] = []
        // Paths and messages are built only for a problem: most heartbeats have none, and building
        // "cameras[3].width" for every check was most of validation's time (perf).
        func path(_ field: String) -> String { base.isEmpty ? field : "\(base).\(field)" }
        func check(_ ok: Bool, _ field: @autoclosure () -> String, _ message: @autoclosure () -> String) {
            if !ok { problems.append("\(path(field())): \(message())") }
        }
        func range<T: Comparable>(_ value: T?, _ bounds: ClosedRange<T>, _ field: @autoclosure () -> String) {
            guard let value, !bounds.contains(value) else { return }
            check(
                false, field(),
                "\(value) is out of range \(bounds.lowerBound)…\(bounds.upperBound) — send a value in range")
        }
        check(
            SchoolIdentifier.isValid(heartbeat.schoolID), "school_id",
            "\"\(heartbeat.schoolID.prefix(80))\" is not a school id — use 1–64 of A-Z a-z 0-9 . _ -")
        range(heartbeat.sequence, 1...UInt64(Int64.max), "sequence")
        range(heartbeat.sentAt, WireLimits.earliestDate...WireLimits.latestDate, "sent_at")
        check(
            WireLimits.fits(heartbeat.agentVersion, 64) && !heartbeat.agentVersion.isEmpty, "agent_version",
            "must be 1–64 characters — send the agent's version string")
        if let fingerprint = heartbeat.configFingerprint {
            check(
                fingerprint.utf8.count == 64
                    && fingerprint.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) },
                "config_fingerprint",
                "must be 64 lower-case hex digits (SHA-256) — send the agent's fingerprint or leave it out")
        }
        range(heartbeat.uptimeSeconds, 0...1e10, "uptime_seconds")
        if let clock = heartbeat.clock {
            range(clock.offsetSeconds, -1e10...1e10, "clock.offset_seconds")
            range(clock.lastStepSeconds, -1e10...1e10, "clock.last_step_seconds")
            range(clock.lastStepAt, WireLimits.earliestDate...WireLimits.latestDate, "clock.last_step_at")
            range(clock.untrustedSegments, 0...1_000_000_000, "clock.untrusted_segments")
        }
        range(heartbeat.intervalSeconds, 1...86_400, "interval_seconds")
        if let school = heartbeat.school {
            check(
                WireLimits.isDisplayText(school.name, maximum: 200), "school.name",
                "must be 1–200 characters without control characters — fix school.name in the agent config")
            check(
                WireLimits.isDisplayText(school.region, maximum: 100), "school.region",
                "must be 1–100 characters without control characters — fix school.region in the agent config")
        }
        check(
            heartbeat.cameras.count <= 256, "cameras",
            "\(heartbeat.cameras.count) cameras, at most 256 — split the school across agents")
        var ids = Set<String>()
        for (index, camera) in heartbeat.cameras.enumerated() {
            var at: String { "cameras[\(index)]" }
            check(
                CameraID.isValid(camera.id), "\(at).id",
                "\"\(camera.id.prefix(80))\" is not a camera id — use 1–64 of a-z 0-9 - _")
            check(
                ids.insert(camera.id).inserted, "\(at).id",
                "\"\(camera.id)\" appears twice — camera ids are unique per school")
            check(WireLimits.fits(camera.codec, 32), "\(at).codec", "longer than 32 characters — send the codec name")
            range(camera.width, 1...16_384, "\(at).width")
            range(camera.height, 1...16_384, "\(at).height")
            range(camera.fps, 0...1_000, "\(at).fps")
            range(camera.bitrateKbps, 0...1_000_000, "\(at).bitrate_kbps")
            range(camera.lastFrameAgeSeconds, 0...1e10, "\(at).last_frame_age_seconds")
            range(camera.relayClients, 0...10_000, "\(at).relay_clients")
            if let retention = camera.retention {
                range(retention.achievedDays, 0...3_650, "\(at).retention.achieved_days")
                range(retention.bytesUsed, 0...Int64.max, "\(at).retention.bytes_used")
                check(
                    retention.gaps.count <= 1_000, "\(at).retention.gaps", "more than 1000 gaps — send the largest 1000"
                )
                range(
                    retention.oldestFootage, WireLimits.earliestDate...WireLimits.latestDate,
                    "\(at).retention.oldest_footage")
                range(
                    retention.shortfallSince, WireLimits.earliestDate...WireLimits.latestDate,
                    "\(at).retention.shortfall_since")
            }
            // Issue 23: picture health and the thumbnail (its JPEG checked before it is kept).
            if let health = camera.health {
                check(
                    health.reasons.count <= PictureCheck.allCases.count, "\(at).health.reasons",
                    "\(health.reasons.count) reasons, at most \(PictureCheck.allCases.count) — send each check once")
                range(health.since, WireLimits.earliestDate...WireLimits.latestDate, "\(at).health.since")
                range(health.checkedAt, WireLimits.earliestDate...WireLimits.latestDate, "\(at).health.checked_at")
            }
            if let thumbnail = camera.thumbnail {
                if case .failure(let problem) = StoredThumbnail.jpeg(of: thumbnail) {
                    check(false, "\(at).thumbnail.\(problem.field)", problem.message)
                }
                range(thumbnail.takenAt, WireLimits.earliestDate...WireLimits.latestDate, "\(at).thumbnail.taken_at")
            }
        }
        let thumbnails = heartbeat.cameras.count { $0.thumbnail != nil }
        check(
            thumbnails <= CameraThumbnail.maximumPerHeartbeat, "cameras",
            "\(thumbnails) thumbnails in one heartbeat, at most \(CameraThumbnail.maximumPerHeartbeat) — spread them over later heartbeats"
        )
        let storage = heartbeat.storage
        range(storage.totalBytes, 0...Int64.max, "storage.total_bytes")
        range(storage.freeBytes, 0...max(storage.totalBytes, 0), "storage.free_bytes")
        range(storage.recordingsBytes, 0...Int64.max, "storage.recordings_bytes")
        range(storage.projectedDays, 0...36_500, "storage.projected_days")
        range(storage.writeRateKbps, 0...10_000_000, "storage.write_rate_kbps")
        range(storage.retentionDays, 1...3_650, "storage.retention_days")
        if let centre = heartbeat.centre {
            range(centre.maxKbps, 0...10_000_000, "centre.max_kbps")
            range(centre.achievedKbps, 0...10_000_000, "centre.achieved_kbps")
        }
        check(
            heartbeat.events.count <= 1_000, "events",
            "\(heartbeat.events.count) events, at most 1000 — send the newest 1000")
        for (index, event) in heartbeat.events.enumerated() {
            check(
                WireLimits.fits(event.message, 1_000), "events[\(index)].message",
                "longer than 1000 characters — shorten it")
            check(
                WireLimits.fits(event.camera, 64), "events[\(index)].camera",
                "longer than 64 characters — send the camera id")
        }
        problems += CommitmentLimits.problems(heartbeat, path: path) // issue 21
        return problems
    }
}

/// Bounds for values on the wire.
enum WireLimits {
    static let earliestDate = Date(timeIntervalSince1970: 946_684_800) // 2000-01-01
    static let latestDate = Date(timeIntervalSince1970: 4_102_444_800) // 2100-01-01

    /// Present text is 1…`maximum` characters with no control characters (nil is fine).
    static func isDisplayText(_ text: String?, maximum: Int) -> Bool {
        guard let text else { return true }
        return !text.isEmpty && fits(text, maximum)
            && !text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// Text (nil is fine) of at most `maximum` characters and 4 UTF-8 bytes a character: one
    /// character may join any number of combining marks, so a count of characters alone bounds nothing.
    static func fits(_ text: String?, _ maximum: Int) -> Bool {
        guard let text else { return true }
        return text.utf8.count <= maximum * 4 && text.count <= maximum
    }
}
