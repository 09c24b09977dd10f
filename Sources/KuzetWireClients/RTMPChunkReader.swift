/// What an RTMP server sends, cut back from chunks into whole messages: bytes in (as the socket
/// delivers them, split anywhere), ``RTMPMessage``s out. No socket, no clock: the same bytes
/// always give the same messages or the same refusal (fuzzed by `Fuzz/Targets/fuzz-rtmp-chunks`).
///
/// A chunk is a basic header (format 0–3 and the chunk stream id, 1–3 bytes), a message header
/// (11, 7, 3 or 0 bytes: what it leaves out is the chunk stream's previous value), an extended
/// timestamp (4 bytes, when the 3-byte field is 0xFFFFFF) and at most one chunk size of payload.
///
/// Everything a server controls is bounded before it is used: a message at most
/// ``maximumMessageBytes``, at most ``maximumChunkStreams`` chunk streams, at most
/// ``maximumUnparsedBytes`` held without a complete chunk, a chunk size from 1 to 2^31 − 1. A
/// server past a bound, or one that breaks the protocol, gets a ``WireClientError`` of kind
/// `brokenProtocol` saying what it did.
struct RTMPChunkReader {
    /// A server sends a publisher only small control and command messages, so anything larger,
    /// or spread over more chunk streams, is refused.
    static let maximumMessageBytes = 64 * 1024
    static let maximumChunkStreams = 16
    static let maximumUnparsedBytes = 256 * 1024
    /// Set Chunk Size's top bit must be 0 (RTMP 1.0, 5.4.1); a larger size than a message
    /// changes nothing, since no chunk holds more than what is left of its message.
    static let maximumChunkSize = 0x7FFF_FFFF

    /// What the refusals say we were doing, e.g. "read rtmp://centre/live/…".
    let operation: String
    /// The server's chunk size: 128 until it sends Set Chunk Size.
    private(set) var chunkSize = 128
    private var bytes: [UInt8] = []
    /// Where the unread part of `bytes` starts.
    private var start = 0
    private var streams: [UInt32: ChunkStream] = [:]

    /// What a chunk stream's next header may leave out, and the message arriving on it.
    private struct ChunkStream {
        var hasHeader = false
        var length = 0
        var type: UInt8 = 0
        var streamID: UInt32 = 0
        var timestamp: UInt32 = 0
        var delta: UInt32 = 0
        var extended = false
        var payload: [UInt8] = []
    }

    init(operation: String) { self.operation = operation }

    /// Bytes received and not yet read as a whole chunk.
    var unparsedCount: Int { bytes.count - start }

    /// Takes what the socket received, refusing a server that makes us hold more than
    /// ``maximumUnparsedBytes`` not yet read as whole chunks (a chunk can be at most a message,
    /// 64 KiB, and its headers, so only a flood faster than we read gets there).
    mutating func append<Bytes: Collection<UInt8>>(_ received: Bytes) throws(WireClientError) {
        guard received.count <= Self.maximumUnparsedBytes - unparsedCount else {
            throw refusal("more than \(Self.maximumUnparsedBytes) bytes held unread")
        }
        if start > 0 {
            bytes.removeSubrange(0..<start)
            start = 0
        }
        bytes.append(contentsOf: received)
    }

