import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback TCP server that answers every request head (up to its blank line) on every
/// connection with the same canned bytes, then closes: a device or camera that answers garbage.
// @unchecked Sendable: `port` and `fd` never change; the accept thread alone closes the socket.
public final class CannedTCPServer: @unchecked Sendable {
    public let port: Int
    private let fd: Int32

    public init(answer: [UInt8]) throws {
        let (fd, port) = try loopbackListener(backlog: 16)
        self.fd = fd
        self.port = port
        let thread = Thread {
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else {
                    close(fd) // shut down by deinit: closed here, so its number is never reused under this thread
                    return
                }
                var seen: [UInt8] = []
                var byte: UInt8 = 0
                // Read one request head (bounded), answer, close.
                while seen.count < 64 * 1024, recv(client, &byte, 1, 0) == 1 {
                    seen.append(byte)
                    if seen.suffix(4) == [13, 10, 13, 10] { break }
                }
                _ = answer.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                close(client)
            }
        }
        thread.start()
    }

    /// Wakes the accept thread, which closes the socket and ends.
    deinit { shutdown(fd, Int32(SHUT_RDWR)) }
}
