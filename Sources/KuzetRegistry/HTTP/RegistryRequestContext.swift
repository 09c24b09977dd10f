import Hummingbird

/// The request context of every registry route: who is calling (set by `AuthenticationMiddleware`).
public struct RegistryRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller, once a token (header or dashboard cookie) was recognised.
    public var principal: Principal?
    /// The token came from the dashboard cookie (not an `Authorization` header).
    public var viaCookie = false

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        principal = nil
    }
}
