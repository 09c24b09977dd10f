import KuzetWire
import NIOCore

/// What arrives on an RTSP connection: requests, and (with TCP interleaving) the client's own
/// RTCP receiver reports in `$`-framed binary blocks (RFC 2326 §10.12), which we read and drop.
public enum RTSPInbound: Sendable, Equatable {
    case request(RTSPRequest)
    case interleaved(channel: UInt8, length: Int)
}

/// The relay's side of KuzetWire: cuts ``RTSPInbound`` messages off a connection's `ByteBuffer`.
/// Pure: no I/O, so the wire format is unit-tested byte for byte. A message over ``limits``
/// throws a ``WireError`` (its `status` is the answer: 413 over a limit, 400 malformed).
public enum RTSPMessageParser {
    /// What a relay client may send: small heads, bodies only as large as a SET_PARAMETER needs.
    /// Per connection at most `headerBytes + bodyBytes` (32 KiB) is held unread, plus what one
    /// socket read brought before the refusal; ``RTSPMessageDecoder`` skips interleaved payloads
    /// as they arrive (only this function's callers wait for a whole frame, at most 64 KiB).
    public static let limits = WireLimits(
        headerBytes: 16 * 1024, headerCount: 64, lineLength: 8 * 1024, bodyBytes: 16 * 1024, chunkSize: 16 * 1024)

    /// Takes one complete message (or interleaved frame) off the front of `buffer`; nil (and
    /// `buffer` untouched) when more bytes are needed.
    public static func next(from buffer: inout ByteBuffer, limits: WireLimits = Self.limits) throws(WireError)
        -> RTSPInbound?
    {
        let view = buffer.readableBytesView
        if let frame = WireFraming.interleavedFrame(in: view) {
            guard buffer.readableBytes >= frame.totalLength else { return nil }
            buffer.moveReaderIndex(forwardBy: frame.totalLength)
            return .interleaved(channel: frame.channel, length: frame.length)
        }
        guard view.first != UInt8(ascii: "$") else { return nil } // a frame header still arriving
        guard let framed = try WireFraming.request(in: view, limits: limits) else { return nil }
        let request = framed.message
        guard request.version.hasPrefix("RTSP/") else {
            throw .badStartLine("\(request.method) \(request.version) is not RTSP")
        }
        buffer.moveReaderIndex(forwardBy: framed.consumed)
        return .request(
            RTSPRequest(
                method: request.method, uri: request.uri, version: request.version, headers: request.headers.fields,
                body: request.body))
    }
}
