import Foundation
import KuzetCore
import KuzetMedia
import KuzetWire
import Logging
import NIOCore

/// One RTSP client connection: runs its ``RTSPSession`` on the connection's event loop and
/// starts/stops the client's ``RelayClientPump``.
final class RelayConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = RTSPInbound
    typealias OutboundOut = ByteBuffer

    private let server: RelayServer.Shared
    private var session: RTSPSession
    private var pump: RelayClientPump?
    private var logger: Logger

    init(server: RelayServer.Shared, remoteAddress: SocketAddress?) {
        self.server = server
        let catalog = server.catalog
        self.session = RTSPSession(
            authenticator: server.configuration.username.map {
                RTSPDigestAuthenticator(username: $0, password: server.configuration.password ?? "", realm: server.configuration.realm)
            },
            serverPorts: server.udpPorts,
            availability: { catalog.availability(of: $0) })
        var logger = server.logger
        logger[metadataKey: "client.address"] = "\(remoteAddress?.description ?? "?")"
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .request(let request) = unwrapInboundIn(data) else { return }  // client RTCP: dropped
        let (response, action) = session.handle(request)
        if response.status >= 400 {
            // A 401 is also the normal first step of Digest, so it is logged at debug level.
            logger.log(
                level: response.status == 401 ? .debug : .info,
                "relay refused a request",
                metadata: ["rtsp.method": "\(request.method)", "rtsp.path": "\(RelayPath(uri: request.uri)?.presentation ?? "?")", "rtsp.status": "\(response.status)"])
        }
        var buffer = context.channel.allocator.buffer(capacity: 512)
        buffer.writeString(response.serialized(cseq: request.cseq))
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        switch action {
        case .play(let path, let transports):
            startPump(context: context, path: path, transports: transports)
        case .stop:
            pump?.stop()
            pump = nil
        case nil:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        pump?.stop()
        pump = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? WireError {
            // A message over a limit (413) or malformed (400): answered once, then closed.
            logger.info("relay refused a message", metadata: ["rtsp.status": "\(error.status)", "rtsp.problem": "\(error.kind)"])
            var buffer = context.channel.allocator.buffer(capacity: 64)
            buffer.writeString(RTSPResponse(status: error.status).serialized(cseq: nil))
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in bound.value.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }

    private func startPump(context: ChannelHandlerContext, path: RelayPath, transports: [Int: RTSPTransport]) {
        guard let fanout = server.catalog.fanout(path.camera, path.stream) else { return }
        pump?.stop()
        let target = RelayClientPump.Target(
            control: context.channel, transports: transports, udp: server.udpChannels, clientAddress: context.channel.remoteAddress)
        let pump = RelayClientPump(
            camera: path.camera, title: path.camera, payload: path.payload, fanout: fanout,
            capacity: server.configuration.clientQueueCapacity, target: target, statistics: server.statistics, logger: logger)
        pump.start()
        self.pump = pump
        logger.info("relay client playing", metadata: ["camera.id": "\(path.camera)", "rtsp.stream": "\(path.stream.rawValue)"])
    }
}
