#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The permissions every file and folder the executables create start from: footage, the outbox,
/// the registry's database (token hashes) and written configs (camera passwords) are never
/// world-readable, whoever started the process and with whatever umask (the systemd units set
/// the same `UMask=0027`). Folders come out 0750, files 0640 at most.
public enum FileCreationMask {
    /// Owner everything, group read (and search), others nothing.
    public static let value: mode_t = 0o027

    /// Sets the process's umask to ``value`` (only ever tightening a stricter one the caller set).
    public static func restrict() {
        let previous = umask(value)
        umask(previous | value)
    }
}
