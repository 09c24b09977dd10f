import Foundation
import KuzetTestKit

#if canImport(Glibc)
    import Glibc
#endif

/// A bare RTSP client over a plain socket, for what real players will not do on purpose:
/// send a wrong password byte by byte, or PLAY and then never read.
// @unchecked Sendable: one test drives it, one request at a time.
final class RawRTSPClient: @unchecked Sendable {
    let fd: Int32
    private var cseq = 0
    private var pending: [UInt8] = []

    /// - Parameter receiveBuffer: a small SO_RCVBUF makes a stalled reader fill up quickly.
    /// - Parameter source: the loopback address to connect from (127.0.0.2 stands for another machine).
    init(port: Int, receiveBuffer: Int? = nil, from source: String? = nil) throws {
        fd = try connectLoopback(port: port, receiveBuffer: receiveBuffer, from: source)
    }

    /// Sends `text` as it is (e.g. half a request).
    func sendRaw(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else {
            throw TestKitError("send failed")
        }
    }

    /// Everything the relay sends until it closes the connection, and after how many seconds;
    /// nil seconds if it was still open after `timeout`.
    func readUntilClosed(timeout: Double) -> (text: String, seconds: Double?) {
        let started = Date()
        var bytes = pending
        var chunk = [UInt8](repeating: 0, count: 4096)
        while Date().timeIntervalSince(started) < timeout {
            let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if received > 0 {
                bytes += chunk[..<received]
            } else if received == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                return (String(decoding: bytes, as: UTF8.self), Date().timeIntervalSince(started))
            }
        }
        return (String(decoding: bytes, as: UTF8.self), nil)
    }

    deinit { close(fd) }

    /// Sends a request and reads its response (skipping interleaved binary blocks before it).
    func request(_ method: String, _ uri: String, headers: [String: String] = [:]) throws -> (
        status: Int, headers: [String: String], body: String
    ) {
        cseq += 1
        var text = "\(method) \(uri) RTSP/1.0\r\nCSeq: \(cseq)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == bytes.count else {
            throw TestKitError("send failed")
        }
        return try readResponse()
    }

    func readResponse() throws -> (status: Int, headers: [String: String], body: String) {
        while true {
            while pending.first == UInt8(ascii: "$") {
                try fill(4)
                let length = Int(pending[2]) << 8 | Int(pending[3])
                try fill(4 + length)
                pending.removeFirst(4 + length)
            }
            if let end = headerEnd() {
                let head = String(decoding: pending[..<end], as: UTF8.self).components(separatedBy: "\r\n")
                var headers: [String: String] = [:]
                for line in head.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                        in: .whitespaces)
                }
                let length = Int(headers["content-length"] ?? "0") ?? 0
                try fill(end + 4 + length)
                let body = String(decoding: pending[(end + 4)..<(end + 4 + length)], as: UTF8.self)
                pending.removeFirst(end + 4 + length)
                let status = Int(head[0].split(separator: " ").dropFirst().first ?? "") ?? 0
                return (status, headers, body)
            }
            try fill(pending.count + 1)
        }
    }

    private func headerEnd() -> Int? {
        guard pending.count >= 4 else { return nil }
        for index in 0...(pending.count - 4)
        where pending[index] == 13 && pending[index + 1] == 10 && pending[index + 2] == 13 && pending[index + 3] == 10 {
            return index
        }
        return nil
    }

    private func fill(_ count: Int) throws {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while pending.count < count {
            let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard received > 0 else { throw TestKitError("connection closed or timed out") }
            pending += chunk[..<received]
        }
    }
}
