import Foundation
import KuzetCore

/// The recorder's `SegmentEvents` (KuzetRecorder, branch `media`) names segments by path. These
/// overloads have exactly its signatures, so wiring is one line in KuzetAgent:
/// `extension RetentionService: SegmentEvents {}`. A path whose file name does not parse as a
/// ``SegmentName`` is ignored (retention never touches such files anyway).
extension RetentionService {
    public func segmentOpened(camera: String, path: String) {
        guard let name = SegmentName(fileName: (path as NSString).lastPathComponent) else { return }
        segmentOpened(camera: camera, segment: name)
    }

    public func segmentClosed(camera: String, path: String, bytes: Int, duration: Double) {
        guard let name = SegmentName(fileName: (path as NSString).lastPathComponent) else { return }
        segmentClosed(camera: camera, segment: name, bytes: Int64(bytes), durationSeconds: duration)
    }
}
