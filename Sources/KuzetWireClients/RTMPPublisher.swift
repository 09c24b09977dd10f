import Foundation
import KuzetCore

#if canImport(Glibc)
    import Glibc
#endif

/// Publishes a live stream to an RTMP server (the ЦОУ's ingest): handshake, `connect`,
/// `createStream`, `publish`, then one RTMP message per FLV tag, each sent with ONE `send`.
///
/// libavformat's muxer still makes the FLV; only the transport is ours. (libavformat's RTMP
/// client sends every message as two `send` calls per chunk — 10–20 per video frame — which was
/// the largest part of the agent's CPU with 32 pushed cameras.) URLs with credentials (Adobe
/// auth), `rtmps://` and `rtmpt://` stay with libavformat's client.
public final class RTMPPublisher {
    private let socket: InterruptibleSocket
    private let redactedURL: String
    private let streamName: String
    private var streamID: UInt32 = 0
    private static let outChunkSize = 65_536
    /// The server's messages, put back together from its chunks (bounded: ``RTMPChunkReader``).
    private var reader: RTMPChunkReader
    private var outgoing: [UInt8] = []
    private var vectors: [iovec] = []
    private var lastDrain = DispatchTime.now().uptimeNanoseconds
    private let scratch = ReceiveBuffer(capacity: 16 * 1024)

    /// Whether `url` is published by this client: plain `rtmp://` without credentials.
    public static func handles(_ url: String) -> Bool {
        guard url.lowercased().hasPrefix("rtmp://"), let components = URLComponents(string: url) else { return false }
        return components.user == nil && components.password == nil && (components.host.map { !$0.isEmpty } ?? false)
            && components.path.split(separator: "/").count >= 2
    }

    /// Connects and starts publishing, within the interrupt's armed deadline.
    public init(url: String, interrupt: any WireInterrupt) throws(WireClientError) {
        redactedURL = CredentialRedaction.redact(url)
        reader = RTMPChunkReader(operation: "read \(redactedURL)")
        guard let components = URLComponents(string: url), let host = components.host else {
            throw WireClientError(.invalidURL, operation: "open \(redactedURL)", reason: "not a valid rtmp:// URL")
        }
        let port = components.port ?? 1935
        // rtmp://host/app[/instance]/stream[?query]: the last path element (and the query) is the
        // stream, the rest the application — as libavformat splits it.
        let elements = components.percentEncodedPath.split(separator: "/").map(String.init)
        let app = elements.dropLast().joined(separator: "/")
        var stream = elements.last ?? ""
        if let query = components.percentEncodedQuery { stream += "?" + query }
        streamName = stream
        do {
            socket = try InterruptibleSocket(host: host, port: port, interrupt: interrupt)
        } catch {
            throw WireClientError(
                error.kind, operation: "open \(CredentialRedaction.redact(url))", reason: error.reason)
        }
        try handshake()
        var size = [UInt8]()
        Self.appendBigEndian(UInt32(Self.outChunkSize), bytes: 4, to: &size)
        try send(chunkStream: 2, type: 1, streamID: 0, timestamp: 0, payload: size)
        let tcURL = "rtmp://\(host)\(components.port.map { ":\($0)" } ?? "")/\(app)"
        try command([
            "connect", .number(1),
            .object([
                ("app", .string(app)), ("type", .string("nonprivate")),
                ("flashVer", .string("FMLE/3.0 (compatible; kuzet-agent)")),
                ("tcUrl", .string(tcURL)),
            ]),
        ])
        _ = try awaitResult(transaction: 1, of: "connect")
        try command(["releaseStream", .number(2), .null, .string(stream)])
        try command(["FCPublish", .number(3), .null, .string(stream)])
        try command(["createStream", .number(4), .null])
        let created = try awaitResult(transaction: 4, of: "createStream")
        guard let id = created.dropFirst(3).first?.numberValue else {
            throw WireClientError(
                .brokenProtocol, operation: "open \(redactedURL)",
                reason: "the server answered createStream without a stream id")
        }
        // A stream id is a small whole number; NaN, negative or huge is a broken (or hostile) server.
        guard let exact = UInt32(exactly: id) else {
            throw WireClientError(
                .brokenProtocol, operation: "open \(redactedURL)",
                reason: "the server answered createStream with an unusable stream id")
        }
        streamID = exact
        try command(
            ["publish", .number(5), .null, .string(stream), .string("live")], chunkStream: 8, streamID: streamID)
        while true {
            let values = try nextCommand()
            guard values.first?.text == "onStatus", let info = values.dropFirst(3).first else { continue }
            let code = info["code"]?.text ?? ""
            if code == "NetStream.Publish.Start" { break }
            if info["level"]?.text == "error" || code.hasSuffix("BadName") || code.hasSuffix("Failed") {
                throw Self.refused(info, operation: "open \(redactedURL)")
            }
        }
    }

