import Foundation
import KuzetProtocol

/// One request's ingest, as handed to a store's group write.
struct IngestRequest: Sendable {
    var schoolID: String
    var heartbeats: [Heartbeat]
    /// Each heartbeat's JSON as history keeps it (the bytes the agent sent, cut from the body).
    var payloads: [Data]
    var receivedAt: Date
    var policy: FlagPolicy
    /// The state this request would leave, worked out before it reached the writer (`prepare`).
    var prepared: PreparedState?

    init(
        schoolID: String, heartbeats: [Heartbeat], payloads: [Data], receivedAt: Date, policy: FlagPolicy,
        preparingFrom cache: SchoolStateCache
    ) throws {
        self.schoolID = schoolID
        self.heartbeats = heartbeats
        self.payloads = payloads
        self.receivedAt = receivedAt
        self.policy = policy
        try prepare(from: cache)
    }

    /// The stored JSON of `state`, which this request's heartbeats moved (its cameras are the
    /// newest heartbeat's, taken from that heartbeat's payload).
    func stateJSON(_ state: SchoolState) throws -> Data {
        let index = heartbeats.lastIndex { $0.sequence == state.lastSequence }
        return try StoredStateJSON.encode(state, payload: index.map { payloads[$0] })
    }

    /// Folds the heartbeats over the state this instance last committed for the school, and encodes
    /// the result, on the request's own task: a group's writer is one at a time, and this is most of
    /// the CPU a request costs it. Nothing when that state is not known or nothing would move it.
    mutating func prepare(from cache: SchoolStateCache) throws {
        guard let basis = cache.latest(of: schoolID),
            let next = IngestFold.fold(previous: basis, inserted: heartbeats, receivedAt: receivedAt, policy: policy)
        else { return }
        prepared = PreparedState(basisSequence: basis.lastSequence, state: next, json: try stateJSON(next))
    }

    /// The new state and its JSON: the prepared ones if they were worked out from this `previous`
    /// and with these `inserted` heartbeats (every one of the request's), else worked out now.
    /// Nil when no inserted heartbeat is newer than `previous`.
    ///
    /// A state is known by its school and `lastSequence`: only the transaction that stores a
    /// heartbeat folds it in (see `SchoolStateCache`), so the same sequence is the same state.
    func nextState(previous: SchoolState?, inserted: [Heartbeat]) throws -> (state: SchoolState, json: Data)? {
        if let prepared, let previous, previous.lastSequence == prepared.basisSequence,
            inserted.count == heartbeats.count
        {
            return (prepared.state, prepared.json)
        }
        guard let next = IngestFold.fold(previous: previous, inserted: inserted, receivedAt: receivedAt, policy: policy)
        else { return nil }
        return (next, try stateJSON(next))
    }
}

/// A request's new state computed ahead, from the state whose `lastSequence` is `basisSequence`.
struct PreparedState: Sendable {
    var basisSequence: UInt64
    var state: SchoolState
    var json: Data
}
