import NIOCore

/// Closes a connection whose client is too slow: a head not complete within `headerTimeout` (from
/// its first byte, or from the connection's opening), a body not complete within `bodyTimeout`
/// after its head, or nothing asked within `idleTimeout` after the last answer. A late request is
/// answered 408 first (unless an answer is already under way); an idle connection is just closed.
///
/// It sits first in the pipeline, before the HTTP decoder, so it sees a head's first bytes;
/// `RequestProgress`, after the codec, tells it where each request and answer stands.
final class ConnectionDeadlines: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        /// After an answer, waiting for the next request (idle deadline).
        case idle
        /// Reading a head (header deadline).
        case head
        /// Reading a body (body deadline).
        case body
        /// The request is read; the registry answers it (no deadline: that is the registry's time).
        case answering
    }

    private let limits: ConnectionLimits
    private let connections: ConnectionCount
    private var phase = Phase.head
    private var deadline: Scheduled<Void>?
    /// An answer's head is written and its end not yet.
    private var responding = false
    /// The request being read was answered already (a refusal before its body's end).
    private var answeredEarly = false
    private var context: ChannelHandlerContext?

    init(_ limits: ConnectionLimits, counting connections: ConnectionCount) {
        self.limits = limits
        self.connections = connections
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        arm(limits.headerTimeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .idle = phase {
            phase = .head
            arm(limits.headerTimeout)
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    // What `RequestProgress` reports.

    func headReceived() {
        phase = .body
        answeredEarly = false
        arm(limits.bodyTimeout)
    }

    func requestEnded() {
        phase = .answering
        deadline?.cancel()
        deadline = nil
    }

    func answerStarted() { responding = true }

    func answerEnded() {
        responding = false
        // An answer before the body's end (a refusal) leaves the body's deadline running.
        guard case .answering = phase else {
            answeredEarly = true
            return
        }
        phase = .idle
        arm(limits.idleTimeout)
    }

    private func arm(_ timeout: Duration) {
        deadline?.cancel()
        guard let context else { return }
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) { [weak self] in
            self?.expired()
        }
    }

    private func expired() {
        deadline = nil
        guard let context else { return }
        switch phase {
        case .idle, .answering:
            context.close(promise: nil)
        case .head, .body:
            connections.timedOut()
            guard !responding, !answeredEarly else { return context.close(promise: nil) }
            let isHead = if case .head = phase { true } else { false }
            let what = isHead ? "head" : "body"
            let seconds = (isHead ? limits.headerTimeout : limits.bodyTimeout).components.seconds
            let body =
                "{\"error\":\"request_timeout\",\"message\":\"request \(what): not complete within \(seconds) s — send the whole request at once\",\"problems\":[]}"
            let head =
                "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
            let buffer = context.channel.allocator.buffer(string: head + body)
            context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