    /// The next whole message, acting on Set Chunk Size and Abort on the way; nil when more bytes
    /// are needed.
    mutating func nextMessage() throws(WireClientError) -> RTMPMessage? {
        while true {
            // Basic header: format (2 bits) and chunk stream id (6 bits; 0 and 1 say 1 or 2 more bytes).
            var cursor = start
            guard cursor < bytes.count else { return nil }
            let format = bytes[cursor] >> 6
            var id = UInt32(bytes[cursor] & 0x3F)
            cursor += 1
            if id <= 1 {
                let more = Int(id) + 1
                guard bytes.count - cursor >= more else { return nil }
                id = 64 + UInt32(bytes[cursor]) + (more == 2 ? UInt32(bytes[cursor + 1]) << 8 : 0)
                cursor += more
            }
            guard streams[id] != nil || streams.count < Self.maximumChunkStreams else {
                throw refusal("more than \(Self.maximumChunkStreams) chunk streams")
            }
            var stream = streams[id] ?? ChunkStream()
            guard format <= 1 || stream.hasHeader else {
                throw refusal(
                    "a type-\(format) chunk on chunk stream \(id), which had no message header to take its length from")
            }

            // Message header: 11 (type 0), 7 (type 1), 3 (type 2) or 0 (type 3) bytes.
            let headerSize = [11, 7, 3, 0][Int(format)]
            guard bytes.count - cursor >= headerSize else { return nil }
            let startsMessage = stream.payload.isEmpty
            var timestampField: UInt32 = 0
            if format <= 2 {
                timestampField = Self.bigEndian(bytes, cursor, 3)
                stream.extended = timestampField == 0xFF_FFFF
            }
            if format <= 1 {
                let length = Int(Self.bigEndian(bytes, cursor + 3, 3))
                guard length <= Self.maximumMessageBytes else {
                    throw refusal("a message of \(length) bytes (at most \(Self.maximumMessageBytes))")
                }
                // A new header in the middle of a message may not cut it shorter than what came.
                guard length >= stream.payload.count else {
                    throw refusal("a message shortened to \(length) bytes after \(stream.payload.count) arrived")
                }
                stream.length = length
                stream.type = bytes[cursor + 6]
            }
            if format == 0 {
                // The stream id is the one little-endian field.
                stream.streamID = Self.bigEndian(bytes, cursor + 7, 4).byteSwapped
            }
            cursor += headerSize
            if stream.extended {
                guard bytes.count - cursor >= 4 else { return nil }
                // Type 3 repeats the extended timestamp of the header it continues.
                if format <= 2 { timestampField = Self.bigEndian(bytes, cursor, 4) }
                cursor += 4
            }
            switch format {
            case 0:
                // A type-3 chunk starting the next message adds the type-0 timestamp again (5.3.1.2.4).
                stream.timestamp = timestampField
                stream.delta = timestampField
            case 1, 2:
                stream.delta = timestampField
                stream.timestamp &+= timestampField
            default:
                if startsMessage { stream.timestamp &+= stream.delta }
            }
            stream.hasHeader = true

            // Payload: at most a chunk size of what is left of the message.
            let take = min(chunkSize, stream.length - stream.payload.count)
            guard bytes.count - cursor >= take else { return nil }
            stream.payload.append(contentsOf: bytes[cursor..<(cursor + take)])
            start = cursor + take
            if start == bytes.count {
                bytes.removeAll(keepingCapacity: true)
                start = 0
            }
            guard stream.payload.count == stream.length else {
                streams[id] = stream
                continue
            }
            let payload = stream.payload
            stream.payload = []
            streams[id] = stream
            if let message = try complete(chunkStream: id, stream, payload: payload) { return message }
        }
    }

    /// A whole message: Set Chunk Size and Abort are acted on here (nil), the rest returned.
    private mutating func complete(chunkStream: UInt32, _ stream: ChunkStream, payload: [UInt8])
        throws(WireClientError) -> RTMPMessage?
    {
        switch stream.type {
        case 1:
            guard payload.count >= 4 else {
                throw refusal("a Set Chunk Size message of \(payload.count) bytes (4 expected)")
            }
            let size = Self.bigEndian(payload, 0, 4)
            guard size >= 1, size <= Self.maximumChunkSize else {
                throw refusal("a chunk size of \(size) (1 to \(Self.maximumChunkSize))")
            }
            chunkSize = Int(size)
            return nil
        case 2:
            guard payload.count >= 4 else { throw refusal("an Abort message of \(payload.count) bytes (4 expected)") }
            // Drops what arrived of a message on that chunk stream (an unknown one has nothing).
            streams[Self.bigEndian(payload, 0, 4)]?.payload = []
            return nil
        default:
            let meaning: RTMPMessage.Meaning
            do throws(RTMPMessage.Malformed) {
                meaning = try RTMPMessage.Meaning(type: stream.type, payload: payload)
            } catch {
                throw refusal(error.what)
            }
            return RTMPMessage(
                chunkStream: chunkStream, type: stream.type, timestamp: stream.timestamp, streamID: stream.streamID,
                payload: payload, meaning: meaning)
        }
    }

    /// Why the end of the connection came at a bad moment: nil between messages, else what was
    /// cut off (for the error the caller gives).
    var cutOff: String? {
        if unparsedCount > 0 { return "the connection ended inside a chunk (\(unparsedCount) bytes of it arrived)" }
        guard let (id, stream) = streams.first(where: { !$0.value.payload.isEmpty }) else { return nil }
        return "the connection ended inside a message on chunk stream \(id) "
            + "(\(stream.payload.count) of \(stream.length) bytes arrived)"
    }

    private func refusal(_ what: String) -> WireClientError {
        WireClientError(.brokenProtocol, operation: operation, reason: "the server broke the RTMP protocol: \(what)")
    }

    private static func bigEndian(_ bytes: [UInt8], _ offset: Int, _ count: Int) -> UInt32 {
        RTMPMessage.bigEndian(bytes, offset, count)
    }
}
