import Foundation
import HTTPTypes
import KuzetProtocol
import NIOCore
import NIOHTTPTypes

/// Answers the usual `POST /api/v1/heartbeats` on the connection's event loop, without the router.
///
/// Through the router, every heartbeat paid for its Swift concurrency: the connection's task woke
/// for the request, the route's task slept while the store wrote, and each wake is a hop between
/// threads. Here the request goes from the event loop to the store's writer and back, two hops.
///
/// It only ever answers 200, with what `HeartbeatRoutes` would answer (the same checks:
/// `HeartbeatIntake`). Anything else goes on to the router, whole and unchanged, and the router
/// answers it: a token this instance has not recognised in the last 10 minutes, or when the token
/// generation is due for its check (`TokenCache`); any refusal; `Connection: close` or `Expect`;
/// and a request the store failed (the router stores it again: a heartbeat that was stored after
/// all counts as a duplicate, not twice).
///
/// Requests reach it one at a time: `HTTPServerPipelineHandler` holds a pipelined request until the
/// answer to the one before has been written, by this handler or by the router.
final class HeartbeatFastPath: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    struct Settings: Sendable {
        var registry: Registry
        /// HTTPS: the answer says so (`Strict-Transport-Security`), as the router's do.
        var secure: Bool
        var serverName: String
    }

    static let path = "/api/v1/heartbeats"

    /// Larger bodies go to the router, which reads them on the concurrency pool: reading one of
    /// 1 MiB here held the event loop, and every connection on it, for its whole parse (an
    /// attacker's 1 MiB bodies put the other schools' p99 over 1 s). A heartbeat of 8 cameras is
    /// about 3 kB.
    static let largestFastBody = 64 << 10
    private var largestBody: Int { min(settings.registry.maximumBodyBytes, Self.largestFastBody) }

    private enum State {
        case idle
        /// Passing the current request's parts on to the router.
        case forwarding
        /// Reading a heartbeat request's body, to answer it here if it is acceptable.
        case collecting(HTTPRequest, ByteBuffer)
        /// Handed to the store; its answer comes back on this loop. `waiting`: parts of a next
        /// request, kept for after this answer (with pipelining assistance, none come).
        case storing(HTTPRequest, ByteBuffer, HTTPFields?, waiting: [HTTPRequestPart])
    }

    private var state = State.idle
    private var isGone = false
    private let settings: Settings

    init(_ settings: Settings) {
        self.settings = settings
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch state {
        case .idle:
            if case .head(let head) = part, let expected = candidateLength(head) {
                state = .collecting(head, context.channel.allocator.buffer(capacity: expected))
            } else {
                if case .head = part { state = .forwarding }
                context.fireChannelRead(data)
            }
        case .forwarding:
            if case .end = part { state = .idle }
            context.fireChannelRead(data)
        case .collecting(let head, var body):
            switch part {
            case .body(var chunk):
                if body.readableBytes + chunk.readableBytes > largestBody {
                    // The router reads it (and answers 413 beyond the limit, as it always has).
                    state = .forwarding
                    context.fireChannelRead(wrapInboundOut(.head(head)))
                    context.fireChannelRead(wrapInboundOut(.body(body)))
                    context.fireChannelRead(data)
                } else {
                    state = .idle // so `body` is the buffer's only reference while it grows
                    body.writeBuffer(&chunk)
                    state = .collecting(head, body)
                }
            case .end(let trailers):
                state = .storing(head, body, trailers, waiting: [])
                store(head, body, context: context)
            case .head:
                // Not from the HTTP codec; the router says what is wrong.
                state = .forwarding
                context.fireChannelRead(wrapInboundOut(.head(head)))
                context.fireChannelRead(data)
            }
        case .storing(let head, let body, let trailers, var waiting):
            waiting.append(part)
            state = .storing(head, body, trailers, waiting: waiting)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        isGone = true
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        isGone = true
    }

    /// The body's expected size if this head may be answered here, else nil. Only a school token
    /// this instance recognises has its body collected here: nothing is buffered for a token not yet
    /// checked (the router checks it first, then reads the body).
    private func candidateLength(_ head: HTTPRequest) -> Int? {
        guard head.method == .post, head.path == Self.path, head.headerFields[.expect] == nil,
            !head.headerFields[values: .connection].contains(where: { $0.lowercased().contains("close") }),
            let header = head.headerFields[.authorization], let token = AuthenticationMiddleware.bearerToken(header),
            let principal = settings.registry.recognisedPrincipal(forToken: token), principal.role == .school,
            // A school with a command pending gets it in its receipt: the router adds it (issue 22).
            !settings.registry.commandWaiters.mayHavePending(school: principal.schoolID ?? "")
        else { return nil }
        guard let declared = head.headerFields[.contentLength] else { return 1024 }
        guard let length = Int(declared), length <= largestBody else { return nil }
        return length
    }

    /// Checks the request as the router would and hands it to the store; forwards it if it cannot.
    private func store(_ head: HTTPRequest, _ body: ByteBuffer, context: ChannelHandlerContext) {
        let registry = settings.registry
        let intake: HeartbeatIntake
        do {
            guard let header = head.headerFields[.authorization],
                let token = AuthenticationMiddleware.bearerToken(header),
                let principal = registry.recognisedPrincipal(forToken: token)
            else { return forward(context: context) }
            let schoolID = try HeartbeatIntake.sender(
                principal: principal, viaCookie: false, contentType: head.headerFields[.contentType])
            intake = try HeartbeatIntake(schoolID: schoolID, body: Data(body.readableBytesView))
        } catch {
            return forward(context: context)
        }
        // Issue 23: a request with thumbnails (a few an hour) is stored by the router, which keeps them apart.
        guard intake.thumbnails.isEmpty else { return forward(context: context) }
        let receivedAt = registry.now()
        // Issue 21: signed requests, commitments and schools with a pinned key go to the router.
        guard
            registry.retentionProofs.fastPathMayStore(
                intake, signed: head.headerFields[RetentionProofs.signatureField] != nil, at: receivedAt)
        else { return forward(context: context) }
        // Over the school's history budget: the router refuses it (429), and charges nothing.
        do { try registry.chargeHistory(intake, at: receivedAt) } catch { return forward(context: context) }
        let started = ContinuousClock.now
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        registry.store.ingest(
            schoolID: intake.schoolID, heartbeats: intake.heartbeats, payloads: intake.payloads, receivedAt: receivedAt,
            policy: registry.policy
        ) { result in
            loop.execute {
                let (handler, context) = bound.value
                switch result {
                case .success(let stored):
                    registry.metrics.stored(stored, after: ContinuousClock.now - started)
                    registry.metrics.heartbeatRequest(status: 200, fast: true)
                    handler.answer(HeartbeatIntake.receipt(stored, receivedAt: receivedAt), context: context)
                case .failure:
                    handler.forward(context: context)
                }
            }
        }
    }

    /// Writes the receipt, then goes on with whatever came meanwhile.
    private func answer(_ receipt: String, context: ChannelHandlerContext) {
        guard !isGone else { return }
        let body = context.channel.allocator.buffer(string: receipt)
        var fields = HTTPFields()
        fields.reserveCapacity(10)
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.cacheControl] = "no-store"
        SecurityHeadersMiddleware.add(to: &fields, secure: settings.secure)
        fields[.date] = HTTPDate.now()
        fields[.server] = settings.serverName
        fields[.contentLength] = String(body.readableBytes)
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .ok, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        resume(context: context)
    }

    /// Passes the request being stored (or collected) on to the router, whole.
    private func forward(context: ChannelHandlerContext) {
        guard !isGone else { return }
        switch state {
        case .storing(let head, let body, let trailers, _):
            context.fireChannelRead(wrapInboundOut(.head(head)))
            if body.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(.body(body))) }
            context.fireChannelRead(wrapInboundOut(.end(trailers)))
            context.fireChannelReadComplete()
        default:
            preconditionFailure("HeartbeatFastPath: nothing to forward")
        }
        resume(context: context)
    }

    /// Back to idle, then the parts that came while the store wrote, in order.
    private func resume(context: ChannelHandlerContext) {
        guard case .storing(_, _, _, let waiting) = state else { return }
        state = .idle
        for part in waiting { channelRead(context: context, data: wrapInboundOut(part)) }
        if !waiting.isEmpty { context.fireChannelReadComplete() }
    }
}
