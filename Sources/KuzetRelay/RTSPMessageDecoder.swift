import NIOCore

/// ``RTSPMessageParser`` as a NIO decoder.
struct RTSPMessageDecoder: ByteToMessageDecoder {
    typealias InboundOut = RTSPInbound

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let message = try RTSPMessageParser.next(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(message))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
