import Foundation
import KuzetCore
import KuzetSegmentStore
import Logging
import Metrics
import Synchronization

extension RetentionService {
    /// One pass: delete what is older than `retention.days`, prune empty folders of cameras no longer
    /// recorded, then relieve disk pressure. Runs on its own thread (it unlinks files).
    @discardableResult
    public func sweep() async -> RetentionSweep {
        await BlockingWork.run("kuzet.retention.sweep") { self.sweepNow() }
    }

    /// The sweep itself, blocking. Work is O(cameras + deleted files): the index says what expired.
    func sweepNow() -> RetentionSweep {
        let began = MonotonicInstant.now()
        var sweep = RetentionSweep(at: now())
        let cutoff = self.cutoff
        let trusted = trustedTime()
        sweep.ageDeletionHeld = !trusted
        // Take what expired out of the index under the lock, unlink outside it (the recorder's
        // segmentClosed never waits on file-system work). On untrusted time nothing expires.
        let doomed: [(camera: String, segment: IndexedSegment)] = state.withLock { state in
            state.ageDeletionHeld = !trusted
            guard trusted else { return [] }
            var doomed: [(String, IndexedSegment)] = []
            // Iterate a copy of the keys, not the dictionary: mutating the dictionary while its own
            // iterator holds it would copy every camera's segment array (O(store) per sweep).
            for camera in Array(state.cameras.keys) {
                let open = state.open[camera]
                let untrusted = state.untrusted[camera]
                let removed =
                    state.cameras[camera]?.removeExpired(
                        endingBy: cutoff,
                        stop: { isProtected(camera: camera, segment: $0, isNewest: $1, open: open) },
                        keep: { untrusted?.contains($0.start) == true }) ?? []
                doomed.append(contentsOf: removed.map { (camera, $0) })
            }
            return doomed
        }
        for (camera, segment) in doomed {
            if delete(camera: camera, segment: segment) {
                sweep.expiredFiles += 1
                sweep.expiredBytes += segment.bytes
            } else {
                sweep.failures += 1
            }
        }
        if sweep.expiredFiles > 0 {
            Counter(label: "kuzet_retention_deleted_segments_total", dimensions: [("reason", "expired")]).increment(
                by: sweep.expiredFiles)
            Counter(label: "kuzet_retention_deleted_bytes_total", dimensions: [("reason", "expired")]).increment(
                by: Int(sweep.expiredBytes))
        }
        sweep.prunedFolders = pruneEmptyFolders()
        relievePressure(&sweep)
        updateShortfalls()
        pruneUntrustedFootage()
        sweep.duration = began.elapsedSeconds
        state.withLock { $0.lastSweep = sweep }
        if sweep.deletedFiles > 0 || sweep.failures > 0 {
            // During a disk-pressure episode (logged critical once) each sweep is only debug detail.
            logger.log(
                level: sweep.expiredFiles > 0 || sweep.failures > 0 ? .info : .debug,
                "retention sweep",
                metadata: [
                    "sweep.expired_files": "\(sweep.expiredFiles)", "sweep.pressure_files": "\(sweep.pressureFiles)",
                    "sweep.deleted_bytes": "\(sweep.deletedBytes)", "sweep.failures": "\(sweep.failures)",
                ])
        }
        return sweep
    }

    /// Unlinks one segment; a file already gone counts as deleted. On any other failure the
    /// segment goes back into the index (it still takes space) and the next sweep tries again.
    func delete(camera: String, segment: IndexedSegment) -> Bool {
        let file = store.file(camera: camera, segment: segment)
        if unlink(file.path) == 0 || errno == ENOENT { return true }
        let reason = String(cString: strerror(errno))
        logger.error(
            "cannot delete an expired segment — check the permissions of the recordings folder",
            metadata: ["camera.id": "\(camera)", "segment.file": "\(file.name.fileName)", "error": "\(reason)"])
        state.withLock { $0.cameras[camera, default: CameraSegments()].insert(segment) }
        return false
    }

    /// Removes folders of cameras not recorded any more once they hold no segment. A folder that
    /// still holds a foreign file stays (rmdir refuses), and so does its index entry.
    func pruneEmptyFolders() -> [String] {
        let candidates = state.withLock { state in
            state.cameras.filter {
                $0.value.isEmpty && !settings.recordedCameras.contains($0.key) && state.open[$0.key] == nil
            }.map(\.key)
        }
        var pruned: [String] = []
        for camera in candidates.sorted() {
            let folder = store.folder(camera: camera)
            if rmdir(folder) == 0 || errno == ENOENT {
                let stillEmpty = state.withLock { state in
                    guard state.cameras[camera]?.isEmpty == true, state.open[camera] == nil else { return false }
                    state.cameras[camera] = nil
                    return true
                }
                if stillEmpty { pruned.append(camera) }
                logger.info(
                    "removed the empty folder of a camera no longer recorded", metadata: ["camera.id": "\(camera)"])
            }
        }
        return pruned
    }
}
