import FoundationEssentials
import KuzetCore

#if canImport(Glibc)
    // `struct stat` is owned by the CoreFoundation clang module once Foundation is imported anywhere in
    // the module (MemberImportVisibility then asks for that import by name).
    import CoreFoundation
    import Glibc
#endif

/// What a scan of the store's root found: every camera folder ever written (configured or not),
/// its segments, and the files that are not ours (left alone, reported).
package struct StorageScan: Sendable {
    package var cameras: [String: CameraSegments] = [:]
    /// Paths (relative to the root) of files that do not parse as our segments. Never deleted.
    package var foreignFiles: [String] = []
    package var foreignFileCount = 0
    package var segmentCount = 0
    package var bytes: Int64 = 0
    /// When the scan started and how long it took, seconds.
    package var duration: Double = 0

    /// How many foreign paths are kept for the report (all are counted).
    package static let foreignListLimit = 100

    /// Lists `root` once with `readdir`/`fstatat` (no Foundation objects per file: a store holds
    /// ~1.4 M files).
    ///
    /// How long a segment covers is learnt from its file: the recorder writes until the segment
    /// closes, so the modification time is its end. When the modification time is not plausible
    /// (before the start or more than 2 × `segment_seconds` after it — a copied or restored file),
    /// the segment is taken to cover `segment_seconds`. A segment never reaches past the next one.
    /// `ownFiles` are names of files directly in the root that are not foreign (a service's ledger).
    package static func scan(root: String, segmentSeconds: Int, ownFiles: Set<String> = []) -> StorageScan {
        let began = MonotonicInstant.now()
        var result = StorageScan()
        let rootFD = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard rootFD >= 0 else { return result }
        defer { close(rootFD) }
        let nominal = Int64(segmentSeconds) * 1000
        var names = SegmentNameCache()
        for (name, knownDirectory) in entries(of: rootFD) {
            guard isDirectory(name, rootFD, knownDirectory) else {
                if !ownFiles.contains(name) { result.noteForeign(name) }
                continue
            }
            if name == SegmentStore.commitmentsFolderName { continue }
            guard CameraID.isValid(name) else {
                result.noteForeign(name + "/")
                continue
            }
            let folderFD = openat(rootFD, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard folderFD >= 0 else { continue }
            var found: [(start: Int64, mtime: Int64, bytes: Int64, format: SegmentFormat)] = []
            for (file, _) in entries(of: folderFD) {
                var info = stat()
                guard fstatat(folderFD, file, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                guard (info.st_mode & S_IFMT) == S_IFREG, let segment = names.parse(file) else {
                    result.noteForeign(name + "/" + file)
                    continue
                }
                let mtime = Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000
                found.append((segment.start, mtime, Int64(info.st_size), segment.format))
            }
            close(folderFD)
            found.sort { $0.start < $1.start }
            var segments = CameraSegments()
            segments.reserve(found.count)
            for (offset, file) in found.enumerated() {
                var end =
                    file.mtime > file.start && file.mtime <= file.start + 2 * nominal
                    ? file.mtime : file.start + nominal
                if offset + 1 < found.count { end = min(end, max(file.start, found[offset + 1].start)) }
                segments.insert(
                    IndexedSegment(
                        start: file.start, bytes: file.bytes, duration: Int32(clamping: end - file.start),
                        format: file.format))
            }
            result.segmentCount += segments.count
            result.bytes += segments.bytes
            result.cameras[name] = segments
        }
        result.duration = began.elapsedSeconds
        return result
    }

    package mutating func noteForeign(_ path: String) {
        foreignFileCount += 1
        if foreignFiles.count < Self.foreignListLimit { foreignFiles.append(path) }
    }

    /// The names in a directory with whether `readdir` says they are directories (nil: unknown).
    private static func entries(of fd: Int32) -> [(String, Bool?)] {
        let copy = dup(fd)
        guard copy >= 0, let directory = fdopendir(copy) else { return [] }
        defer { closedir(directory) }
        var names: [(String, Bool?)] = []
        while let entry = readdir(directory) {
            let type = entry.pointee.d_type
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            names.append((name, type == DT_UNKNOWN ? nil : type == DT_DIR))
        }
        return names
    }

    private static func isDirectory(_ name: String, _ parent: Int32, _ known: Bool?) -> Bool {
        if let known { return known }
        var info = stat()
        return fstatat(parent, name, &info, AT_SYMLINK_NOFOLLOW) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// A file's modification time in milliseconds since 1970; 0 when it cannot be read.
    package static func modifiedMillis(_ path: String) -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0 }
        return Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000
    }
}
