import Foundation
import KuzetCore
import KuzetSegmentStore
import Logging
import Metrics
import Synchronization

extension RetentionService {
    /// When free space is below the reserve, deletes the oldest footage of all cameras — even if
    /// younger than `retention.days` — until free space is back above the reserve plus two segments
    /// of writing (so it does not run on every segment). Each early deletion is a shortfall.
    func relievePressure(_ sweep: inout RetentionSweep) {
        guard let disk = diskSpace(settings.root) else {
            logger.error(
                "cannot read the free space of the recordings folder — check storage.root",
                metadata: ["storage.root": "\(settings.root)"])
            return
        }
        let at = now()
        let bitsPerSecond = writeBitsPerSecond(at: at)
        var free = disk.freeBytes
        let recordings = state.withLock { $0.cameras.values.reduce(Int64(0)) { $0 + $1.bytes } }
        let space = RetentionSpace(
            totalBytes: disk.totalBytes, freeBytes: free, recordingsBytes: recordings,
            minFreePercent: settings.minFreePercent)
        let reserve = space.reserveBytes(atBitsPerSecond: bitsPerSecond)
        Gauge(label: "kuzet_retention_free_bytes").record(free)
        state.withLock { $0.space = space }
        guard free < reserve else {
            noteNoPressure(at: at)
            return
        }
        let target = reserve + Int64(bitsPerSecond / 8 * Double(settings.segmentSeconds) * 2)
        startPressureEpisode(at: at, free: free, total: disk.totalBytes, reserve: reserve)
        let cutoff = self.cutoff
        // On an untrusted clock a segment's age is not known: every deletion counts as early.
        let trusted = trustedTime()
        while free < target {
            guard let (camera, segment) = takeOldestUnprotected() else {
                let first = state.withLock { state in
                    defer { state.nothingLeftLogged = true }
                    return !state.nothingLeftLogged
                }
                if first {
                    logger.critical(
                        "disk full and no footage left that may be deleted — free space on the recordings disk (other files are filling it)",
                        metadata: ["storage.root": "\(settings.root)"])
                }
                break
            }
            guard delete(camera: camera, segment: segment) else {
                sweep.failures += 1
                break
            }
            sweep.pressureFiles += 1
            sweep.pressureBytes += segment.bytes
            if segment.end > cutoff || !trusted { noteShortfall(camera: camera, at: at) }
            free = diskSpace(settings.root)?.freeBytes ?? (free + segment.bytes)
        }
        if sweep.pressureFiles > 0 {
            Counter(label: "kuzet_retention_deleted_segments_total", dimensions: [("reason", "pressure")]).increment(
                by: sweep.pressureFiles)
            Counter(label: "kuzet_retention_deleted_bytes_total", dimensions: [("reason", "pressure")]).increment(
                by: Int(sweep.pressureBytes))
        }
        state.withLock {
            $0.space?.freeBytes = free
            $0.space?.recordingsBytes -= sweep.pressureBytes
        }
    }

    /// The oldest segment of any camera that may be deleted, taken out of the index.
    func takeOldestUnprotected() -> (String, IndexedSegment)? {
        state.withLock { state in
            var candidates = state.cameras.compactMap { camera, segments in
                segments.oldest.map { (camera, $0, segments.count == 1) }
            }
            candidates.sort { $0.1.start < $1.1.start }
            for (camera, segment, isNewest) in candidates
            where !isProtected(camera: camera, segment: segment, isNewest: isNewest, open: state.open[camera]) {
                state.cameras[camera]?.removeOldest()
                return (camera, segment)
            }
            return nil
        }
    }

    func startPressureEpisode(at: Date, free: Int64, total: Int64, reserve: Int64) {
        let isNew = state.withLock { state -> Bool in
            state.pressureFreeSince = nil
            guard state.pressureSince == nil else { return false }
            state.pressureSince = at
            state.events.append(
                .init(
                    at: at, kind: .diskPressure, camera: nil,
                    message:
                        "free \(free) of \(total) bytes is below the reserve of \(reserve) bytes: deleting the oldest footage even if younger than \(settings.days) days"
                ))
            return true
        }
        guard isNew else { return }
        logger.critical(
            "disk pressure: deleting the oldest footage even if younger than retention.days — add disk or record some cameras from their sub stream (see `kuzet-agent check`)",
            metadata: [
                "storage.free_bytes": "\(free)", "storage.total_bytes": "\(total)",
                "storage.reserve_bytes": "\(reserve)", "retention.days": "\(settings.days)",
            ])
    }

    func noteNoPressure(at: Date) {
        let cleared = state.withLock { state -> Date? in
            guard let since = state.pressureSince else { return nil }
            guard let freeSince = state.pressureFreeSince else {
                state.pressureFreeSince = at
                return nil
            }
            guard at.timeIntervalSince(freeSince) >= settings.pressureClearAfter.seconds else { return nil }
            state.pressureSince = nil
            state.pressureFreeSince = nil
            state.nothingLeftLogged = false
            state.events.append(
                .init(
                    at: at, kind: .diskPressureCleared, camera: nil,
                    message: "free space above the reserve again (pressure began \(since))"))
            return since
        }
        if let cleared { logger.notice("disk pressure cleared", metadata: ["pressure.since": "\(cleared)"]) }
    }

    func noteShortfall(camera: String, at: Date) {
        let achieved = achievedDays(camera: camera, at: at)
        let isNew = state.withLock { state -> Bool in
            if var existing = state.shortfalls[camera] {
                existing.achievedDays = achieved
                existing.lastForcedDeletion = at
                state.shortfalls[camera] = existing
                return false
            }
            state.shortfalls[camera] = RetentionShortfall(
                camera: camera, since: at, achievedDays: achieved, lastForcedDeletion: at)
            state.events.append(
                .init(
                    at: at, kind: .retentionShortfall, camera: camera,
                    message: String(
                        format: "camera %@ keeps %.2f days, below the legal %d", camera, achieved, settings.days)))
            return true
        }
        if isNew {
            logger.error(
                "retention shortfall: footage younger than retention.days deleted for lack of disk",
                metadata: ["camera.id": "\(camera)", "retention.achieved_days": "\(achieved)"])
        }
        saveLedger()
    }

    /// A shortfall ends when the camera holds `retention.days` of footage again, by trusted time
    /// (an untrusted clock cannot show how old the oldest footage is).
    func updateShortfalls() {
        guard trustedTime() else { return }
        let at = now()
        let cutoff = self.cutoff
        let restored = state.withLock { state -> [String] in
            let restored = state.shortfalls.keys.filter { camera in
                guard let oldest = state.cameras[camera]?.oldest else { return state.cameras[camera] == nil }
                return oldest.start <= cutoff
            }
            for camera in restored {
                state.shortfalls[camera] = nil
                state.events.append(
                    .init(
                        at: at, kind: .retentionRestored, camera: camera,
                        message: "camera \(camera) keeps \(settings.days) days again"))
            }
            return restored
        }
        if !restored.isEmpty { saveLedger() }
    }

    func achievedDays(camera: String, at: Date) -> Double {
        state.withLock { state in
            guard let segments = state.cameras[camera] else { return 0 }
            return Self.achievedDays(segments, nowMillis: at.millisecondsSince1970)
        }
    }
}
