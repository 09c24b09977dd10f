import Foundation
import NIOCore
import NIOPosix

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

/// Sends one request over a fresh TCP connection and reads one response, bounded in time and size.
///
/// Used for RTSP (OPTIONS/DESCRIBE) and as the built-in HTTP transport. Runs on NIO's event loops,
/// never blocking a thread.
enum TCPExchange {
    static func exchange(host: String, port: Int, request: [UInt8], limits: ExchangeLimits, bodyRequiresLength: Bool) async throws -> WireMessage {
        let group = MultiThreadedEventLoopGroup.singleton
        let eventLoop = group.next()
        let promise = eventLoop.makePromise(of: WireMessage.self)
        let collector = ResponseCollector(promise: promise, maxBytes: limits.maxBytes, bodyRequiresLength: bodyRequiresLength)
        let timeoutAmount = TimeAmount.nanoseconds(Int64(limits.timeout * 1_000_000_000))
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(timeoutAmount)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
                }
                .connect(host: host, port: port).get()
        } catch let error as ChannelError {
            throw ExchangeError.connect(Self.describe(error))
        } catch {
            throw ExchangeError.connect("\(error)")
        }
        let deadline = eventLoop.scheduleTask(in: timeoutAmount) {
            promise.fail(ExchangeError.timedOut(seconds: limits.timeout))
        }
        var buffer = channel.allocator.buffer(capacity: request.count)
        buffer.writeBytes(request)
        channel.writeAndFlush(buffer, promise: nil)
        defer {
            deadline.cancel()
            channel.close(promise: nil)
        }
        return try await promise.futureResult.get()
    }

    static func describe(_ error: ChannelError) -> String {
        switch error {
        case .connectTimeout: "connect timed out"
        default: "\(error)"
        }
    }
}

/// Collects inbound bytes until one complete response is framed, the limit is hit or the peer closes.
private final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: all state is touched only on the channel's event loop.
    typealias InboundIn = ByteBuffer
    let promise: EventLoopPromise<WireMessage>
    let maxBytes: Int
    let bodyRequiresLength: Bool
    var bytes: [UInt8] = []
    var done = false

    init(promise: EventLoopPromise<WireMessage>, maxBytes: Int, bodyRequiresLength: Bool) {
        self.promise = promise
        self.maxBytes = maxBytes
        self.bodyRequiresLength = bodyRequiresLength
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        var buffer = unwrapInboundIn(data)
        if let chunk = buffer.readBytes(length: buffer.readableBytes) { bytes += chunk }
        if bytes.count > maxBytes { return finish(context, .failure(ExchangeError.tooLarge(limit: maxBytes))) }
        attempt(context, closed: false)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done { attempt(context, closed: true) }
        if !done { finish(context, .failure(ExchangeError.closedEarly)) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(context, .failure(ExchangeError.connect("\(error)")))
    }

    private func attempt(_ context: ChannelHandlerContext, closed: Bool) {
        do {
            if let message = try WireFraming.frame(bytes, closed: closed, bodyRequiresLength: bodyRequiresLength) {
                finish(context, .success(message))
            }
        } catch {
            finish(context, .failure(ExchangeError.framing("\(error)")))
        }
    }

    private func finish(_ context: ChannelHandlerContext, _ result: Result<WireMessage, any Error>) {
        guard !done else { return }
        done = true
        promise.completeWith(result)
        context.close(promise: nil)
    }
}
