import Foundation
import KuzetCore

/// What one pruning of the evidence folder removed (session 17, task E).
public struct EvidencePruning: Sendable, Equatable {
    /// Finished clips and snapshots with their `ID.json`.
    public var evidenceFiles = 0
    /// Partial uploads: `ID.part`, `ID.upload` and the `.tmp` of a write cut short.
    public var partialFiles = 0
    public var bytes: Int64 = 0
    /// Empty school folders.
    public var folders = 0
    /// Files that could not be deleted (a file already gone is not one: another instance sharing
    /// the folder deleted it).
    public var failures = 0
    public var firstFailure: String?

    public init() {}

    public var isEmpty: Bool { evidenceFiles == 0 && partialFiles == 0 && folders == 0 && failures == 0 }
}

extension EvidenceStore {
    /// A partial upload untouched this long, whose command expired this long ago, is abandoned
    /// (an upload the agent still sends writes its part at least every few minutes).
    static let abandonedAfter: TimeInterval = 86_400

    /// What becomes of a command's finished files.
    enum EvidenceVerdict: Equatable {
        case keep, delete
        /// Deleted when its `ID.json` says it was received before the cutoff: its row is not there
        /// and the file's time is newer (a copy without `-p` resets it).
        case deleteIfReceivedBefore(Date)
    }

    /// The files of one command in one school's folder.
    struct CommandFiles: Sendable {
        var id: String
        var evidence: [(path: String, bytes: Int64)] = []
        var partial: [(path: String, bytes: Int64)] = []
        /// The newest modification among each kind.
        var evidenceModified = Date.distantPast
        var partialModified = Date.distantPast
        /// The clip or snapshot itself is there (not only its `ID.json`).
        var hasFinishedFile = false
    }

