import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1.1 child channel (`HTTP1Channel`), with `HeartbeatFastPath` in front of the
/// router. Two differences from the original's pipeline, both for the fast path: pipelining
/// assistance is on, so requests reach it one at a time; and it sits after the connection-state
/// handler, which so sees its requests and answers (graceful shutdown). And the connection's limits
/// (`ConnectionLimits`): `ConnectionDeadlines` first, `RequestProgress` after the codec, and a
/// connection over the cap gets only `ConnectionRefusal`.
struct RegistryHTTP1Channel: HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    /// Nil: every request goes to the router.
    let fastPath: HeartbeatFastPath.Settings?
    let limits: ConnectionLimits
    /// The server's open connections (one counter for all its channels).
    let connections: ConnectionCount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            // Over the cap: a 503 and nothing else (the count is the server's, so `accept` goes on
            // working and the file descriptors stay below `LimitNOFILE`).
            guard connections.admit(maximum: limits.maximumConnections) else {
                try channel.pipeline.syncOperations.addHandler(ConnectionRefusal())
                return try NIOAsyncChannel(
                    wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
            }
            channel.closeFuture.whenComplete { [connections] _ in connections.release() }
            let deadlines = ConnectionDeadlines(limits, counting: connections)
            try channel.pipeline.syncOperations.addHandler(deadlines)
            // Hummingbird's limits for headers.
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldSize = 80 * 1024
            limits.maxHeaderListSize = 80 * 1024
            limits.maxHeaderFieldCount = 1000
            let pipeline = channel.pipeline.syncOperations
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: true, withErrorHandling: false, withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(), withDecoderLimitConfiguration: limits)
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try pipeline.addHandler(RequestProgress(deadlines))
            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
            if let fastPath { try pipeline.addHandler(HeartbeatFastPath(fastPath)) }
            return try NIOAsyncChannel(
                wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    func handle(value: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with the heartbeat fast path (nil: without, as `.http1()`).
    static func registryHTTP1(
        fastPath: HeartbeatFastPath.Settings?, limits: ConnectionLimits, connections: ConnectionCount
    ) -> HTTPServerBuilder {
        .init { responder in
            RegistryHTTP1Channel(responder: responder, fastPath: fastPath, limits: limits, connections: connections)
        }
    }
}
