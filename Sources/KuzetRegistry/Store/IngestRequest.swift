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

    /// The stored JSON of `state`, which this request's heartbeats moved (its cameras are the
    /// newest heartbeat's, taken from that heartbeat's payload).
    func stateJSON(_ state: SchoolState) throws -> Data {
        let index = heartbeats.lastIndex { $0.sequence == state.lastSequence }
        return try StoredStateJSON.encode(state, payload: index.map { payloads[$0] })
    }
}
