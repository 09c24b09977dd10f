import Foundation
import Synchronization

/// Recently recognised token hashes → principals, for `lifetime` seconds. Unknown tokens are not cached.
///
/// A revoked token must stop working at once, also on the other instances and when the `token`
/// command revoked it from another process. So the cache watches the store's token generation
/// (`RegistryStore.tokenGeneration`), which every revocation moves on: at most every
/// `generationCheckInterval` one request reads it, and if it moved everything is forgotten
/// (recognising a token again costs one read).
final class TokenCache: Sendable {
    let lifetime: TimeInterval
    let generationCheckInterval: TimeInterval

    private struct State {
        var entries: [String: (Principal, Date)] = [:]
        /// The generation the entries were read under (nil until first read).
        var generation: Int64?
        /// When the generation is next read; a check in progress pushes it on, so one request does it.
        var nextCheck = Date.distantPast
    }

    private let state = Mutex(State())

    init(lifetime: TimeInterval, generationCheckInterval: TimeInterval = 2) {
        self.lifetime = lifetime
        self.generationCheckInterval = generationCheckInterval
    }

    /// True for one caller per interval: that caller reads the generation and reports it (`observe`).
    func generationCheckDue(at date: Date) -> Bool {
        state.withLock { state in
            guard date >= state.nextCheck else { return false }
            state.nextCheck = date.addingTimeInterval(generationCheckInterval)
            return true
        }
    }

    /// Whether `generationCheckDue` would be true now (it is not claimed: the caller leaves the check
    /// to a request that can wait for the store).
    func isGenerationCheckDue(at date: Date) -> Bool {
        state.withLock { date >= $0.nextCheck }
    }

    /// The store's token generation now; forgets every token if it moved.
    func observe(generation: Int64) {
        state.withLock { state in
            if state.generation != generation { state.entries.removeAll() }
            state.generation = generation
        }
    }

    /// A check failed: the next request tries again.
    func checkFailed() {
        state.withLock { $0.nextCheck = .distantPast }
    }

    func principal(forHash hash: String, at date: Date) -> Principal? {
        state.withLock { state in
            guard state.generation != nil, let (principal, expiry) = state.entries[hash], expiry > date else {
                return nil
            }
            return principal
        }
    }

    /// Remembers `principal`, read under `generation` (not if the generation has moved since).
    func remember(_ principal: Principal, forHash hash: String, at date: Date, generation: Int64?) {
        state.withLock { state in
            guard generation != nil, generation == state.generation else { return }
            if state.entries.count > 100_000 { state.entries.removeAll() }
            state.entries[hash] = (principal, date.addingTimeInterval(lifetime))
        }
    }

    var generation: Int64? { state.withLock { $0.generation } }
}
