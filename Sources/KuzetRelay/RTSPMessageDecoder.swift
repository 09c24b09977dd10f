import KuzetWire
import NIOCore

/// ``RTSPMessageParser`` as a NIO decoder. An interleaved frame's payload (client RTCP, dropped)
/// is skipped as it arrives instead of being buffered: a frame announcing 65,535 bytes and
/// stalling holds nothing. After each pass it tells the handlers behind it whether part of a
/// message is still waiting (``RelayPartialMessage``), for the request timeout.
struct RTSPMessageDecoder: ByteToMessageDecoder {
    typealias InboundOut = RTSPInbound

    /// Payload bytes of the current interleaved frame still to skip.
    private var skipping = 0

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let state = try cut(context: context, buffer: &buffer)
        if state == .needMoreData || buffer.readableBytes == 0 {
            context.fireUserInboundEventTriggered(
                RelayPartialMessage(waiting: buffer.readableBytes > 0 || skipping > 0))
        }
        return state
    }

    private mutating func cut(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if skipping > 0 {
            let dropped = min(skipping, buffer.readableBytes)
            buffer.moveReaderIndex(forwardBy: dropped)
            skipping -= dropped
            return skipping == 0 ? .continue : .needMoreData
        }
        if let frame = WireFraming.interleavedFrame(in: buffer.readableBytesView) {
            buffer.moveReaderIndex(forwardBy: InterleavedFrame.headerLength)
            skipping = frame.length
            context.fireChannelRead(wrapInboundOut(.interleaved(channel: frame.channel, length: frame.length)))
            return .continue
        }
        guard let message = try RTSPMessageParser.next(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(message))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// Whether the connection has part of a message (request head, body, or interleaved block)
/// read and waiting for the rest.
struct RelayPartialMessage: Sendable, Equatable {
    var waiting: Bool
}
