import Foundation

/// One segment file of one camera: what the recorder announces and what status, export and
/// retention read. Made only by ``SegmentStore`` (which knows the root and the naming).
public struct SegmentFile: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var camera: String
    public var name: SegmentName
    /// The file's path: `<root>/<camera>/<name>`.
    public var path: String

    init(root: String, camera: String, name: SegmentName) {
        self.camera = camera
        self.name = name
        self.path = name.path(root: root, camera: camera)
    }

    /// The UTC start the name carries (millisecond precision).
    public var start: Date { name.start }
    public var format: SegmentFormat { name.format }

    /// `<camera>/<file name>`, as logs and reports show a segment.
    public var description: String { "\(camera)/\(name.fileName)" }

    /// Oldest first; a camera's segments before another's only to keep sorting total.
    public static func < (lhs: SegmentFile, rhs: SegmentFile) -> Bool {
        lhs.name.start != rhs.name.start
            ? lhs.name.start < rhs.name.start : (lhs.camera, lhs.path) < (rhs.camera, rhs.path)
    }
}
