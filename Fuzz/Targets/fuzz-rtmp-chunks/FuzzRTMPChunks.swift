@testable import KuzetWireClients

/// What an RTMP server sends a publisher after the handshake, read by `RTMPChunkReader` as
/// `RTMPPublisher` reads it: appended as the socket delivers it, whole messages taken after each
/// read. The same bytes read at once and cut into small reads give the same messages and the
/// same refusal; no message is over its bound, nothing is held past its bound.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRTMPChunks(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    let whole = read(bytes, piece: bytes.count)
    // The first byte chooses how small the reads are (1 to 64 bytes), as a socket could cut them.
    let piece = 1 + Int(bytes.first ?? 0) % 64
    let cut = read(bytes, piece: piece)
    // Held unread is checked per read, so only inputs within that bound read the same both ways.
    if bytes.count <= RTMPChunkReader.maximumUnparsedBytes {
        precondition(
            whole.messages == cut.messages,
            "RTMP chunks: \(whole.messages.count) messages read at once, \(cut.messages.count) in reads of \(piece)")
        precondition(
            whole.refusal == cut.refusal,
            "RTMP chunks: read at once \(String(describing: whole.refusal)), in reads of \(piece) \(String(describing: cut.refusal))"
        )
    }
    return 0
}

/// A message as compared between the two reads (AMF0 numbers may be NaN, so not by meaning).
struct Seen: Equatable {
    var chunkStream: UInt32
    var type: UInt8
    var timestamp: UInt32
    var streamID: UInt32
    var payload: [UInt8]
}

func read(_ bytes: UnsafeRawBufferPointer, piece: Int) -> (messages: [Seen], refusal: WireClientError?) {
    var reader = RTMPChunkReader(operation: "read rtmp://127.0.0.1/live/fuzz")
    var messages: [Seen] = []
    var offset = 0
    do throws(WireClientError) {
        while offset < bytes.count {
            let end = offset + min(piece, bytes.count - offset)
            try reader.append(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
            offset = end
            while let message = try reader.nextMessage() {
                precondition(
                    message.payload.count <= RTMPChunkReader.maximumMessageBytes, "RTMP chunks: message over its bound")
                precondition(message.type != 1 && message.type != 2, "RTMP chunks: a chunk control message returned")
                // What RTMPPublisher looks at in what it is sent.
                switch message.meaning {
                case .command(let values):
                    if values.count >= 2 { _ = (values[0].text, values[1].numberValue) }
                    if let info = values.dropFirst(3).first { _ = (info["code"]?.text, info["level"]?.text) }
                case .pingRequest(let timestamp):
                    var answer: [UInt8] = [0, 7]
                    RTMPPublisher.appendBigEndian(timestamp, bytes: 4, to: &answer)
                default:
                    break
                }
                messages.append(
                    Seen(
                        chunkStream: message.chunkStream, type: message.type, timestamp: message.timestamp,
                        streamID: message.streamID, payload: message.payload))
            }
            precondition(
                reader.unparsedCount <= RTMPChunkReader.maximumUnparsedBytes, "RTMP chunks: held past its bound")
            precondition((1...RTMPChunkReader.maximumChunkSize).contains(reader.chunkSize), "RTMP chunks: chunk size")
        }
        _ = reader.cutOff
        return (messages, nil)
    } catch {
        return (messages, error)
    }
}