    deinit { socket.close() }

    /// Sends one FLV tag (`type` 8 audio, 9 video, 18 script data) as an RTMP message, its
    /// payload straight from `data` (no copy) in one `sendmsg`.
    public func send(tagType type: UInt8, timestamp: UInt32, data: RawSpan) throws(WireClientError) {
        if type == 18 {
            // A script tag (onMetaData) is sent as "@setDataFrame" + the tag, as RTMP servers expect.
            var script: [UInt8] = []
            AMF0.string("@setDataFrame").encode(into: &script)
            data.withUnsafeBytes { script.append(contentsOf: $0) }
            try send(chunkStream: 6, type: type, streamID: streamID, timestamp: timestamp, payload: script)
        } else {
            var failure: WireClientError?
            data.withUnsafeBytes { raw in
                do throws(WireClientError) {
                    try send(
                        chunkStream: type == 8 ? 4 : 6, type: type, streamID: streamID, timestamp: timestamp,
                        payload: raw)
                } catch { failure = error }
            }
            if let failure { throw failure }
        }
        try drainIfDue()
    }

    /// Says goodbye (best effort) and closes the connection.
    public func close() {
        var bytes: [UInt8] = []
        for value: AMF0 in ["deleteStream", .number(6), .null, .number(Double(streamID))] { value.encode(into: &bytes) }
        // A few bytes: one chunk, so the header and the payload are the whole message.
        outgoing.removeAll(keepingCapacity: true)
        Self.appendHeader(chunkStream: 3, type: 20, streamID: 0, timestamp: 0, length: bytes.count, to: &outgoing)
        socket.sendIfPossible(outgoing + bytes)
        socket.close()
    }

    // MARK: - Handshake and commands

    private func handshake() throws(WireClientError) {
        var hello = [UInt8](repeating: 0, count: 1 + 1536)
        hello[0] = 3
        for index in 9..<hello.count { hello[index] = UInt8.random(in: 0...255) }
        try socket.send(hello, operation: "handshake with \(redactedURL)")
        let answer = try readExactly(1 + 1536 + 1536, operation: "handshake with \(redactedURL)")
        guard answer[0] == 3 else {
            throw WireClientError(
                .brokenProtocol, operation: "open \(redactedURL)",
                reason: "the server did not answer the RTMP handshake — is this an RTMP port?")
        }
        try socket.send(Array(answer[1..<1537]), operation: "handshake with \(redactedURL)")
    }

    private func command(_ values: [AMF0], chunkStream: UInt32 = 3, streamID: UInt32 = 0) throws(WireClientError) {
        try send(chunkStream: chunkStream, type: 20, streamID: streamID, timestamp: 0, payload: AMF0.encode(values))
    }

    /// Waits for `_result` (or `_error`) of a transaction.
    private func awaitResult(transaction: Double, of name: String) throws(WireClientError) -> [AMF0] {
        while true {
            let values = try nextCommand()
            guard values.count >= 2, values[1].numberValue == transaction else { continue }
            if values[0].text == "_result" { return values }
            if values[0].text == "_error" {
                throw Self.refused(values.dropFirst(3).first ?? .null, operation: "\(name) \(redactedURL)")
            }
        }
    }

    private static func refused(_ info: AMF0, operation: String) -> WireClientError {
        let code = info["code"]?.text ?? "refused"
        let description = info["description"]?.text.map { " (\($0.prefix(200)))" } ?? ""
        return WireClientError(.refused, operation: operation, reason: "the server refused: \(code)\(description)")
    }

    /// The next AMF0 command from the server, answering control messages on the way.
    private func nextCommand() throws(WireClientError) -> [AMF0] {
        while true {
            while let message = try nextMessage() {
                if case .command(let values) = message.meaning { return values }
            }
            _ = try receive(waiting: true)
        }
    }

    /// The reader's next message, answering the server's pings on the way; nil when more bytes
    /// are needed.
    private func nextMessage() throws(WireClientError) -> RTMPMessage? {
        while let message = try reader.nextMessage() {
            guard case .pingRequest(let timestamp) = message.meaning else { return message }
            var answer: [UInt8] = [0, 7] // user control event 7: ping response, the same timestamp
            Self.appendBigEndian(timestamp, bytes: 4, to: &answer)
            try send(chunkStream: 2, type: 4, streamID: 0, timestamp: 0, payload: answer)
        }
        return nil
    }

