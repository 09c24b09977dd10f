import Foundation
import KuzetCore
import KuzetWire

#if canImport(Glibc)
    import Glibc
#endif

/// A viewer that logs in (Digest, when given credentials), PLAYs one relay path over interleaved
/// TCP with a tiny receive window, and then never reads again: what a relay must survive by the
/// hundred. Blocking, one socket; the socket closes when the value goes away.
///
/// ```swift
/// let player = try RTSPStalledPlayer(port: relayPort, path: "/entrance", username: "cou", password: "pw")
/// // …the relay keeps writing to it until its buffers are full; nobody reads.
/// ```
public final class RTSPStalledPlayer: @unchecked Sendable {
    // @unchecked Sendable: one test drives it at a time.
    public private(set) var fd: Int32
    /// The `Session:` id the relay gave.
    public private(set) var session = ""
    /// The `timeout=` the relay announced with it (nil when it announced none).
    public private(set) var announcedTimeout: Int?
    private var cseq = 0
    private var pending: [UInt8] = []
    private var authorization: ((String, String) -> String)?

    public struct Refused: Error, CustomStringConvertible {
        public var method: String
        public var status: Int
        public var description: String { "\(method) answered RTSP \(status)" }
    }

    /// Connects, logs in and PLAYs; throws ``Refused`` when the relay answers a step with an error.
    public init(port: Int, path: String, username: String? = nil, password: String? = nil, receiveBuffer: Int = 4096)
        throws
    {
        fd = try connectLoopback(port: port, receiveTimeoutSeconds: 15, receiveBuffer: receiveBuffer)
        let url = "rtsp://127.0.0.1:\(port)\(path)"
        var described = try request("DESCRIBE", url)
        if described.status == 401, let username, let password,
            let challenge = DigestChallenge(headers: described.headers["www-authenticate"].map { [$0] } ?? [])
        {
            authorization = { method, uri in
                challenge.authorization(method: method, uri: uri, username: username, password: password)
            }
            described = try request("DESCRIBE", url)
        }
        guard described.status == 200 else { throw Refused(method: "DESCRIBE", status: described.status) }
        let setup = try request(
            "SETUP", url + "/streamid=0", headers: ["Transport": "RTP/AVP/TCP;unicast;interleaved=0-1"])
        guard setup.status == 200, let value = setup.headers["session"] else {
            throw Refused(method: "SETUP", status: setup.status)
        }
        let parts = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        session = parts.first ?? ""
        announcedTimeout = parts.first { $0.hasPrefix("timeout=") }.flatMap { Int($0.dropFirst("timeout=".count)) }
        let play = try request("PLAY", url + "/", headers: ["Session": session])
        guard play.status == 200 else { throw Refused(method: "PLAY", status: play.status) }
    }

    deinit { disconnect() }

    /// Sends one RTCP receiver report on the interleaved RTCP channel (1), as a player that keeps
    /// its TCP session alive with RTCP instead of requests does — still without reading.
    public func sendReceiverReport() throws {
        // `$`, channel 1, length 8; RTCP v2 RR (201) with no report blocks, length 1 word, SSRC.
        let frame: [UInt8] = [0x24, 1, 0, 8, 0x80, 201, 0, 1, 0x12, 0x34, 0x56, 0x78]
        guard frame.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == frame.count else {
            throw TestKitError("RTCP: send failed")
        }
    }

    /// Closes the connection (once).
    public func disconnect() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
    }

    /// Sends one request and reads its response (nothing else arrives before PLAY).
    func request(_ method: String, _ uri: String, headers: [String: String] = [:]) throws -> (
        status: Int, headers: [String: String]
    ) {
        cseq += 1
        var text = "\(method) \(uri) RTSP/1.0\r\nCSeq: \(cseq)\r\n"
        if let authorization { text += "Authorization: \(authorization(method, uri))\r\n" }
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        let bytes = Array((text + "\r\n").utf8)
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else {
            throw TestKitError("\(method): send failed")
        }
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let end = Self.headerEnd(pending) {
                let head = String(decoding: pending[..<end], as: UTF8.self).components(separatedBy: "\r\n")
                var fields: [String: String] = [:]
                for line in head.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                        in: .whitespaces)
                }
                let total = end + 4 + (Int(fields["content-length"] ?? "0") ?? 0)
                if pending.count >= total {
                    pending.removeFirst(total)
                    return (Int(head[0].split(separator: " ").dropFirst().first ?? "") ?? 0, fields)
                }
            }
            let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard received > 0 else { throw TestKitError("\(method): the connection closed or timed out") }
            pending += chunk[..<received]
        }
    }

    static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        return (0...(bytes.count - 4)).first {
            bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10
        }
    }
}
