import Foundation

@testable import KuzetRegistry

/// One heartbeat request body, as `HeartbeatIntake` hands it to the decoder: heartbeats or an
/// `APIError` (a 4xx) are both fine; a trap, a stack overflow or a leak is the finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHeartbeat(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let body = Data(bytes: start, count: count)
    do {
        let decoded = try HeartbeatPayload.decode(body)
        let (heartbeats, isBatch) = (decoded.heartbeats, decoded.isBatch)
        // What the decoder accepts it must accept consistently: never an empty list, never a
        // bare heartbeat reported as a batch of several.
        precondition(!heartbeats.isEmpty, "HeartbeatPayload.decode accepted a body with no heartbeat")
        precondition(isBatch || heartbeats.count == 1, "a bare heartbeat decoded as \(heartbeats.count)")
    } catch {
        _ = error.status
    }
    return 0
}
