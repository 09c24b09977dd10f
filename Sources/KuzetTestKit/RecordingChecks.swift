import Foundation
import KuzetCore
import KuzetSegmentStore

/// What the must-show and whole-process checks look at in a recording folder.
public struct RecordedSegment: Sendable {
    public var path: String
    public var name: SegmentName
    public var duration: Double
    public var end: Date { name.start.addingTimeInterval(duration) }
}

public enum RecordingChecks {
    /// Every segment of a camera, oldest first, probed by the real ffprobe (throws if one does not play).
    public static func segments(root: String, camera: String) throws -> [RecordedSegment] {
        try SegmentStore(root: root).segments(camera: camera).map { file in
            let probe = try FFprobe.probe(file.path)
            guard probe.video != nil else { throw TestKitError("\(file.path) has no video") }
            return RecordedSegment(path: file.path, name: file.name, duration: probe.duration ?? 0)
        }
    }

    public static func fileNames(root: String, camera: String) -> [String] {
        let folder = (root as NSString).appendingPathComponent(camera)
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    /// The largest hole between one segment's end and the next one's start, in seconds.
    public static func largestGap(_ segments: [RecordedSegment]) -> Double {
        zip(segments, segments.dropFirst()).map { $1.name.start.timeIntervalSince($0.end) }.max() ?? 0
    }
}
