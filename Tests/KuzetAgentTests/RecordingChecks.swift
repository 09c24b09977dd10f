import Foundation
import KuzetCore
import KuzetSegmentStore
import KuzetTestKit

/// What the must-show checks look at in a recording folder.
struct RecordedSegment {
    var path: String
    var name: SegmentName
    var duration: Double
    var end: Date { name.start.addingTimeInterval(duration) }
}

enum RecordingChecks {
    /// Every segment of a camera, oldest first, probed by the real ffprobe (throws if one does not play).
    static func segments(root: String, camera: String) throws -> [RecordedSegment] {
        try SegmentStore(root: root).segments(camera: camera).map { file in
            let probe = try FFprobe.probe(file.path)
            guard probe.video != nil else { throw TestKitError("\(file.path) has no video") }
            return RecordedSegment(path: file.path, name: file.name, duration: probe.duration ?? 0)
        }
    }

    static func fileNames(root: String, camera: String) -> [String] {
        let folder = (root as NSString).appendingPathComponent(camera)
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    /// The largest hole between one segment's end and the next one's start, in seconds.
    static func largestGap(_ segments: [RecordedSegment]) -> Double {
        zip(segments, segments.dropFirst()).map { $1.name.start.timeIntervalSince($0.end) }.max() ?? 0
    }
}

/// The kuzet-agent executable built next to the test bundle.
enum AgentExecutable {
    static var path: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundle, bundle.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("kuzet-agent").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        // `swift test` may run the tests from .build/<triple>/debug: search the build folder.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/kuzet-agent").path
    }
}
