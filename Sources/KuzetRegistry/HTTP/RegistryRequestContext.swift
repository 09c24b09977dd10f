import Hummingbird
import NIOCore

/// The request context of every registry route: who is calling (set by `AuthenticationMiddleware`).
public struct RegistryRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller, once a token (header or dashboard cookie) was recognised.
    public var principal: Principal?
    /// The token came from the dashboard cookie (not an `Authorization` header).
    public var viaCookie = false
    /// Where the access log learns who the caller was (nil when the access log is off).
    var accessLogCaller: AccessLogCaller?
    private let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        principal = nil
        channel = source.channel
    }

    /// The connected peer (a proxy's address when the registry runs behind one).
    public var remoteAddress: SocketAddress? { channel.remoteAddress }
}
