import Foundation
import KuzetSegmentStore
import Logging
import Synchronization

/// The recorder's announcements keep the index current (no re-listing of the store).
extension RetentionService: SegmentEvents {
    /// The store retention reads and sweeps.
    var store: SegmentStore { SegmentStore(root: settings.root) }

    /// The recorder created a segment file: that file is never deleted while open.
    public func segmentOpened(_ segment: SegmentFile) {
        state.withLock { _ = $0.open[segment.camera, default: []].insert(segment.start.millisecondsSince1970) }
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

    /// Whether a segment may be deleted now: not declared open, and not a camera's newest file
    /// modified within 2 × `segment_seconds` (it may be being written by a writer that did not say so).
    func isProtected(camera: String, segment: IndexedSegment, isNewest: Bool, open: Set<Int64>?) -> Bool {
        if open?.contains(segment.start) == true { return true }
        guard isNewest else { return false }
        let path = store.file(camera: camera, segment: segment).path
        return now().millisecondsSince1970 - StorageScan.modifiedMillis(path) < settings.openGuardMillis
    }
}
