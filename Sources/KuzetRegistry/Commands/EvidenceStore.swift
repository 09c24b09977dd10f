import Crypto
import Foundation
import KuzetCore
import Synchronization

/// Where clips and snapshots are kept (`serve --evidence-dir`, a folder by default): per school a
/// folder, per command `ID.part` while it uploads (its size is the upload's offset, so a restart
/// keeps it), `ID.upload` (the announced length and SHA-256), and once complete and checked
/// `ID.mp4` or `ID.jpg` with `ID.json` beside it (who asked, when, the checksum). Every write is
/// fsync'd before it is acknowledged.
public final class EvidenceStore: Sendable {
    public let directory: String
    /// Largest clip or snapshot accepted (`serve --max-clip-bytes`).
    public let maximumBytes: Int64
    /// Uploads written at the same moment at most (each holds a chunk of up to 8 MiB in memory).
    public let maximumConcurrentUploads: Int
    /// Commands whose upload is being written now (one request at a time per command).
    private let writing = Mutex<Set<String>>([])

    /// Largest body of one `PATCH` (the wire contract).
    public static let maximumChunkBytes = 8 << 20

    public init(directory: String, maximumBytes: Int64 = 2 << 30, maximumConcurrentUploads: Int = 32) {
        self.directory = directory
        self.maximumBytes = maximumBytes
        self.maximumConcurrentUploads = maximumConcurrentUploads
    }

    /// What an upload announced in its first chunk.
    struct Announcement: Codable, Equatable {
        var length: Int64
        var sha256: String
    }

    enum UploadState: Equatable {
        /// Nothing received yet.
        case none
        case partial(offset: Int64, Announcement)
        case complete(bytes: Int64)
    }

    /// What follows `ID.` in a command's file names (the one list: writing here, pruning reads it).
    enum Suffix {
        static let part = "part"
        static let announcement = "upload"
        static let sidecar = "json"
        /// Added to a name while it is written (``writeDurably(_:to:)``).
        static let temporary = ".tmp"
    }
    /// The sidecar's field pruning reads to date an evidence file.
    static let receivedAtField = "received_at"

    func folder(school: String) -> String { directory + "/" + school }
    func partPath(_ command: PoliceCommand) -> String {
        folder(school: command.schoolID) + "/\(command.id).\(Suffix.part)"
    }
    func announcementPath(_ command: PoliceCommand) -> String {
        folder(school: command.schoolID) + "/\(command.id).\(Suffix.announcement)"
    }
    public func filePath(_ command: PoliceCommand) -> String {
        folder(school: command.schoolID) + "/\(command.id).\(command.evidenceExtension)"
    }

    /// Where the command's upload stands, from the files (so it survives a restart).
    func state(_ command: PoliceCommand) -> UploadState {
        let manager = FileManager.default
        if let size = Self.size(filePath(command)) { return .complete(bytes: size) }
        guard let data = manager.contents(atPath: announcementPath(command)),
            let announcement = try? JSONDecoder().decode(Announcement.self, from: data)
        else { return .none }
        return .partial(offset: Self.size(partPath(command)) ?? 0, announcement)
    }

    /// Takes the command's write slot; false when a request is writing it already, or too many are.
    func beginWriting(_ id: String) -> Bool {
        writing.withLock { set in
            guard !set.contains(id), set.count < maximumConcurrentUploads else { return false }
            set.insert(id)
            return true
        }
    }

    func endWriting(_ id: String) { _ = writing.withLock { $0.remove(id) } }

    /// Appends `chunk` at `offset` (the part's size), announcing the upload first if it is new; fsync'd.
    /// Returns the new offset.
    func append(_ chunk: Data, to command: PoliceCommand, at offset: Int64, announcing: Announcement?) async throws
        -> Int64
    {
        let folder = folder(school: command.schoolID)
        let part = partPath(command)
        let announcementPath = announcementPath(command)
        return try await BlockingWork.run("kuzet-evidence") {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            if let announcing {
                try Self.writeDurably(try JSONEncoder().encode(announcing), to: announcementPath)
                if !FileManager.default.fileExists(atPath: part) {
                    FileManager.default.createFile(atPath: part, contents: nil)
                }
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: part))
            defer { try? handle.close() }
            try handle.truncate(atOffset: UInt64(offset))
            try handle.seek(toOffset: UInt64(offset))
            try handle.write(contentsOf: chunk)
            try handle.synchronize()
            return offset + Int64(chunk.count)
        }
    }

    /// The part's SHA-256 (hex), read in 1 MiB pieces off the cooperative pool.
    func checksum(_ command: PoliceCommand) async throws -> String {
        let part = partPath(command)
        return try await BlockingWork.run("kuzet-evidence-sha") {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: part))
            defer { try? handle.close() }
            var hasher = SHA256()
            while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty { hasher.update(data: data) }
            return hasher.finalize().map { String(format: "%02x", $0) }.joined()
        }
    }

    /// Makes the checked part the evidence file, with its facts beside it.
    func complete(_ command: PoliceCommand, facts: PoliceCommand.Evidence) async throws {
        let part = partPath(command)
        let file = filePath(command)
        let announcement = announcementPath(command)
        let sidecar = folder(school: command.schoolID) + "/\(command.id).\(Suffix.sidecar)"
        let record: [String: String] = [
            "command_id": command.id, "school_id": command.schoolID, "kind": command.kind.rawValue,
            "camera": command.camera, "issued_by": command.issuedBy,
            "issued_at": WireDateFormat.format(command.issuedAt),
            Self.receivedAtField: WireDateFormat.format(facts.receivedAt),
            "sha256": facts.sha256, "bytes": String(facts.bytes),
            "from": command.from.map(WireDateFormat.format) ?? "", "to": command.to.map(WireDateFormat.format) ?? "",
        ]
        try await BlockingWork.run("kuzet-evidence") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            try Self.writeDurably(try encoder.encode(record), to: sidecar)
            if rename(part, file) != 0 {
                throw EvidenceError("evidence \(command.id): cannot rename the upload (errno \(errno))")
            }
            try? FileManager.default.removeItem(atPath: announcement)
            Self.syncDirectory(file)
        }
    }

    /// Throws away a part whose checksum did not match (the agent starts again from 0).
    func discard(_ command: PoliceCommand) async {
        let paths = [partPath(command), announcementPath(command)]
        await BlockingWork.run("kuzet-evidence") {
            for path in paths { try? FileManager.default.removeItem(atPath: path) }
        }
    }

    static func size(_ path: String) -> Int64? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let size = attributes[.size] as? NSNumber
        else { return nil }
        return size.int64Value
    }

    static func writeDurably(_ data: Data, to path: String) throws {
        let temporary = path + Suffix.temporary
        FileManager.default.createFile(atPath: temporary, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
        try handle.write(contentsOf: data)
        try handle.synchronize()
        try handle.close()
        guard rename(temporary, path) == 0 else {
            throw EvidenceError("evidence: cannot write \(path) (errno \(errno)) — check the folder is writable")
        }
        syncDirectory(path)
    }

    static func syncDirectory(_ path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        let descriptor = open(folder, O_RDONLY)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }
}

struct EvidenceError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
