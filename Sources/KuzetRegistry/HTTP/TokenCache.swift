import Foundation
import Synchronization

/// Recently recognised token hashes → principals, for `lifetime` seconds. Unknown tokens are not cached.
final class TokenCache: Sendable {
    let lifetime: TimeInterval
    private let entries = Mutex<[String: (Principal, Date)]>([:])

    init(lifetime: TimeInterval) { self.lifetime = lifetime }

    func principal(forHash hash: String, at date: Date) -> Principal? {
        entries.withLock { entries in
            guard let (principal, expiry) = entries[hash], expiry > date else { return nil }
            return principal
        }
    }

    func remember(_ principal: Principal, forHash hash: String, at date: Date) {
        entries.withLock { entries in
            if entries.count > 100_000 { entries.removeAll() }
            entries[hash] = (principal, date.addingTimeInterval(lifetime))
        }
    }
}
