import Foundation
import Synchronization

/// Schools this instance saw without a pinned device key in the last 10 minutes (as long as it
/// remembers tokens), so the heartbeat fast path may store their unsigned requests without asking
/// the database. Everything else (a signed request, a school with a key, or one not seen lately)
/// goes through the router, which reads the pinned key from the store. A key pinned through another
/// instance is enforced here within that time. Bounded: at most `capacity` schools, the whole set
/// forgotten when full.
final class UnpinnedSchools: Sendable {
    static let lifetime: TimeInterval = 600
    static let capacity = 100_000
    private let seen = Mutex<[String: Date]>([:])

    func remember(_ schoolID: String, at date: Date) {
        seen.withLock { seen in
            if seen.count >= Self.capacity { seen.removeAll(keepingCapacity: true) }
            seen[schoolID] = date
        }
    }

    func forget(_ schoolID: String) {
        _ = seen.withLock { $0.removeValue(forKey: schoolID) }
    }

    func isUnpinned(_ schoolID: String, at date: Date) -> Bool {
        seen.withLock { seen in
            guard let checked = seen[schoolID] else { return false }
            return date.timeIntervalSince(checked) < Self.lifetime
        }
    }
}
