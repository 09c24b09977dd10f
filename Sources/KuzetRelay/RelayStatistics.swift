import Foundation
import Metrics

/// Per-camera relay figures for the status page and `/metrics`: clients now, packets dropped
/// for slow clients, bytes sent.
public final class RelayStatistics: @unchecked Sendable {
    // @unchecked Sendable: guarded by `lock`.
    public struct Camera: Sendable, Equatable, Codable {
        public var clients = 0
        public var droppedPackets = 0
        public var sentBytes = 0
    }

    private let lock = NSLock()
    private var cameras: [String: Camera] = [:]

    public init() {}

    public var snapshot: [String: Camera] { lock.withLock { cameras } }
    public func camera(_ id: String) -> Camera { lock.withLock { cameras[id] ?? Camera() } }

    func clientStarted(_ camera: String) { update(camera) { $0.clients += 1 } }
    func clientStopped(_ camera: String) { update(camera) { $0.clients -= 1 } }

    func add(camera: String, dropped: Int, sentBytes: Int) {
        guard dropped > 0 || sentBytes > 0 else { return }
        update(camera) {
            $0.droppedPackets += dropped
            $0.sentBytes += sentBytes
        }
        if dropped > 0 { Counter(label: "kuzet_relay_dropped_packets_total", dimensions: [("camera", camera)]).increment(by: dropped) }
        if sentBytes > 0 { Counter(label: "kuzet_relay_sent_bytes_total", dimensions: [("camera", camera)]).increment(by: sentBytes) }
    }

    /// (The `kuzet_relay_clients` gauge is set from these figures by the status service.)
    private func update(_ camera: String, _ change: (inout Camera) -> Void) {
        lock.withLock { change(&cameras[camera, default: Camera()]) }
    }
}
