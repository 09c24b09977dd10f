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
    /// Recognised tokens, kept briefly so ingest does not hit the database for each one.
    let tokenCache: TokenCache
    /// The registry's own figures (`GET /metrics`).
    let metrics: RegistryMetrics
    var logger: Logger

    public init(
        store: any RegistryStore, policy: FlagPolicy = FlagPolicy(), now: @escaping @Sendable () -> Date = { Date() },
        maximumBodyBytes: Int = 1 << 20, historyLimit: Int = 20, logger: Logger = Logger(label: "kuzet.registry")
    ) {
        self.store = store
        self.policy = policy
        self.now = now
        self.maximumBodyBytes = maximumBodyBytes
        self.historyLimit = historyLimit
        self.tokenCache = TokenCache(lifetime: 60)
        self.metrics = RegistryMetrics()
        self.logger = logger
    }

    /// The principal a token stands for, or nil.
    func principal(forToken token: String) async throws -> Principal? {
        guard !token.isEmpty, token.count <= 256 else { return nil }
        let hash = AccessToken.hash(token)
        let date = Date()
        if let cached = tokenCache.principal(forHash: hash, at: date) { return cached }
        guard let stored = try await store.token(hash: hash) else { return nil }
        tokenCache.remember(stored.principal, forHash: hash, at: date)
        return stored.principal
    }
}
