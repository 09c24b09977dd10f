import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback TCP port that listens but never accepts: connections complete in the kernel and
/// then nothing happens — no TLS handshake, no answer. The "hanging TCP connection" of a test.
public final class SilentTCPListener: Sendable {
    public let port: Int
    private let fd: Int32

    public init() throws {
        (fd, port) = try loopbackListener(backlog: 64)
    }

    deinit { close(fd) }
}
