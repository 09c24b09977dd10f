import Foundation
import KuzetCore
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
    /// The zone the dashboard shows times in (`serve --time-zone`; Asia/Almaty by default).
    public var pageTimeZone: PageTimeZone = .almaty
    /// Recognised tokens, kept so ingest does not hit the database for each one; forgotten within
    /// about 2 s of any revocation (`TokenCache`).
    let tokenCache: TokenCache
    /// The registry's own figures (`GET /metrics`).
    let metrics: RegistryMetrics
    /// How much history each school may add per hour.
    let historyBudget: HistoryBudget
    /// The server's connections (open, refused, timed out).
    let connections = ConnectionCount()
    var logger: Logger
    // Issue 22: police commands.
    /// The agents' open long-polls, bounded (`serve --max-command-polls`).
    public var commandWaiters = CommandWaiters()
    /// Clips and snapshots (`serve --evidence-dir`); nil: uploads are refused (503).
    public var evidence: EvidenceStore?
    /// Issue 21: device keys, day roots, challenges (`serve --challenge-interval`).
    public var retentionProofs: RetentionProofs

    /// - Parameters:
    ///   - tokenCheckInterval: how often the token generation is read, so a revocation elsewhere takes
    ///     effect here (`TokenCache`); tests that must not meet a check lengthen it.
    ///   - historyRowsPerHour, historyBytesPerHour: history a school may add per hour (`HistoryBudget`).
    public init(
        store: any RegistryStore, policy: FlagPolicy = FlagPolicy(), now: @escaping @Sendable () -> Date = { Date() },
        maximumBodyBytes: Int = 1 << 20, historyLimit: Int = 20, tokenCheckInterval: TimeInterval = 2,
        historyRowsPerHour: Int = Registry.defaultHistoryRowsPerHour,
        historyBytesPerHour: Int = Registry.defaultHistoryBytesPerHour,
        logger: Logger = Logger(label: "kuzet.registry")
    ) {
        self.historyBudget = HistoryBudget(rowsPerHour: historyRowsPerHour, bytesPerHour: historyBytesPerHour)
        self.store = store
        self.policy = policy
        self.now = now
        self.maximumBodyBytes = maximumBodyBytes
        self.historyLimit = historyLimit
        self.tokenCache = TokenCache(lifetime: 600, generationCheckInterval: tokenCheckInterval)
        self.metrics = RegistryMetrics()
        self.logger = logger
        self.retentionProofs = RetentionProofs(store: store)
    }

    /// One a second on average: 120 times an agent's usual rate, and an outage's backlog of two days
    /// at 30 s drains within the first hour.
    public static let defaultHistoryRowsPerHour = 3600
    /// 16 MiB: 3,600 heartbeats of 8 cameras (about 2.8 kB each) with room to spare.
    public static let defaultHistoryBytesPerHour = 16 << 20

    /// Charges a school's request to its history budget, or refuses it (429 with `Retry-After`).
    func chargeHistory(_ intake: HeartbeatIntake, at date: Date) throws(APIError) {
        let bytes = intake.payloads.reduce(0) { $0 + $1.count }
        try historyBudget.take(
            schoolID: intake.schoolID, rows: intake.heartbeats.count, bytes: bytes, at: date, logger: logger)
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
