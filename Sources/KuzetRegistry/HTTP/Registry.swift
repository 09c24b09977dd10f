import Foundation
import Logging

/// What every route needs: the store, the flag thresholds and the clock.
public struct Registry: Sendable {
    public var store: any RegistryStore
    public var policy: FlagPolicy
    /// Wall time (injected so tests are deterministic).
    public var now: @Sendable () -> Date
    /// Largest accepted request body.
    public var maximumBodyBytes: Int
    /// Heartbeats shown on a school's page and in `GET /api/v1/schools/{id}`.
    public var historyLimit: Int
    /// Recognised tokens, kept so ingest does not hit the database for each one; forgotten within
    /// about 2 s of any revocation (`TokenCache`).
    let tokenCache: TokenCache
    /// The registry's own figures (`GET /metrics`).
    let metrics: RegistryMetrics
    var logger: Logger

    /// - Parameter tokenCheckInterval: how often the token generation is read, so a revocation
    ///   elsewhere takes effect here (`TokenCache`); tests that must not meet a check lengthen it.
    public init(
        store: any RegistryStore, policy: FlagPolicy = FlagPolicy(), now: @escaping @Sendable () -> Date = { Date() },
        maximumBodyBytes: Int = 1 << 20, historyLimit: Int = 20, tokenCheckInterval: TimeInterval = 2,
        logger: Logger = Logger(label: "kuzet.registry")
    ) {
        self.store = store
        self.policy = policy
        self.now = now
        self.maximumBodyBytes = maximumBodyBytes
        self.historyLimit = historyLimit
        self.tokenCache = TokenCache(lifetime: 600, generationCheckInterval: tokenCheckInterval)
        self.metrics = RegistryMetrics()
        self.logger = logger
    }

    /// The principal of a token this instance recognised recently, at once; nil when that takes the
    /// store (the token is not in the cache, or the token generation is due for a check).
    func recognisedPrincipal(forToken token: String) -> Principal? {
        guard !token.isEmpty, token.count <= 256 else { return nil }
        let date = Date()
        guard !tokenCache.isGenerationCheckDue(at: date) else { return nil }
        return tokenCache.principal(forHash: AccessToken.hash(token), at: date)
    }

    /// The principal a token stands for, or nil.
    func principal(forToken token: String) async throws -> Principal? {
        guard !token.isEmpty, token.count <= 256 else { return nil }
        let hash = AccessToken.hash(token)
        let date = Date()
        if tokenCache.generationCheckDue(at: date) {
            do {
                tokenCache.observe(generation: try await store.tokenGeneration())
            } catch {
                tokenCache.checkFailed()
                throw error
            }
        }
        if let cached = tokenCache.principal(forHash: hash, at: date) { return cached }
        // The generation before the read: a revocation during it leaves the token out of the cache.
        let generation = tokenCache.generation
        guard let stored = try await store.token(hash: hash) else { return nil }
        tokenCache.remember(stored.principal, forHash: hash, at: date, generation: generation)
        return stored.principal
    }
}
