import Foundation
import KuzetCore
import KuzetMedia
import KuzetWire
import Logging
import NIOCore

/// One RTSP client connection: runs its ``RTSPSession`` on the connection's event loop, enforces
/// the session timeout it announces, the request timeout and the relay's caps, and hands a playing
/// client to its camera stream's ``RelayStreamPump``.
final class RelayConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = RTSPInbound
    typealias OutboundOut = ByteBuffer

    private let server: RelayServer.Shared
    private var session: RTSPSession
    private var playing: (client: RelayClient, pump: RelayStreamPump)?
    private var logger: Logger
    /// When the client last sent a whole request or (over TCP) an RTCP block.
    private var lastHeard = NIODeadline.now()
    private var idleCheck: Scheduled<Void>?
    /// Closes the connection when the request being read (or the first one) is not complete by
    /// `relay.request_timeout_seconds`; nil while nothing is awaited (between requests).
    private var requestDeadline: Scheduled<Void>?
    private var heardRequest = false
    /// Whether part of a message has been read and waits for the rest.
    private var partWaiting = false
    /// The on-demand camera stream this connection described or set up, held open until TEARDOWN
    /// or the connection closes (one per connection: a session plays one presentation).
    private var demand: (path: RelayPath, hold: StreamDemand.Hold)?
    /// While a request waits for an on-demand upstream to come up, later requests wait here.
    private var waitingForUpstream = false
    private var pending: [RTSPRequest] = []
    private static let maximumPending = 8

    init(server: RelayServer.Shared, remoteAddress: SocketAddress?) {
        self.server = server
        let catalog = server.catalog
        self.session = RTSPSession(
            authenticator: server.configuration.username.map {
                RTSPDigestAuthenticator(
                    username: $0, password: server.configuration.password ?? "", realm: server.configuration.realm)
            },
            serverPorts: server.udpPorts, timeoutSeconds: server.configuration.sessionTimeout,
            maximumFailedAuthorizations: server.configuration.maxFailedAuthorizations,
            availability: { catalog.availability(of: $0) })
        var logger = server.logger
        logger[metadataKey: "client.address"] = "\(remoteAddress?.description ?? "?")"
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        lastHeard = .now()
        scheduleIdleCheck(context: context, at: lastHeard + .seconds(Int64(server.configuration.sessionTimeout)))
        armRequestDeadline(context: context) // the first request is due within the timeout of connecting
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let partial = event as? RelayPartialMessage else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        partWaiting = partial.waiting
        if partial.waiting {
            armRequestDeadline(context: context)
        } else if heardRequest {
            disarmRequestDeadline()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastHeard = .now()
        // client RTCP: keeps the session alive, then dropped
        guard case .request(let request) = unwrapInboundIn(data) else { return }
        heardRequest = true
        disarmRequestDeadline()
        guard !waitingForUpstream else {
            guard pending.count < Self.maximumPending else {
                context.close(promise: nil)
                return
            }
            pending.append(request)
            return
        }
        process(context: context, request: request, waited: false)
    }

    private func process(context: ChannelHandlerContext, request: RTSPRequest, waited: Bool) {
        var (response, action) = session.handle(request)
        if let path = holdOnDemandStream(request: request, response: response), response.status == 503, !waited {
            waitForUpstream(context: context, request: request, path: path)
            return
        }
        if request.method == "TEARDOWN" { releaseDemand() }
        if case .play(let path, _) = action {
            let decision = server.admission.admit(camera: path.camera)
            if let refusal = decision.refusal {
                response = session.refusePlay(status: refusal.status)
                action = nil
                refused(refusal, camera: path.camera, log: decision.firstRefusal)
            }
        }
        if response.status >= 400 {
            // A 401 is also the normal first step of Digest, so it is logged at debug level.
            logger.log(
                level: response.status == 401 ? .debug : .info,
                "relay refused a request",
                metadata: [
                    "rtsp.method": "\(request.method)",
                    "rtsp.path": "\(RelayPath(uri: request.uri)?.presentation ?? "?")",
                    "rtsp.status": "\(response.status)",
                ])
        }
        var buffer = context.channel.allocator.buffer(capacity: 512)
        buffer.writeString(response.serialized(cseq: request.cseq))
        switch action {
        case .play(let path, let transports):
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            startPlaying(context: context, path: path, transports: transports)
        case .stop:
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            stopPlaying()
        case .close:
            server.statistics.record(.failedLogins)
            logger.warning(
                "relay closed a connection after too many wrong passwords",
                metadata: ["relay.failed_logins": "\(session.failedAuthorizations)"])
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in bound.value.close(promise: nil) }
        case nil:
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        releaseDemand()
        stopPlaying()
        idleCheck?.cancel()
        idleCheck = nil
        disarmRequestDeadline()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        releaseDemand()
        stopPlaying()
        idleCheck?.cancel()
        idleCheck = nil
        disarmRequestDeadline()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? WireError {
            // A message over a limit (413) or malformed (400): answered once, then closed.
            logger.info(
                "relay refused a message",
                metadata: ["rtsp.status": "\(error.status)", "rtsp.problem": "\(error.kind)"])
            var buffer = context.channel.allocator.buffer(capacity: 64)
            buffer.writeString(RTSPResponse(status: error.status).serialized(cseq: nil))
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in bound.value.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }

    /// Closes the connection once nothing has come from the client for the session timeout.
    private func scheduleIdleCheck(context: ChannelHandlerContext, at deadline: NIODeadline) {
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        idleCheck = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = bound.value
            handler.checkIdle(context: context)
        }
    }

    private func checkIdle(context: ChannelHandlerContext) {
        let timeout = TimeAmount.seconds(Int64(server.configuration.sessionTimeout))
        let due = lastHeard + timeout
        guard due <= .now() else {
            scheduleIdleCheck(context: context, at: due)
            return
        }
        idleCheck = nil
        server.statistics.record(.sessionTimeout)
        logger.info(
            "relay closed a session that sent nothing for its timeout",
            metadata: [
                "relay.session_timeout_seconds": "\(server.configuration.sessionTimeout)",
                "relay.playing": "\(playing != nil)",
            ])
        stopPlaying()
        context.close(promise: nil)
    }

    /// Starts the request timeout, unless it already runs (it counts from the first byte).
    private func armRequestDeadline(context: ChannelHandlerContext) {
        guard requestDeadline == nil else { return }
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        requestDeadline = context.eventLoop.scheduleTask(in: .seconds(Int64(server.configuration.requestTimeout))) {
            let (handler, context) = bound.value
            handler.requestTimedOut(context: context)
        }
    }

    private func disarmRequestDeadline() {
        requestDeadline?.cancel()
        requestDeadline = nil
    }

    /// A request begun and not finished in time gets 408; a connection that sent nothing at all
    /// is just closed. Either way it gives back its place under the connection caps.
    private func requestTimedOut(context: ChannelHandlerContext) {
        requestDeadline = nil
        server.statistics.record(.requestTimeout)
        // Debug level: an attacker holding connections would otherwise write a line for each.
        logger.debug(
            "relay closed a connection that did not send a whole request in time",
            metadata: [
                "relay.request_timeout_seconds": "\(server.configuration.requestTimeout)",
                "relay.partial_request": "\(partWaiting)",
            ])
        stopPlaying()
        guard partWaiting else {
            context.close(promise: nil)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 64)
        buffer.writeString(RTSPResponse(status: 408).serialized(cseq: nil))
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in bound.value.close(promise: nil) }
    }

    private func refused(_ refusal: RelayAdmission.Refusal, camera: String, log: Bool) {
        switch refusal {
        case .relayFull(let limit):
            server.statistics.record(.maxClients)
            if log {
                logger.warning(
                    "relay.max_clients: \(limit) clients are playing; more are refused (RTSP 503) — raise relay.max_clients if the box can serve them",
                    metadata: ["camera.id": "\(camera)"])
            }
        case .cameraFull(let limit):
            server.statistics.record(.maxClientsPerCamera)
            if log {
                logger.warning(
                    "relay.max_clients_per_camera: \(limit) clients are playing camera \(camera); more are refused (RTSP 453) — raise relay.max_clients_per_camera if the box can serve them",
                    metadata: ["camera.id": "\(camera)"])
            }
        }
    }

    private func startPlaying(context: ChannelHandlerContext, path: RelayPath, transports: [Int: RTSPTransport]) {
        stopPlaying()
        guard let fanout = server.catalog.fanout(path.camera, path.stream) else {
            server.admission.release(camera: path.camera)
            return
        }
        let client = RelayClient(
            camera: path.camera, payload: path.payload,
            target: .init(
                control: context.channel, transports: transports, udp: server.udpChannels,
                clientAddress: context.channel.remoteAddress),
            bufferLimit: server.configuration.clientBufferBytes)
        playing = (client, server.pumps.add(client, fanout: fanout))
        logger.info(
            "relay client playing", metadata: ["camera.id": "\(path.camera)", "rtsp.stream": "\(path.stream.rawValue)"])
    }

    /// Takes the client off its pump and gives back its place under the caps.
    private func stopPlaying() {
        guard let (client, pump) = playing else { return }
        playing = nil
        // The place first: once the statistics say the client has gone, its place is free.
        server.admission.release(camera: client.camera)
        server.pumps.remove(client, from: pump)
    }

    // MARK: On-demand camera streams

    /// A DESCRIBE or SETUP that passed authentication and names an on-demand camera stream takes
    /// a hold on it (the upstream opens); returns the stream's path then.
    private func holdOnDemandStream(request: RTSPRequest, response: RTSPResponse) -> RelayPath? {
        guard request.method == "DESCRIBE" || request.method == "SETUP",
            response.status == 200 || response.status == 503,
            let path = RelayPath(uri: request.uri)?.withoutTrack,
            let fanout = server.catalog.fanout(path.camera, path.stream), fanout.demand.opensOnDemand
        else { return nil }
        if demand?.path.camera != path.camera || demand?.path.stream != path.stream {
            demand?.hold.release()
            demand = (path, fanout.demand.acquire())
            logger.debug(
                "relay opens an on-demand camera stream",
                metadata: ["camera.id": "\(path.camera)", "rtsp.stream": "\(path.stream.rawValue)"])
        }
        return path
    }

    private func releaseDemand() {
        demand?.hold.release()
        demand = nil
    }

    /// Answers `request` again once the on-demand upstream is live, or after
    /// ``RelayServerConfiguration/onDemandWait`` seconds (then 503 as before); requests that
    /// arrive meanwhile are handled after it, in order.
    private func waitForUpstream(context: ChannelHandlerContext, request: RTSPRequest, path: RelayPath) {
        waitingForUpstream = true
        let deadline = NIODeadline.now() + .milliseconds(Int64(server.configuration.onDemandWait * 1000))
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let catalog = server.catalog
        let wait = server.configuration.onDemandWait
        @Sendable func check() {
            let (handler, context) = bound.value
            guard context.channel.isActive else { return }
            if case .live = catalog.availability(of: path) {
                handler.resume(context: context, request: request)
            } else if NIODeadline.now() >= deadline {
                handler.logger.info(
                    "relay: the on-demand camera stream did not come up in time",
                    metadata: [
                        "camera.id": "\(path.camera)",
                        "relay.on_demand_wait_seconds": "\(wait)",
                    ])
                handler.resume(context: context, request: request)
            } else {
                context.eventLoop.scheduleTask(in: .milliseconds(50)) { check() }
            }
        }
        context.eventLoop.scheduleTask(in: .milliseconds(50)) { check() }
    }

    private func resume(context: ChannelHandlerContext, request: RTSPRequest) {
        waitingForUpstream = false
        process(context: context, request: request, waited: true)
        while !waitingForUpstream, !pending.isEmpty, context.channel.isActive {
            process(context: context, request: pending.removeFirst(), waited: false)
        }
    }
}
