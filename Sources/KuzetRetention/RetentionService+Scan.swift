import Foundation
import KuzetCore
import KuzetSegmentStore
import Logging
import Synchronization

extension RetentionService {
    /// Lists the store into the index (startup; and daily, as a safety net).
    ///
    /// At startup each camera's last segment — the one a crash would have torn — is checked with
    /// libavformat when no writer touched it within 2 × `segment_seconds`: playable, it is kept
    /// (its real length indexed) and counted; holding no frame at all, it is deleted (nothing is lost).
    @discardableResult
    public func scan(checkLastSegments: Bool = true) async -> RetentionScanSummary {
        let settings = self.settings
        let store = self.store
        let startedAt = now()
        let lastSegmentCheck = self.lastSegmentCheck
        var (found, torn) = await BlockingWork.run("kuzet.retention.scan") {
            () -> (StorageScan, [String: SegmentCheck]) in
            let found = StorageScan.scan(
                root: settings.root, segmentSeconds: settings.segmentSeconds, ownFiles: [Self.ledgerFileName])
            var torn: [String: SegmentCheck] = [:]
            guard checkLastSegments else { return (found, torn) }
            for (camera, segments) in found.cameras {
                guard let last = segments.newest.map({ store.file(camera: camera, segment: $0) }),
                    startedAt.millisecondsSince1970 - StorageScan.modifiedMillis(last.path) >= settings.openGuardMillis
                else { continue }
                torn[camera] = lastSegmentCheck(last.path)
            }
            return (found, torn)
        }
        var tornKept = 0
        var discarded: [String] = []
        for (camera, check) in torn {
            guard var segments = found.cameras[camera], let last = segments.newest else { continue }
            let file = store.file(camera: camera, segment: last)
            if check.packets > 0 {
                tornKept += 1
                if let seconds = check.durationSeconds, seconds > 0 {
                    var fixed = last
                    fixed.duration = Int32(clamping: Int64(seconds * 1000))
                    segments.insert(fixed)
                    found.cameras[camera] = segments
                }
            } else if unlink(file.path) == 0 {
                segments.remove(start: last.start)
                found.cameras[camera] = segments
                found.segmentCount -= 1
                found.bytes -= last.bytes
                discarded.append(file.description)
                logger.warning(
                    "deleted a last segment holding no frame",
                    metadata: ["camera.id": "\(camera)", "segment.file": "\(file.name.fileName)"])
            }
        }
        let summary = RetentionScanSummary(
            cameras: found.cameras.keys.sorted(), segments: found.segmentCount, bytes: found.bytes,
            foreignFileCount: found.foreignFileCount, foreignFiles: found.foreignFiles, tornKept: tornKept,
            tornDiscarded: discarded.sorted(), duration: found.duration)
        let scanned = found.cameras
        state.withLock { state in
            // Keep what the recorder reported while the scan ran; the disk is the truth for the rest.
            for (camera, segments) in state.cameras {
                guard var merged = scanned[camera] else { continue }
                if let newest = merged.newest?.start {
                    for segment in segments.all where segment.start > newest { merged.insert(segment) }
                }
                state.cameras[camera] = merged
            }
            for (camera, segments) in scanned where state.cameras[camera] == nil { state.cameras[camera] = segments }
            state.scan = summary
            state.lastScanAt = startedAt
            if let loaded = self.loadLedger() { state.shortfalls.merge(loaded) { current, _ in current } }
            for (camera, footage) in self.loadUntrustedFootage() where state.untrusted[camera] == nil {
                state.untrusted[camera] = footage
            }
        }
        if found.foreignFileCount > 0 {
            logger.warning(
                "files in the recordings folder that are not Kuzet segments are left alone",
                metadata: [
                    "storage.foreign_files": "\(found.foreignFileCount)",
                    "storage.examples": "\(found.foreignFiles.prefix(5))",
                ])
        }
        logger.info(
            "storage scanned",
            metadata: [
                "storage.cameras": "\(summary.cameras.count)", "storage.segments": "\(summary.segments)",
                "storage.bytes": "\(summary.bytes)", "storage.torn_kept": "\(tornKept)",
                "scan.seconds": "\(summary.duration)",
            ])
        return summary
    }
}
