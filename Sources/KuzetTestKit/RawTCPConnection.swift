import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking loopback TCP connection for hostile-input tests: sends without SIGPIPE and with a
/// send timeout, reads with a receive timeout, and tells a close, a reset and silence apart.
// @unchecked Sendable: one test drives each connection from one thread.
public final class RawTCPConnection: @unchecked Sendable {
    public enum Received: Sendable, Equatable {
        case bytes([UInt8])
        case closed
        case reset
        case timedOut
    }

    public let fd: Int32

    /// - Parameter source: a loopback address to connect from (e.g. 127.0.0.2), or nil for any.
    public init(port: Int, timeoutSeconds: Int = 5, from source: String? = nil) throws {
        fd = try connectLoopback(port: port, receiveTimeoutSeconds: timeoutSeconds, from: source)
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Sends every byte; false when the peer closed, reset or stopped reading for the timeout.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    /// What arrives next (at most `maximum` bytes).
    public func receive(maximum: Int = 64 * 1024) -> Received {
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, maximum, 0) }
            if count > 0 { return .bytes(Array(buffer[..<count])) }
            if count == 0 { return .closed }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .timedOut
            default: return .reset
            }
        }
    }

    /// Raises this process's soft open-file limit (children started afterwards inherit it) up to
    /// the hard limit; returns the soft limit now in force.
    @discardableResult
    public static func raiseOpenFileLimit(to wanted: Int) -> Int {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < rlim_t(wanted) {
            limit.rlim_cur = min(rlim_t(wanted), limit.rlim_max)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return Int(limit.rlim_cur)
    }
}

/// A process's resident memory (`VmRSS` of /proc/PID/status) in KiB; nil once it is gone.
public func residentKiB(pid: Int32) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
    else { return nil }
    return line.split(separator: " ").compactMap { Int($0) }.first
}
