import Foundation
import KuzetMedia
import Logging
import NIOConcurrencyHelpers

/// The relay's ``RelayStreamPump``s, one per camera stream that has playing clients: started by
/// the first client of a stream, ended when its last client has gone.
final class RelayStreamPumps: Sendable {
    private let pumps = NIOLockedValueBox<[ObjectIdentifier: RelayStreamPump]>([:])
    private let capacity: Int
    private let slowClientTimeout: Double
    private let statistics: RelayStatistics
    private let logger: Logger

    init(capacity: Int, slowClientTimeout: Double, statistics: RelayStatistics, logger: Logger) {
        self.capacity = capacity
        self.slowClientTimeout = slowClientTimeout
        self.statistics = statistics
        self.logger = logger
    }

    /// Starts feeding `client` from `fanout` (the pump for it is started if there is none).
    /// Returns the pump, to give to ``remove(_:from:)``.
    func add(_ client: RelayClient, fanout: PacketFanout) -> RelayStreamPump {
        let key = ObjectIdentifier(fanout)
        var started: RelayStreamPump?
        let pump = pumps.withLockedValue { pumps in
            if let pump = pumps[key] {
                pump.add(client)
                return pump
            }
            let pump = RelayStreamPump(
                camera: client.camera, fanout: fanout, capacity: capacity, statistics: statistics, logger: logger,
                slowClientTimeout: slowClientTimeout
            ) { [weak self] pump in self?.retire(pump, key: key) ?? true }
            pump.add(client)
            pumps[key] = pump
            started = pump
            return pump
        }
        started?.start()
        return pump
    }

    func remove(_ client: RelayClient, from pump: RelayStreamPump) {
        pump.remove(client)
    }

    /// Pumps feeding at least one client now (each is one thread).
    var count: Int { pumps.withLockedValue { $0.count } }

    func stopAll() {
        for pump in pumps.withLockedValue({ pumps in
            defer { pumps = [:] }
            return Array(pumps.values)
        }) { pump.stop() }
    }

    /// Called by a pump's thread when it has no client: it ends unless a client was added since.
    private func retire(_ pump: RelayStreamPump, key: ObjectIdentifier) -> Bool {
        pumps.withLockedValue { pumps in
            guard pump.isEmpty else { return false }
            if pumps[key] === pump { pumps[key] = nil }
            return true
        }
    }
}
