import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few POSIX file operations the outbox needs to be crash-safe: append + fsync, atomic
/// replace (write, fsync, rename, fsync the folder), truncate. Errors carry `errno`'s text.
enum DurableFile {
    struct Failure: Error, CustomStringConvertible {
        var operation: String
        var path: String
        var reason: String
        var description: String { "\(operation) \(path): \(reason)" }

        static func errno(_ operation: String, _ path: String) -> Failure {
            Failure(operation: operation, path: path, reason: String(cString: strerror(Glibc.errno)))
        }
    }

    /// Opens `path` for appending (created if missing), returns the descriptor.
    static func openForAppending(_ path: String) throws(Failure) -> Int32 {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .errno("cannot open", path) }
        return fd
    }

    /// Writes all of `data` and fsyncs. On failure the file is cut back to `restoreSize`, so a
    /// half-written record never sits in front of the next one.
    static func append(_ data: Data, to fd: Int32, path: String, restoreSize: Int) throws(Failure) {
        var failure: Failure?
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if Glibc.errno == EINTR { continue }
                    failure = .errno("cannot write", path)
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = .errno("cannot fsync", path) }
        if let failure {
            _ = ftruncate(fd, off_t(restoreSize))
            throw failure
        }
    }

    /// Cuts the file to `size` bytes and fsyncs.
    static func truncate(_ fd: Int32, path: String, to size: Int) throws(Failure) {
        guard ftruncate(fd, off_t(size)) == 0 else { throw .errno("cannot truncate", path) }
        guard fsync(fd) == 0 else { throw .errno("cannot fsync", path) }
    }

    /// Replaces `path` with `data` so that after a crash it holds either the old or the new content.
    static func replaceAtomically(_ path: String, with data: Data) throws(Failure) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .errno("cannot create", temporary) }
        do {
            try append(data, to: fd, path: temporary, restoreSize: 0)
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else { throw .errno("cannot rename into", path) }
        try syncDirectory(of: path)
    }

    /// Makes a rename or a new file in the folder of `path` durable.
    static func syncDirectory(of path: String) throws(Failure) {
        let folder = (path as NSString).deletingLastPathComponent
        let fd = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .errno("cannot open folder", folder) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .errno("cannot fsync folder", folder) }
    }
}
