import Foundation
import KuzetSegmentStore
import Logging
import Synchronization

/// The recorder's announcements keep the index current (no re-listing of the store).
extension RetentionService: SegmentEvents {
    /// The store retention reads and sweeps.
    var store: SegmentStore { SegmentStore(root: settings.root) }

    /// The recorder created a segment file: that file is never deleted while open.
    /// One named while the wall clock is untrusted is marked (``UntrustedFootage``): never deleted by age.
    public func segmentOpened(_ segment: SegmentFile) {
        let start = segment.start.millisecondsSince1970
        let trusted = trustedTime()
        let join = Int64(settings.segmentSeconds) * 3000
        state.withLock {
            _ = $0.open[segment.camera, default: []].insert(start)
            if !trusted {
                $0.untrusted[segment.camera, default: UntrustedFootage()].insert(start, joinMillis: join)
                $0.ledgerDirty = true
            }
        }
    }

    /// A segment is complete on disk (closed, flushed): it joins the index and a sweep is due (the
    /// disk just got fuller).
    public func segmentClosed(_ segment: SegmentFile, bytes: Int64, duration: Double) {
        let entry = IndexedSegment(name: segment.name, bytes: bytes, durationSeconds: duration)
        let camera = segment.camera
        state.withLock {
            $0.open[camera]?.remove(entry.start)
            if $0.open[camera]?.isEmpty == true { $0.open[camera] = nil }
            $0.cameras[camera, default: CameraSegments()].insert(entry)
        }
        wake.yield()
    }

    /// Forgets untrusted ranges no indexed segment falls in (deleted under disk pressure), and
    /// writes the ledger when the marks changed.
    func pruneUntrustedFootage() {
        let dirty = state.withLock { state in
            for camera in Array(state.untrusted.keys) {
                guard var footage = state.untrusted[camera] else { continue }
                let before = footage
                // Untrusted footage leaves only oldest first (disk pressure): a range wholly before
                // the oldest segment indexed, with none of it open, is gone.
                let oldest = state.cameras[camera]?.oldest?.start
                let open = state.open[camera] ?? []
                footage.prune { range in
                    open.contains { range.from <= $0 && $0 <= range.to } || (oldest.map { range.to >= $0 } ?? false)
                }
                if footage != before { state.ledgerDirty = true }
                state.untrusted[camera] = footage.isEmpty ? nil : footage
            }
            defer { state.ledgerDirty = false }
            return state.ledgerDirty
        }
        if dirty { saveLedger() }
    }

    /// Segments of `camera` named while the clock was untrusted, among those indexed.
    func untrustedSegmentCount(camera: String, in state: State) -> Int {
        guard let footage = state.untrusted[camera], let segments = state.cameras[camera] else { return 0 }
        return segments.all.reduce(0) { $0 + (footage.contains($1.start) ? 1 : 0) }
    }

    /// Whether a segment may be deleted now: not declared open, and not a camera's newest file
    /// modified within 2 × `segment_seconds` (it may be being written by a writer that did not say so).
    func isProtected(camera: String, segment: IndexedSegment, isNewest: Bool, open: Set<Int64>?) -> Bool {
        if open?.contains(segment.start) == true { return true }
        guard isNewest else { return false }
        let path = store.file(camera: camera, segment: segment).path
        return now().millisecondsSince1970 - StorageScan.modifiedMillis(path) < settings.openGuardMillis
    }
}
