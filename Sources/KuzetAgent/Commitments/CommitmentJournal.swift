import Foundation
import KuzetCommitment
import KuzetCore
import KuzetProtocol
import KuzetSegmentStore

/// The per-camera commitment journal, beside the recordings:
/// `<storage.root>/.commitments/<camera>/<YYYY-MM-DD>.journal`, one JSON line per committed
/// segment (`{"file":…,"record":…}`), appended and fsync'd, never rewritten. A line torn by a
/// crash (no newline at the end) is cut off before the next append and skipped when read.
/// `<day>.root` holds the signed root of a closed day and how many journal lines it covers, so
/// a segment committed later for that day (a crash's leftover) never changes a signed tree.
/// `.commitments` is not a camera id, so the store and the retention cleaner never see it.
struct CommitmentJournal: Sendable {
    static let folderName = SegmentStore.commitmentsFolderName
    /// A line longer than this is not ours (a record is at most 512 bytes).
    static let maxLineBytes = 2048

    struct Entry: Sendable, Equatable {
        var file: String
        var record: SegmentRecord
    }

    /// A closed day's signed root, as written when it was signed.
    struct SignedDay: Codable, Sendable, Equatable {
        var camera: String
        var day: String
        var segments: Int
        var root: String
        var signature: String?
        /// Handed to a heartbeat (so it is in the outbox, which delivers it).
        var sent: Bool

        var report: DayRootReport? {
            signature.map { DayRootReport(camera: camera, day: day, segments: segments, root: root, signature: $0) }
        }
    }

    let root: String

    init(storageRoot: String) {
        self.root = (storageRoot as NSString).appendingPathComponent(Self.folderName)
    }

    func folder(camera: String) -> String { (root as NSString).appendingPathComponent(camera) }
    func journalPath(camera: String, day: String) -> String {
        (folder(camera: camera) as NSString).appendingPathComponent("\(day).journal")
    }
    func rootPath(camera: String, day: String) -> String {
        (folder(camera: camera) as NSString).appendingPathComponent("\(day).root")
    }

    /// `.commitments/<camera>/`, not readable by others (as the recordings are not).
    func makeFolder(camera: String) throws {
        for path in [root, folder(camera: camera)] where !FileManager.default.fileExists(atPath: path) {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        }
    }

    /// Appends one record and fsyncs it before returning.
    func append(_ entry: Entry) throws {
        let path = journalPath(camera: entry.record.camera, day: entry.record.day)
        try makeFolder(camera: entry.record.camera)
        let line = try JSONSerialization.data(
            withJSONObject: ["file": entry.file, "record": entry.record.text], options: [.sortedKeys])
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND, 0o640)
        guard fd >= 0 else { throw CommitmentError("\(path): cannot be opened for appending (errno \(errno))") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        defer { try? handle.close() }
        try cutTornTail(handle, path: path)
        try handle.write(contentsOf: line + Data("\n".utf8))
        try handle.synchronize()
    }

    /// A last line without its newline was torn by a crash: cut it off so the next line starts clean.
    private func cutTornTail(_ handle: FileHandle, path: String) throws {
        let size = try handle.seekToEnd()
        guard size > 0 else { return }
        try handle.seek(toOffset: size - 1)
        if handle.readData(ofLength: 1) == Data("\n".utf8) { return }
        let window = UInt64(min(Int(size), Self.maxLineBytes + 1))
        try handle.seek(toOffset: size - window)
        let tail = handle.readData(ofLength: Int(window))
        let keep = tail.lastIndex(of: UInt8(ascii: "\n")).map { size - window + UInt64($0 - tail.startIndex) + 1 } ?? 0
        try handle.truncate(atOffset: keep)
        try handle.seekToEnd()
    }

    /// The day's entries in journal order; torn or foreign lines are skipped.
    func entries(camera: String, day: String) -> [Entry] {
        guard let data = FileManager.default.contents(atPath: journalPath(camera: camera, day: day)) else { return [] }
        var result = [Entry]()
        for line in data.split(separator: UInt8(ascii: "\n")) where line.count <= Self.maxLineBytes {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: String],
                let file = object["file"], let text = object["record"],
                let record = try? SegmentRecord.parse(text), record.camera == camera, record.day == day
            else { continue }
            result.append(Entry(file: file, record: record))
        }
        return result
    }

    /// The day tree over the first `count` entries (all when nil), in start order, ties by file name.
    func tree(camera: String, day: String, count: Int? = nil) -> (tree: DayTree, files: [String]) {
        var entries = entries(camera: camera, day: day)
        if let count { entries = Array(entries.prefix(count)) }
        entries.sort { ($0.record.startMilliseconds, $0.file) < ($1.record.startMilliseconds, $1.file) }
        return (DayTree(records: entries.map(\.record)), entries.map(\.file))
    }

    /// The days with a journal for `camera`, oldest first.
    func days(camera: String) -> [String] {
        days(camera: camera, suffix: ".journal")
    }

    /// The days with a journal or a signed root for `camera` (a removal a crash cut short leaves a
    /// root alone), oldest first.
    func keptDays(camera: String) -> [String] {
        Array(Set(days(camera: camera, suffix: ".journal") + days(camera: camera, suffix: ".root"))).sorted()
    }

    private func days(camera: String, suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder(camera: camera))) ?? []
        return names.filter { $0.hasSuffix(suffix) }.map { String($0.dropLast(suffix.count)) }
            .filter { CommitmentTime.parseDay($0) != nil }.sorted()
    }

    /// The camera folders in `.commitments` (configured cameras or not).
    func cameras() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { CameraID.isValid($0) }.sorted()
    }

    /// Removes a day's journal, then its signed root, then syncs the folder. The journal goes
    /// first: a crash in between leaves a root without a journal, which is never signed again
    /// (signing reads journals) and is removed by the next sweep.
    func remove(camera: String, day: String) throws {
        let root = rootPath(camera: camera, day: day)
        // `.root.new`: a signing a crash cut short.
        for path in [journalPath(camera: camera, day: day), root, root + ".new"]
        where unlink(path) != 0 && errno != ENOENT {
            throw CommitmentError("\(path): cannot be removed (errno \(errno))")
        }
        let fd = open(folder(camera: camera), O_RDONLY | O_DIRECTORY)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }

    func signedDay(camera: String, day: String) -> SignedDay? {
        guard let data = FileManager.default.contents(atPath: rootPath(camera: camera, day: day)), data.count < 4096
        else { return nil }
        return try? JSONDecoder().decode(SignedDay.self, from: data)
    }

    /// Writes (atomically, fsync'd) a day's signed root.
    func write(_ signed: SignedDay) throws {
        let path = rootPath(camera: signed.camera, day: signed.day)
        try makeFolder(camera: signed.camera)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let temporary = path + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o640)
        guard fd >= 0 else { throw CommitmentError("\(temporary): cannot be written (errno \(errno))") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        try handle.write(contentsOf: try encoder.encode(signed))
        try handle.synchronize()
        try handle.close()
        guard rename(temporary, path) == 0 else {
            throw CommitmentError("\(path): cannot be replaced (errno \(errno))")
        }
    }
}