    /// Hands what the server sent to the chunk reader (which refuses a server that makes us hold
    /// too much); `waiting`: for at least one byte, else only what has arrived. The bytes read.
    private func receive(waiting: Bool) throws(WireClientError) -> Int {
        let count: Int
        do throws(WireClientError) {
            count =
                waiting
                ? try socket.receive(into: scratch.bytes, count: scratch.capacity, operation: "read \(redactedURL)")
                : try socket.receiveIfAvailable(
                    into: scratch.bytes, count: scratch.capacity, operation: "read \(redactedURL)")
        } catch {
            // The end of the stream in the middle of a chunk or a message says so.
            if error.kind == .closed, let cutOff = reader.cutOff {
                throw WireClientError(.closed, operation: error.operation, reason: cutOff)
            }
            throw error
        }
        try reader.append(UnsafeRawBufferPointer(start: scratch.bytes, count: count))
        return count
    }

    /// Reads what the server sent meanwhile (pings, errors), at most once a second.
    private func drainIfDue() throws(WireClientError) {
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - lastDrain > 1_000_000_000 else { return }
        lastDrain = now
        while try receive(waiting: false) > 0 {}
        while let message = try nextMessage() {
            guard message.type == 20, case .command(let values) = message.meaning,
                values.first?.text == "onStatus",
                let info = values.dropFirst(3).first, info["level"]?.text == "error"
            else { continue }
            throw Self.refused(info, operation: "publish to \(redactedURL)")
        }
    }

    private func readExactly(_ count: Int, operation: String) throws(WireClientError) -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < count {
            let received = try socket.receive(
                into: scratch.bytes, count: min(scratch.capacity, count - bytes.count), operation: operation)
            bytes.append(contentsOf: UnsafeRawBufferPointer(start: scratch.bytes, count: received))
        }
        return bytes
    }

    // MARK: - Chunks

    private func send(chunkStream: UInt32, type: UInt8, streamID: UInt32, timestamp: UInt32, payload: [UInt8])
        throws(WireClientError)
    {
        var failure: WireClientError?
        payload.withUnsafeBytes { raw in
            do throws(WireClientError) {
                try send(chunkStream: chunkStream, type: type, streamID: streamID, timestamp: timestamp, payload: raw)
            } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// The whole message — header, payload cut into chunks — goes out in one `sendmsg`, the
    /// payload straight from where the muxer left it.
    private func send(
        chunkStream: UInt32, type: UInt8, streamID: UInt32, timestamp: UInt32, payload: UnsafeRawBufferPointer
    ) throws(WireClientError) {
        let extended = timestamp >= 0xFF_FFFF
        outgoing.removeAll(keepingCapacity: true)
        Self.appendHeader(
            chunkStream: chunkStream, type: type, streamID: streamID, timestamp: timestamp, length: payload.count,
            to: &outgoing)
        // The continuation header between chunks: type 3 (and the extended timestamp again).
        var continuation: [UInt8] = [0xC0 | UInt8(chunkStream & 0x3F)]
        if extended { Self.appendBigEndian(timestamp, bytes: 4, to: &continuation) }
        var failure: WireClientError?
        outgoing.withUnsafeBytes { header in
            continuation.withUnsafeBytes { separator in
                vectors.removeAll(keepingCapacity: true)
                vectors.append(
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: header.baseAddress!), iov_len: header.count))
                var offset = 0
                while offset < payload.count {
                    let count = min(Self.outChunkSize, payload.count - offset)
                    vectors.append(
                        iovec(
                            iov_base: UnsafeMutableRawPointer(mutating: payload.baseAddress! + offset), iov_len: count))
                    offset += count
                    if offset < payload.count {
                        vectors.append(
                            iovec(
                                iov_base: UnsafeMutableRawPointer(mutating: separator.baseAddress!),
                                iov_len: separator.count))
                    }
                }
                do throws(WireClientError) {
                    try socket.send(parts: &vectors, operation: "write to \(redactedURL)")
                } catch { failure = error }
            }
        }
        if let failure { throw failure }
    }

    /// A type-0 chunk header (basic header, timestamp, length, type, stream id, extended timestamp).
    static func appendHeader(
        chunkStream: UInt32, type: UInt8, streamID: UInt32, timestamp: UInt32, length: Int, to bytes: inout [UInt8]
    ) {
        let extended = timestamp >= 0xFF_FFFF
        bytes.append(UInt8(chunkStream & 0x3F))
        appendBigEndian(extended ? 0xFF_FFFF : timestamp, bytes: 3, to: &bytes)
        appendBigEndian(UInt32(length), bytes: 3, to: &bytes)
        bytes.append(type)
        withUnsafeBytes(of: streamID.littleEndian) { bytes.append(contentsOf: $0) }
        if extended { appendBigEndian(timestamp, bytes: 4, to: &bytes) }
    }

    static func appendBigEndian(_ value: UInt32, bytes count: Int, to bytes: inout [UInt8]) {
        for shift in stride(from: (count - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8((value >> UInt32(shift)) & 0xFF))
        }
    }
}
