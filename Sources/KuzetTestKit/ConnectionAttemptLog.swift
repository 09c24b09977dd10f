import Foundation
import KuzetCore

#if canImport(Glibc)
    import Glibc
#endif

/// A camera that is down but whose port still answers: a loopback TCP listener on a GIVEN port
/// (e.g. a stopped ``RTSPCameraServer``'s) that accepts every connection and resets it at once,
/// noting when each came on the monotonic clock. A client's reconnect schedule, seen from the
/// other end of the wire (a closed port refuses in the kernel and leaves no trace).
///
/// ```swift
/// cameras.stop()
/// let log = try ConnectionAttemptLog(port: cameras.port)
/// Thread.sleep(forTimeInterval: 6)
/// let gaps = log.intervals                                   // seconds between attempts
/// log.close(); try cameras.restart()                         // the same port again
/// ```
public final class ConnectionAttemptLog: @unchecked Sendable {
    // @unchecked: `times` is guarded by `lock`; `fd` and `port` never change; the accept thread
    // alone closes the socket.
    public let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var times: [MonotonicInstant] = []
    private var closed = false
    /// At most this many attempts are noted (a client that spins cannot grow the list without limit).
    public static let limit = 10_000

    /// Listens on 127.0.0.1:`port`, retrying for up to `timeout` seconds while the port is still held.
    public init(port: Int, timeout: Double = 5) throws {
        self.port = port
        let deadline = MonotonicInstant.now().adding(seconds: timeout)
        var listening: Int32 = -1
        repeat {
            listening = Self.listener(port: port)
            if listening >= 0 { break }
            usleep(20_000)
        } while MonotonicInstant.now() < deadline
        guard listening >= 0 else { throw TestKitError("listen on 127.0.0.1:\(port) failed: \(errno)") }
        fd = listening
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { close() }

    /// When each connection came, in order.
    public var attempts: [MonotonicInstant] { lock.withLock { times } }

    /// Seconds between consecutive attempts.
    public var intervals: [Double] {
        let attempts = attempts
        return zip(attempts, attempts.dropFirst()).map { $0.seconds(to: $1) }
    }

    /// Stops listening (the port is free again once this returns).
    public func close() {
        let first = lock.withLock {
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        shutdown(fd, Int32(SHUT_RDWR)) // wakes the accept thread, which closes the socket
        let deadline = MonotonicInstant.now().adding(seconds: 2)
        while fcntl(fd, F_GETFD) != -1 && MonotonicInstant.now() < deadline { usleep(5_000) }
    }

    private func acceptLoop() {
        while true {
            let client = accept(fd, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                Glibc.close(fd)
                return
            }
            let now = MonotonicInstant.now()
            lock.withLock { if times.count < Self.limit { times.append(now) } }
            // Reset, not a graceful close: no TIME_WAIT left on the port for the camera that comes back.
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            Glibc.close(client)
        }
    }

    private static func listener(port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard bound, listen(fd, 64) == 0 else {
            Glibc.close(fd)
            return -1
        }
        return fd
    }
}
