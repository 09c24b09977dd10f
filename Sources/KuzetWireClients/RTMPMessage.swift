/// One whole message an RTMP server sent, put back together from its chunks by
/// ``RTMPChunkReader``, with what a publisher makes of it.
struct RTMPMessage: Equatable {
    /// The chunk stream it came on (2 for protocol control, 3 and up for commands).
    var chunkStream: UInt32
    /// The RTMP message type (1–6 protocol control, 20 an AMF0 command, 8/9 audio/video, …).
    var type: UInt8
    /// Milliseconds, from the type-0 header's timestamp plus later deltas (wrapping at 2^32, as
    /// RTMP timestamps do).
    var timestamp: UInt32
    /// The message stream (0 for the connection, the id `createStream` gave for the stream).
    var streamID: UInt32
    var payload: [UInt8]
    var meaning: Meaning

    /// What a message says to a publisher. Set Chunk Size (1) and Abort (2) change how chunks
    /// are read, so ``RTMPChunkReader`` acts on them itself and never returns them.
    enum Meaning: Equatable {
        /// An AMF0 command (type 20, or 17 after its format byte): `_result`, `_error`, `onStatus`.
        case command([AMF0])
        /// User control event 6: the server asks for this timestamp back in a ping response (7).
        case pingRequest(timestamp: UInt32)
        /// Any other user control event (4): stream begin, stream EOF, buffer length, …
        case userControl(event: UInt16)
        /// Acknowledgement (3): how many bytes the server has received.
        case acknowledgement(bytesReceived: UInt32)
        /// Window Acknowledgement Size (5): after how many bytes the server wants an acknowledgement.
        case windowAcknowledgementSize(UInt32)
        /// Set Peer Bandwidth (6): the server's output limit and how to apply it (0 hard, 1 soft, 2 dynamic).
        case peerBandwidth(UInt32, limitType: UInt8)
        /// Anything else (audio, video, data, shared objects): a publisher is sent none and ignores it.
        case other
    }

    /// A control message shorter than its fields: what is wrong with it, for the refusal.
    struct Malformed: Error {
        var what: String
    }
}

extension RTMPMessage.Meaning {
    /// What `payload` of message type `type` says.
    init(type: UInt8, payload: [UInt8]) throws(RTMPMessage.Malformed) {
        func need(_ count: Int, _ name: String) throws(RTMPMessage.Malformed) {
            guard payload.count >= count else {
                throw RTMPMessage.Malformed(
                    what: "\(name) message of \(payload.count) bytes (at least \(count) expected)")
            }
        }
        let number = RTMPMessage.bigEndian
        switch type {
        case 3:
            try need(4, "an Acknowledgement")
            self = .acknowledgement(bytesReceived: number(payload, 0, 4))
        case 4:
            try need(2, "a User Control")
            let event = UInt16(number(payload, 0, 2))
            if event == 6 {
                try need(6, "a ping request")
                self = .pingRequest(timestamp: number(payload, 2, 4))
            } else {
                self = .userControl(event: event)
            }
        case 5:
            try need(4, "a Window Acknowledgement Size")
            self = .windowAcknowledgementSize(number(payload, 0, 4))
        case 6:
            try need(5, "a Set Peer Bandwidth")
            self = .peerBandwidth(number(payload, 0, 4), limitType: payload[4])
        case 20:
            self = .command(AMF0.decode(payload[...]))
        case 17:
            // AMF3 command: a format byte (0), then AMF0 values.
            self = .command(AMF0.decode(payload.dropFirst()))
        default:
            self = .other
        }
    }
}

extension RTMPMessage {
    /// `count` (at most 4) bytes at `offset` as a big-endian number; the caller checked they are there.
    static func bigEndian(_ bytes: [UInt8], _ offset: Int, _ count: Int) -> UInt32 {
        bytes[offset..<(offset + count)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }
}
