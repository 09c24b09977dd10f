#if canImport(Glibc)
    import Glibc
#endif

/// Size and free space of the file system holding a path.
public struct DiskSpace: Sendable, Equatable {
    public var totalBytes: Int64
    /// Space an unprivileged writer can still use (`f_bavail`).
    public var freeBytes: Int64

    public init(totalBytes: Int64, freeBytes: Int64) {
        self.totalBytes = totalBytes
        self.freeBytes = freeBytes
    }

    /// `statvfs(path)`; nil when the path cannot be read.
    @Sendable public static func of(_ path: String) -> DiskSpace? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        let block = Int64(info.f_frsize)
        return DiskSpace(totalBytes: Int64(info.f_blocks) * block, freeBytes: Int64(info.f_bavail) * block)
    }
}