    /// Deletes the evidence files older than `cutoff` (by the file's time, or by its `ID.json` when
    /// its command row is gone), and the partial uploads whose command no longer takes them
    /// (``doomed(_:command:now:keptSince:)``), looking commands up `batch` at a time. Stops between batches when the task is cancelled (shutdown).
    /// Only names it can parse are touched; a file already gone is no error.
    public func prune(store: any RegistryStore, keptSince cutoff: Date, now: Date, batch: Int) async throws
        -> EvidencePruning
    {
        var result = EvidencePruning()
        let directory = directory
        let schools = await BlockingWork.run("kuzet-evidence-prune") { Self.schoolFolders(in: directory) }
        for school in schools {
            if Task.isCancelled { break }
            let folder = folder(school: school)
            let (groups, removedFolder) = await BlockingWork.run("kuzet-evidence-prune") {
                Self.commandFiles(inFolder: folder, removingIfEmptyBefore: now.addingTimeInterval(-Self.abandonedAfter))
            }
            if removedFolder { result.folders += 1 }
            var start = 0
            while start < groups.count, !Task.isCancelled {
                let slice = groups[start..<min(start + max(batch, 1), groups.count)]
                start += max(batch, 1)
                let commands: [PoliceCommand]
                do {
                    commands = try await store.commands(ids: slice.map(\.id))
                } catch is CancellationError {
                    return result
                }
                let named = Dictionary(commands.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                var doomed: [DoomedFiles] = []
                for files in slice {
                    // A row of another school does not name this folder's file.
                    let command = named[files.id].flatMap { $0.schoolID == school ? $0 : nil }
                    let verdict = Self.doomed(files, command: command, now: now, keptSince: cutoff)
                    switch verdict.evidence {
                    case .keep: break
                    case .delete: doomed.append(DoomedFiles(files: files.evidence, partial: false))
                    case .deleteIfReceivedBefore(let date):
                        doomed.append(
                            DoomedFiles(
                                files: files.evidence, partial: false,
                                receivedBefore: (folder + "/\(files.id).json", date)))
                    }
                    if verdict.partial { doomed.append(DoomedFiles(files: files.partial, partial: true)) }
                }
                guard !doomed.isEmpty else { continue }
                let paths = doomed
                let deleted = await BlockingWork.run("kuzet-evidence-prune") { Self.delete(paths) }
                result.evidenceFiles += deleted.evidenceFiles
                result.partialFiles += deleted.partialFiles
                result.bytes += deleted.bytes
                result.failures += deleted.failures
                result.firstFailure = result.firstFailure ?? deleted.firstFailure
            }
        }
        return result
    }

    /// Whether a command's finished evidence and its partial upload go at `now`.
    /// - Evidence (the clip or snapshot and `ID.json`) stays as long as its command row (kept the
    ///   audit log's period, `RecordKeeping`): it goes once older than `cutoff`, so when its row
    ///   goes (the row is pruned at that age, its last update after the file's last write). A file
    ///   whose row is not there but received within the period stays: a database restored from an
    ///   older backup, or another given by mistake, must not delete evidence (the file and its
    ///   `ID.json` are then all that is left of it).
    /// - A partial upload goes when nothing will take it any more: no row (pruned, or forgotten by
    ///   `school remove`), the command final (done, failed, refused, expired — also a pending one
    ///   past its expiry, which no agent is given), the file already complete; or when abandoned:
    ///   untouched for ``abandonedAfter`` and that long past the command's expiry. A command
    ///   pending, accepted or running keeps its upload while the agent is still sending it.
    static func doomed(_ files: CommandFiles, command: PoliceCommand?, now: Date, keptSince cutoff: Date)
        -> (evidence: EvidenceVerdict, partial: Bool)
    {
        let dayAgo = now.addingTimeInterval(-abandonedAfter)
        let evidence: EvidenceVerdict =
            if files.evidence.isEmpty {
                .keep
            } else if files.evidenceModified < cutoff {
                .delete
            } else if command == nil {
                .deleteIfReceivedBefore(cutoff)
            } else {
                .keep
            }
        guard !files.partial.isEmpty else { return (evidence, false) }
        guard let command else { return (evidence, true) }
        let partial =
            files.hasFinishedFile || command.state(at: now).isFinal
            || (command.expiresAt < dayAgo && files.partialModified < dayAgo)
        return (evidence, partial)
    }

    /// The role a file's name gives it: `ID.mp4`, `ID.jpg`, `ID.json` are evidence (true when the
    /// clip or snapshot itself); `ID.part`, `ID.upload`, `ID.upload.tmp`, `ID.json.tmp` a partial
    /// upload; anything else nil (never touched).
    static func role(ofFileNamed name: String) -> (id: String, evidence: Bool, finished: Bool)? {
        guard let dot = name.firstIndex(of: "."), PoliceCommand.isValidID(name[..<dot]) else { return nil }
        let id = String(name[..<dot])
        let suffix = String(name[name.index(after: dot)...])
        if PoliceCommand.Kind.allCases.contains(where: { PoliceCommand.evidenceExtension($0) == suffix }) {
            return (id, true, true)
        }
        switch suffix {
        case Suffix.sidecar: return (id, true, false)
        case Suffix.part, Suffix.announcement, Suffix.announcement + Suffix.temporary,
            Suffix.sidecar + Suffix.temporary:
            return (id, false, false)
        default: return nil
        }
    }

    /// The school folders (directories, not links) in the evidence folder, sorted.
    static func schoolFolders(in directory: String) -> [String] {
        let manager = FileManager.default
        let names = (try? manager.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { name in
            (try? manager.attributesOfItem(atPath: directory + "/" + name)[.type] as? FileAttributeType)
                == .typeDirectory
        }.sorted()
    }

    /// A school folder's command files, grouped by command, sorted by id. An empty folder not
    /// changed since `emptyBefore` is removed (an upload creating a file changes it; one starting
    /// exactly then fails once and is sent again).
    static func commandFiles(inFolder folder: String, removingIfEmptyBefore emptyBefore: Date)
        -> ([CommandFiles], removed: Bool)
    {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: folder) else { return ([], false) }
        if names.isEmpty {
            let modified = try? manager.attributesOfItem(atPath: folder)[.modificationDate] as? Date
            if let modified, modified < emptyBefore, rmdir(folder) == 0 { return ([], true) }
            return ([], false)
        }
        var groups: [String: CommandFiles] = [:]
        for name in names {
            guard let role = role(ofFileNamed: name) else { continue }
            let path = folder + "/" + name
            guard let attributes = try? manager.attributesOfItem(atPath: path),
                attributes[.type] as? FileAttributeType == .typeRegular
            else { continue }
            let bytes = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            let modified = attributes[.modificationDate] as? Date ?? .distantPast
            var files = groups[role.id] ?? CommandFiles(id: role.id)
            if role.evidence {
                files.evidence.append((path, bytes))
                files.evidenceModified = max(files.evidenceModified, modified)
                files.hasFinishedFile = files.hasFinishedFile || role.finished
            } else {
                files.partial.append((path, bytes))
                files.partialModified = max(files.partialModified, modified)
            }
            groups[role.id] = files
        }
        return (groups.values.sorted { $0.id < $1.id }, false)
    }

    /// A command's files to delete.
    struct DoomedFiles: Sendable {
        var files: [(path: String, bytes: Int64)]
        var partial: Bool
        /// Only when this `ID.json` says the file was received before this date.
        var receivedBefore: (sidecar: String, date: Date)?
    }

    /// When the evidence's `ID.json` (``complete(_:facts:)``) says it was received; nil when it
    /// cannot be read.
    static func receivedAt(sidecar path: String) -> Date? {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 64 << 10,
            let record = try? JSONDecoder().decode([String: String].self, from: data),
            let received = record[receivedAtField]
        else { return nil }
        return WireDateFormat.parse(received)
    }

    /// Unlinks each command's files (those with a condition only when it holds); one already gone
    /// (another instance sharing the folder) is not counted.
    static func delete(_ doomed: [DoomedFiles]) -> EvidencePruning {
        var result = EvidencePruning()
        for group in doomed {
            if let check = group.receivedBefore {
                guard let received = receivedAt(sidecar: check.sidecar), received < check.date else { continue }
            }
            delete(group.files, partial: group.partial, into: &result)
        }
        return result
    }

    static func delete(_ files: [(path: String, bytes: Int64)], partial: Bool, into result: inout EvidencePruning) {
        for file in files {
            if unlink(file.path) == 0 {
                if partial { result.partialFiles += 1 } else { result.evidenceFiles += 1 }
                result.bytes += file.bytes
                continue
            }
            let code = errno
            guard code != ENOENT else { continue }
            result.failures += 1
            result.firstFailure =
                result.firstFailure ?? "\(file.path): \(String(cString: strerror(code))) (errno \(code))"
        }
    }
}
