import Foundation
import Metrics

/// Per-camera relay figures for the status page and `/metrics`: clients now, packets dropped
/// for slow clients, bytes sent; and, for the relay as a whole, what its limits turned away.
public final class RelayStatistics: @unchecked Sendable {
    // @unchecked Sendable: guarded by `lock`.
    public struct Camera: Sendable, Equatable, Codable {
        public var clients = 0
        public var droppedPackets = 0
        public var sentBytes = 0
    }

    /// Why the relay refused a client or closed a connection (each a label of
    /// `kuzet_relay_refused_total` / `kuzet_relay_closed_total`).
    public enum Limit: String, Sendable, CaseIterable, Codable {
        /// A PLAY over `relay.max_clients`.
        case maxClients = "max_clients"
        /// A PLAY over `relay.max_clients_per_camera`.
        case maxClientsPerCamera = "max_clients_per_camera"
        /// A connection over `relay.max_connections`.
        case maxConnections = "max_connections"
        /// A connection over `relay.max_connections_per_address` from its client address.
        case maxConnectionsPerAddress = "max_connections_per_address"
        /// A request (or the first one) not complete within `relay.request_timeout_seconds`.
        case requestTimeout = "request_timeout"
        /// Nothing received for the announced session timeout.
        case sessionTimeout = "session_timeout"
        /// A TCP client that did not read for the slow-client timeout.
        case slowClient = "slow_client"
        /// Too many wrong `Authorization:` headers on one connection.
        case failedLogins = "failed_logins"
    }

    private let lock = NSLock()
    private var cameras: [String: Camera] = [:]
    private var limits: [Limit: Int] = [:]

    public init() {}

    public var snapshot: [String: Camera] { lock.withLock { cameras } }
    public func camera(_ id: String) -> Camera { lock.withLock { cameras[id] ?? Camera() } }
    /// How often `limit` refused a client or closed a connection since start.
    public func count(_ limit: Limit) -> Int { lock.withLock { limits[limit] ?? 0 } }

    func clientStarted(_ camera: String) { update(camera) { $0.clients += 1 } }
    func clientStopped(_ camera: String) { update(camera) { $0.clients -= 1 } }

    func add(camera: String, dropped: Int, sentBytes: Int) {
        guard dropped > 0 || sentBytes > 0 else { return }
        update(camera) {
            $0.droppedPackets += dropped
            $0.sentBytes += sentBytes
        }
        if dropped > 0 {
            Counter(label: "kuzet_relay_dropped_packets_total", dimensions: [("camera", camera)]).increment(by: dropped)
        }
        if sentBytes > 0 {
            Counter(label: "kuzet_relay_sent_bytes_total", dimensions: [("camera", camera)]).increment(by: sentBytes)
        }
    }

    func record(_ limit: Limit) {
        lock.withLock { limits[limit, default: 0] += 1 }
        switch limit {
        case .maxClients, .maxClientsPerCamera, .maxConnections, .maxConnectionsPerAddress:
            Counter(label: "kuzet_relay_refused_total", dimensions: [("limit", limit.rawValue)]).increment()
        case .sessionTimeout, .requestTimeout, .slowClient, .failedLogins:
            Counter(label: "kuzet_relay_closed_total", dimensions: [("reason", limit.rawValue)]).increment()
        }
    }

    /// (The `kuzet_relay_clients` gauge is set from these figures by the status service.)
    private func update(_ camera: String, _ change: (inout Camera) -> Void) {
        lock.withLock { change(&cameras[camera, default: Camera()]) }
    }
}
