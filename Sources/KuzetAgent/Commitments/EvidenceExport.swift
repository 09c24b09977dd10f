import Foundation
import KuzetCommitment
import KuzetProtocol
import KuzetSegmentStore

/// `kuzet-agent export … --evidence DIR`: copies the original segments covering a range,
/// byte for byte, into `DIR/segments/`, and writes `DIR/proof.json` (records, paths to the
/// signed day roots, the roots, the device key) for ``EvidenceVerifier``.
public struct EvidenceExport: Sendable {
    public var storageRoot: String
    public var schoolID: String
    public var camera: String
    public var from: Date
    public var to: Date
    public var directory: String
    /// The device key's public half (read from the agent's key file), if the box has one.
    public var deviceKey: String?
    /// The cut clip's name in `directory`, if it was written there.
    public var clip: String?

    public init(
        storageRoot: String, schoolID: String, camera: String, from: Date, to: Date, directory: String,
        deviceKey: String?, clip: String?
    ) {
        self.storageRoot = storageRoot
        self.schoolID = schoolID
        self.camera = camera
        self.from = from
        self.to = to
        self.directory = directory
        self.deviceKey = deviceKey
        self.clip = clip
    }

    public struct Outcome: Sendable, Equatable {
        public var segments: Int
        /// Copied segments whose day is not signed yet (today's, or not yet committed).
        public var unproven: [String]
    }

    /// The segments that cover [from, to): each one starting before `to` whose successor starts
    /// after `from`.
    static func covering(_ segments: [SegmentFile], from: Date, to: Date) -> [SegmentFile] {
        segments.indices.filter { index in
            segments[index].start < to && (index + 1 == segments.count || segments[index + 1].start > from)
                && segments[index].start > from.addingTimeInterval(-Double(EvidenceVerifier.maxSegmentSeconds))
        }.map { segments[$0] }
    }

    public func run() throws -> Outcome {
        let store = SegmentStore(root: storageRoot)
        let journal = CommitmentJournal(storageRoot: storageRoot)
        let files = Self.covering(store.segments(camera: camera), from: from, to: to)
        guard !files.isEmpty else { throw CommitmentError("camera \(camera): no segments between \(from) and \(to)") }
        let folder = (directory as NSString).appendingPathComponent("segments")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var entries = [EvidenceProof.Segment]()
        var roots = [String: DayRootReport]()
        var trees = [String: (tree: DayTree, files: [String])]()
        var unproven = [String]()
        for file in files {
            let name = file.name.fileName
            let target = (folder as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
            try FileManager.default.copyItem(atPath: file.path, toPath: target)
            let day = CommitmentTime.day(file.start)
            guard let signed = journal.signedDay(camera: camera, day: day), let report = signed.report else {
                unproven.append(name)
                let record = journal.entries(camera: camera, day: day).first { $0.file == name }?.record
                entries.append(.init(file: name, day: day, segmentIndex: nil, record: record?.text, segmentPath: nil))
                continue
            }
            roots[day] = report
            if trees[day] == nil { trees[day] = journal.tree(camera: camera, day: day, count: signed.segments) }
            let (tree, names) = trees[day]!
            guard let index = names.firstIndex(of: name) else {
                unproven.append(name)
                entries.append(.init(file: name, day: day, segmentIndex: nil, record: nil, segmentPath: nil))
                continue
            }
            entries.append(
                .init(
                    file: name, day: day, segmentIndex: index, record: tree.records[index].text,
                    segmentPath: tree.auditPath(segment: index).map(\.hex)))
        }
        let proof = EvidenceProof(
            schoolID: schoolID, camera: camera,
            from: CommitmentTime.timestamp(milliseconds: CommitmentTime.milliseconds(from)),
            to: CommitmentTime.timestamp(milliseconds: CommitmentTime.milliseconds(to)), deviceKey: deviceKey,
            clip: clip,
            segments: entries, dayRoots: roots.keys.sorted().map { roots[$0]! })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try encoder.encode(proof).write(
            to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("proof.json")))
        return Outcome(segments: files.count, unproven: unproven)
    }

    /// The public half of the device key at `<outbox's folder>/device-key`, if it exists.
    public static func devicePublicKey(outbox: String) -> String? {
        let path = ((outbox as NSString).deletingLastPathComponent as NSString).appendingPathComponent("device-key")
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return (try? DeviceKey.loadOrCreate(path: path))?.publicKey.base64
    }
}
