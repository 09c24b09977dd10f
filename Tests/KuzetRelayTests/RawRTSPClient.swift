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
    init(port: Int, receiveBuffer: Int? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer.map(Int32.init) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw TestKitError("cannot connect to 127.0.0.1:\(port)")
        }
    }

    deinit { close(fd) }

    /// Sends a request and reads its response (skipping interleaved binary blocks before it).
    func request(_ method: String, _ uri: String, headers: [String: String] = [:]) throws -> (status: Int, headers: [String: String], body: String) {
        cseq += 1
        var text = "\(method) \(uri) RTSP/1.0\r\nCSeq: \(cseq)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == bytes.count else { throw TestKitError("send failed") }
        return try readResponse()
    }

    private func readResponse() throws -> (status: Int, headers: [String: String], body: String) {
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
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
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
        for index in 0...(pending.count - 4) where pending[index] == 13 && pending[index + 1] == 10 && pending[index + 2] == 13 && pending[index + 3] == 10 {
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
