import Foundation
import KuzetTestKit

#if canImport(Glibc)
    import Glibc
#endif

/// A plain socket to a registry on loopback, for what curl will not do: send half a request, or
/// nothing, and hold the connection.
final class RawConnection {
    let fd: Int32
    private var isClosed = false

    init(port: Int, receiveTimeoutSeconds: Int = 10) throws {
        fd = try connectLoopback(port: port, receiveTimeoutSeconds: receiveTimeoutSeconds)
    }

    /// The port of a `http://127.0.0.1:PORT` address.
    static func port(of url: String) -> Int { Int(url.split(separator: ":").last ?? "") ?? 0 }

    /// False if the server has closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// What the server sends until it closes the connection or `seconds` pass; `closed` tells which.
    func readUntilClosed(seconds: Double) -> (text: String, closed: Bool) {
        var received = [UInt8]()
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while Date() < deadline {
            var poll = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = Glibc.poll(&poll, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000)))
            if ready <= 0 { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return (String(decoding: received, as: UTF8.self), true) }
            received += buffer[0..<count]
        }
        return (String(decoding: received, as: UTF8.self), false)
    }

    /// Sends one request and reads its answer (a `Content-Length` body): the status, or nil if the
    /// connection closed or `seconds` passed first.
    func exchange(_ request: Data, seconds: Double = 10) -> Int? {
        let sent = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else { return nil }
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 16384)
        let deadline = Date().addingTimeInterval(seconds)
        let separator = Array("\r\n\r\n".utf8)
        while Date() < deadline {
            var poll = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard Glibc.poll(&poll, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000))) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            received += buffer[0..<count]
            guard let end = received.firstRange(of: separator) else { continue }
            let head = String(decoding: received[..<end.lowerBound], as: UTF8.self)
            let length =
                head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            if received.count - end.upperBound >= length {
                return Int(head.split(separator: " ").dropFirst().first ?? "")
            }
        }
        return nil
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(fd)
    }

    deinit { close() }
}
