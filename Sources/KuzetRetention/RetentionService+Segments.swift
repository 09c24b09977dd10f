import Foundation
import KuzetCore
import Logging
import Synchronization

extension RetentionService {
    /// The recorder calls this when it creates a segment file: that file is never deleted while open.
    public func segmentOpened(camera: String, segment: SegmentName) {
        state.withLock { _ = $0.open[camera, default: []].insert(segment.start.millisecondsSince1970) }
    }

    /// The recorder calls this once a segment is complete on disk (closed, flushed): it joins the
    /// index and a sweep is due (the disk just got fuller).
    public func segmentClosed(camera: String, segment: SegmentName, bytes: Int64, durationSeconds: Double) {
        let entry = IndexedSegment(name: segment, bytes: bytes, durationSeconds: durationSeconds)
        state.withLock {
            $0.open[camera]?.remove(entry.start)
            if $0.open[camera]?.isEmpty == true { $0.open[camera] = nil }
            $0.cameras[camera, default: CameraSegments()].insert(entry)
        }
        wake.yield()
    }

    /// The recorder gave up on an open segment without a file worth keeping (it deleted it itself).
    public func segmentAbandoned(camera: String, segment: SegmentName) {
        state.withLock { _ = $0.open[camera]?.remove(segment.start.millisecondsSince1970) }
    }

    /// Whether a segment may be deleted now: not declared open, and not a camera's newest file
    /// modified within 2 × `segment_seconds` (it may be being written by a writer that did not say so).
    func isProtected(camera: String, segment: IndexedSegment, isNewest: Bool, open: Set<Int64>?) -> Bool {
        if open?.contains(segment.start) == true { return true }
        guard isNewest else { return false }
        let path = segment.name.path(root: settings.root, camera: camera)
        return now().millisecondsSince1970 - StorageScan.modifiedMillis(path) < settings.openGuardMillis
    }
}
