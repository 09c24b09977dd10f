import Foundation
import Synchronization

/// The current states this store instance last committed, so ingest need not decode the stored
/// state JSON again. Never trusted alone: an entry is used only when its `lastSequence` equals the
/// school row's `last_sequence`, read (under the row's write lock) in the same transaction. A state
/// at a given sequence is unique — only the transaction that stored that heartbeat folds it in — so
/// an equal sequence means an equal state, also when other registry instances write the database.
/// Entries are added only after their transaction committed.
final class SchoolStateCache: Sendable {
    private let entries = Mutex<[String: SchoolState]>([:])
    private let capacity: Int

    init(capacity: Int = 20_000) { self.capacity = capacity }

    /// The cached state of `schoolID` if it is the stored one (`storedSequence` from the database).
    func state(of schoolID: String, storedSequence: Int64?) -> SchoolState? {
        guard let storedSequence else { return nil }
        return entries.withLock { entries in
            guard let state = entries[schoolID], Int64(state.lastSequence) == storedSequence else { return nil }
            return state
        }
    }

    /// The state of `schoolID` this instance last committed, whatever is stored now (for work done
    /// ahead, which is checked against the stored sequence before it is used).
    func latest(of schoolID: String) -> SchoolState? {
        entries.withLock { $0[schoolID] }
    }

    /// The cached states of all `schoolIDs`, or nil if one is missing (as last committed here: the
    /// caller checks them against the database).
    func states(of schoolIDs: [String]) -> [String: SchoolState]? {
        entries.withLock { entries in
            var states: [String: SchoolState] = [:]
            states.reserveCapacity(schoolIDs.count)
            for id in schoolIDs {
                guard let state = entries[id] else { return nil }
                states[id] = state
            }
            return states
        }
    }

    /// Remembers committed states (drops everything first when full: simple, and only costs a decode).
    func remember(_ states: [String: SchoolState]) {
        guard !states.isEmpty else { return }
        entries.withLock { entries in
            if entries.count + states.count > capacity { entries.removeAll(keepingCapacity: true) }
            entries.merge(states) { _, new in new }
        }
    }
}
