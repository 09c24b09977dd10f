import Foundation
import KuzetProtocol

/// A body read in one pass: a `HeartbeatBatch` if it has `heartbeats`, else one `Heartbeat`.
/// `isAcceptable` is true only when the checks of `HeartbeatPayload.decode` would all pass (known
/// versions, batch size, sequences in range, not empty); otherwise that slower path decides.
struct HeartbeatPayloadProbe: Decodable {
    var heartbeats: [Heartbeat]
    var isBatch: Bool
    var versions: [Int]
    /// Read by `HeartbeatReader`: known members only, no escapes, short numbers, little white space,
    /// so the heartbeats' bytes as sent hold nothing but their fields and history may keep them.
    var isPlain = false

    private enum Key: String, CodingKey { case heartbeats }

    init(heartbeats: [Heartbeat], isBatch: Bool, versions: [Int], isPlain: Bool = false) {
        self.heartbeats = heartbeats
        self.isBatch = isBatch
        self.versions = versions
        self.isPlain = isPlain
    }

    init(from decoder: any Decoder) throws {
        isBatch = try decoder.container(keyedBy: Key.self).contains(.heartbeats)
        if isBatch {
            let batch = try HeartbeatBatch(from: decoder)
            heartbeats = batch.heartbeats
            versions = [batch.version] + batch.heartbeats.map(\.version)
        } else {
            let heartbeat = try Heartbeat(from: decoder)
            heartbeats = [heartbeat]
            versions = [heartbeat.version]
        }
    }

    var isAcceptable: Bool {
        !heartbeats.isEmpty && heartbeats.count <= HeartbeatPayload.maximumBatch
            && versions.allSatisfy { $0 == WireVersion.current }
            && heartbeats.allSatisfy { $0.sequence >= 1 && $0.sequence <= UInt64(Int64.max) }
    }
}
