import Foundation
import KuzetCore
import KuzetMedia
import KuzetSegmentStore

/// `kuzet-agent export`: one playable clip of a camera's footage between two times.
public struct FootageExport: Sendable {
    public var root: String
    public var camera: String
    public var from: Date
    public var to: Date
    public var output: String
    /// Cameras the configuration names (a camera removed since still exports if it has a folder).
    public var configuredCameras: [String]

    public init(root: String, camera: String, from: Date, to: Date, output: String, configuredCameras: [String]) {
        self.root = root
        self.camera = camera
        self.from = from
        self.to = to
        self.output = output
        self.configuredCameras = configuredCameras
    }

    /// What was exported.
    public struct Outcome: Sendable, Equatable {
        public var output: String
        public var segments: Int
        /// Wall-clock time of the clip's first frame (a keyframe at or before `from`).
        public var clipStart: Date?
        /// Parts of the range with no footage (each longer than 2 s), oldest first.
        public var holes: [DateInterval]
    }

    /// Why there is no clip.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case emptyRange(from: Date, to: Date)
        case unknownCamera(String, known: [String])
        case noFootage(camera: String, from: Date, to: Date, footage: DateInterval?)
        case media(String)

        public var description: String {
            switch self {
            case .emptyRange(let from, let to):
                "--to: \(Self.text(to)) is not after --from \(Self.text(from)) — give an end time later than the start"
            case .unknownCamera(let camera, let known):
                "--camera: no camera \"\(camera)\" in the configuration or the recordings — use one of: \(known.isEmpty ? "(none)" : known.joined(separator: ", "))"
            case .noFootage(let camera, let from, let to, let footage):
                "camera \(camera): no footage from \(Self.text(from)) to \(Self.text(to)) — "
                    + (footage.map {
                        "its recordings cover \(Self.text($0.start)) to \(Self.text($0.end)); pick a range inside"
                    }
                        ?? "it has no recordings on this box")
            case .media(let reason):
                "export: \(reason) — check the recordings folder and the output path"
            }
        }

        static func text(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
    }

    /// Picks the segments overlapping the range, remuxes them on a dedicated thread, and names the holes.
    /// A range only partly covered still yields a clip (with `holes` set); a range with nothing throws.
    public func run() async throws(Failure) -> Outcome {
        guard to > from else { throw .emptyRange(from: from, to: to) }
        let store = SegmentStore(root: root)
        guard store.hasFolder(camera: camera) || configuredCameras.contains(camera) else {
            throw .unknownCamera(camera, known: Set(configuredCameras).union(store.cameras()).sorted())
        }
        let names = store.segments(camera: camera)
        let (from, to, output) = (self.from, self.to, self.output)
        let fromInterval = from.timeIntervalSince1970
        // The segment holding `from` is the last one starting at or before it; then all starting before `to`.
        let firstIndex = names.lastIndex { $0.start.timeIntervalSince1970 <= fromInterval } ?? 0
        let chosen = names.isEmpty ? [] : names[firstIndex...].filter { $0.start < to }
        let footage = names.first.flatMap { first in
            names.last.map { DateInterval(start: first.start, end: max(first.start, $0.start)) }
        }
        guard !chosen.isEmpty else { throw .noFootage(camera: camera, from: from, to: to, footage: footage) }
        let sources = chosen.map { ClipSource(path: $0.path, start: $0.start) }
        let partial = output + ".partial"
        let result: Result<ClipExportResult, MediaError> = await BlockingWork.run("kuzet.retention.export") {
            Result { () throws(MediaError) in
                try ClipExport.export(sources: sources, from: from, to: to, output: partial)
            }
        }
        let clip: ClipExportResult
        switch result {
        case .success(let value): clip = value
        case .failure(let error):
            try? FileManager.default.removeItem(atPath: partial)
            throw .media(error.description)
        }
        let covered = clip.covered.compactMap { $0.intersection(with: DateInterval(start: from, end: to)) }.filter {
            $0.duration > 0
        }
        guard !covered.isEmpty else {
            try? FileManager.default.removeItem(atPath: partial)
            throw .noFootage(camera: camera, from: from, to: to, footage: footage)
        }
        var holes: [DateInterval] = []
        var cursor = from
        for interval in covered.sorted(by: { $0.start < $1.start }) {
            if interval.start.timeIntervalSince(cursor) > ClipExport.holeThreshold {
                holes.append(DateInterval(start: cursor, end: interval.start))
            }
            cursor = max(cursor, interval.end)
        }
        if to.timeIntervalSince(cursor) > ClipExport.holeThreshold {
            holes.append(DateInterval(start: cursor, end: to))
        }
        do {
            if FileManager.default.fileExists(atPath: output) { try FileManager.default.removeItem(atPath: output) }
            try FileManager.default.moveItem(atPath: partial, toPath: output)
        } catch {
            throw .media("cannot write \(output) (\(error.localizedDescription))")
        }
        return Outcome(
            output: output, segments: sources.count, clipStart: clip.clipStart,
            holes: holes)
    }
}
