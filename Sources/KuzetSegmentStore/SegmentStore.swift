import Foundation
import KuzetCore

/// The recordings folder: `<root>/<camera-id>/<segment name>`. The one owner of segment files —
/// it names a new segment, finds a camera's segments and the cameras with a folder, and (with
/// ``StorageScan``) lists the whole store for retention. Nothing else builds or splits a
/// segment's path. ``SegmentEvents`` is how a writer announces what it opened and closed.
public struct SegmentStore: Sendable, Equatable {
    public var root: String
    /// The folder in the root where the agent keeps its segment commitments (issue 21): not a
    /// camera id, never scanned as footage nor reported as foreign.
    public static let commitmentsFolderName = ".commitments"

    public init(root: String) {
        self.root = root
    }

    /// The folder holding `camera`'s segments.
    public func folder(camera: String) -> String {
        (root as NSString).appendingPathComponent(camera)
    }

    /// The file of `camera` named `name`.
    public func file(camera: String, name: SegmentName) -> SegmentFile {
        SegmentFile(root: root, camera: camera, name: name)
    }

    /// A new segment of `camera` starting at `start`: the first name at or after it (1 ms steps)
    /// that no file has, so names follow the footage's order and never overwrite one.
    public func newSegment(camera: String, start: Date, format: SegmentFormat) -> SegmentFile {
        var file = file(camera: camera, name: SegmentName(start: start, format: format))
        while FileManager.default.fileExists(atPath: file.path) {
            file = self.file(
                camera: camera, name: SegmentName(start: file.start.addingTimeInterval(0.001), format: format))
        }
        return file
    }

    /// `camera`'s segments on disk, oldest first; files whose names are not ours are left out.
    public func segments(camera: String) -> [SegmentFile] {
        guard CameraID.isValid(camera) else { return [] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder(camera: camera))) ?? []
        var cache = SegmentNameCache()
        return names.compactMap { cache.name($0) }.sorted().map { file(camera: camera, name: $0) }
    }

    /// Whether `camera` has a folder in the store.
    public func hasFolder(camera: String) -> Bool {
        var isDirectory: ObjCBool = false
        return CameraID.isValid(camera)
            && FileManager.default.fileExists(atPath: folder(camera: camera), isDirectory: &isDirectory)
            && isDirectory.boolValue
    }

    /// The cameras with a folder in the store (configured or not), by id.
    public func cameras() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { hasFolder(camera: $0) }.sorted()
    }
}
