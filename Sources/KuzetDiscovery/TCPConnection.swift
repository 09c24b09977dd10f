import Foundation
import KuzetWire
import NIOCore
import NIOPosix
import Synchronization

/// Limits on one request/response exchange with a device.
public struct ExchangeLimits: Sendable {
    /// Connect + send + whole response, in seconds.
    public var timeout: Double
    /// The most bytes a response may have (headers and body).
    public var maxBytes: Int

    public init(timeout: Double = 5, maxBytes: Int = 2 << 20) {
        self.timeout = timeout
        self.maxBytes = maxBytes
    }
}

/// Why an exchange with a device failed.
public enum ExchangeError: Error, Sendable, Equatable, CustomStringConvertible {
    case connect(String)
    case timedOut(seconds: Double)
    case tooLarge(limit: Int)
    case closedEarly
    case framing(String)

    public var description: String {
        switch self {
        case .connect(let reason): "cannot connect (\(reason))"
        case .timedOut(let seconds): "no complete answer within \(seconds) s"
        case .tooLarge(let limit): "the answer is over the \(limit / 1024) KiB limit, reading stopped"
        case .closedEarly: "the device closed the connection before a complete answer"
        case .framing(let reason): "the answer is not valid HTTP/RTSP (\(reason))"
        }
    }
}

/// One TCP connection to a device carrying request/response exchanges one after another
/// (RTSP needs the Digest retry on the same connection), each bounded in time and size.
/// Runs on NIO's event loops, never blocking a thread.
final class TCPConnection: Sendable {
    private let channel: any Channel
    private let collector: ResponseCollector

    private init(channel: any Channel, collector: ResponseCollector) {
        self.channel = channel
        self.collector = collector
    }

    static func connect(host: String, port: Int, timeout: Double) async throws -> TCPConnection {
        let collector = ResponseCollector()
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.nanoseconds(Int64(timeout * 1_000_000_000)))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
                }
                .connect(host: host, port: port).get()
            return TCPConnection(channel: channel, collector: collector)
        } catch let error as ChannelError where error == .connectTimeout(.nanoseconds(Int64(timeout * 1_000_000_000))) {
            throw ExchangeError.connect("no answer to connect within \(timeout) s")
        } catch {
            throw ExchangeError.connect("\(error)")
        }
    }

    /// Sends `request` and waits for one complete response.
    func exchange(_ request: [UInt8], limits: ExchangeLimits, bodyRequiresLength: Bool) async throws -> WireResponse {
        let eventLoop = channel.eventLoop
        let promise = eventLoop.makePromise(of: WireResponse.self)
        let collector = self.collector
        let channel = self.channel
        try await eventLoop.submit {
            collector.expect(
                promise, maxBytes: limits.maxBytes, bodyRequiresLength: bodyRequiresLength, context: channel)
            var buffer = channel.allocator.buffer(capacity: request.count)
            buffer.writeBytes(request)
            channel.writeAndFlush(buffer, promise: nil)
        }.get()
        let deadline = eventLoop.scheduleTask(in: .nanoseconds(Int64(limits.timeout * 1_000_000_000))) {
            promise.fail(ExchangeError.timedOut(seconds: limits.timeout))
        }
        defer { deadline.cancel() }
        do {
            return try await promise.futureResult.get()
        } catch {
            close()
            throw error
        }
    }

    func close() { channel.close(promise: nil) }

    /// Connect, one exchange, close.
    static func exchange(host: String, port: Int, request: [UInt8], limits: ExchangeLimits, bodyRequiresLength: Bool)
        async throws -> WireResponse
    {
        let started = NIODeadline.now()
        let connection = try await connect(host: host, port: port, timeout: limits.timeout)
        defer { connection.close() }
        var remaining = limits
        remaining.timeout = max(0.05, limits.timeout - Double((NIODeadline.now() - started).nanoseconds) / 1e9)
        do {
            return try await connection.exchange(request, limits: remaining, bodyRequiresLength: bodyRequiresLength)
        } catch ExchangeError.timedOut {
            throw ExchangeError.timedOut(seconds: limits.timeout) // the limit the caller set, not what was left of it
        }
    }
}

/// Collects inbound bytes until one complete response is framed, the limit is hit or the peer closes.
private final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: all state is touched only on the channel's event loop.
    typealias InboundIn = ByteBuffer
    var promise: EventLoopPromise<WireResponse>?
    var maxBytes = 0
    var bodyRequiresLength = false
    var bytes: [UInt8] = []
    var closed = false

    func expect(
        _ promise: EventLoopPromise<WireResponse>, maxBytes: Int, bodyRequiresLength: Bool, context channel: any Channel
    ) {
        self.promise = promise
        self.maxBytes = maxBytes
        self.bodyRequiresLength = bodyRequiresLength
        if closed { finish(channel, .failure(ExchangeError.closedEarly)) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if let chunk = buffer.readBytes(length: buffer.readableBytes) { bytes += chunk }
        guard promise != nil else {
            if bytes.count > 1 << 20 { context.close(promise: nil) } // unsolicited data
            return
        }
        if bytes.count > maxBytes { return finish(context.channel, .failure(ExchangeError.tooLarge(limit: maxBytes))) }
        attempt(context.channel, closed: false)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        if promise != nil { attempt(context.channel, closed: true) }
        if promise != nil { finish(context.channel, .failure(ExchangeError.closedEarly)) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(context.channel, .failure(ExchangeError.connect("\(error)")))
        context.close(promise: nil)
    }

    private func attempt(_ channel: any Channel, closed: Bool) {
        // The whole answer is held to `maxBytes`, so the body may take at most that.
        let limits = WireLimits(bodyBytes: maxBytes)
        do {
            if let framed = try WireFraming.response(
                in: bytes, limits: limits, closed: closed, bodyRequiresLength: bodyRequiresLength)
            {
                bytes = []
                finish(channel, .success(framed.message))
            }
        } catch  where error == .bodyTooLarge(limit: limits.bodyBytes) {
            finish(channel, .failure(ExchangeError.tooLarge(limit: maxBytes)))
        } catch {
            finish(channel, .failure(ExchangeError.framing("\(error)")))
        }
    }

    private func finish(_ channel: any Channel, _ result: Result<WireResponse, any Error>) {
        guard let promise else { return }
        self.promise = nil
        promise.completeWith(result)
        if case .failure = result { channel.close(promise: nil) }
    }
}
