import Foundation

/// One camera stream's fan-out: the single upstream connection publishes here, and every
/// consumer (recorder, push to the ЦОУ, relay clients) reads from its own ``PacketQueue``.
/// A slow consumer drops its own packets; it never stalls ingest or the other consumers.
public final class PacketFanout: @unchecked Sendable {
    // @unchecked Sendable: mutable state is guarded by `lock`.
    private let lock = NSLock()
    private var queues: [ObjectIdentifier: PacketQueue] = [:]
    private var currentStream: MediaStreamInfo?
    /// Who needs this stream open (relay clients, an on-demand push): an on-demand upstream opens
    /// only while someone holds it. See ``StreamDemand``.
    public let demand = StreamDemand()

    public init() {}

    /// A new consumer. It first receives the current stream description (if the upstream is up),
    /// then packets from the next keyframe on. See ``PacketQueue/wakeBatch``.
    public func subscribe(name: String, capacity: Int = 512, wakeBatch: Int = 1) -> PacketQueue {
        let queue = PacketQueue(name: name, capacity: capacity, wakeBatch: wakeBatch)
        lock.withLock {
            queues[ObjectIdentifier(queue)] = queue
            if let currentStream { queue.push(.stream(currentStream)) }
        }
        return queue
    }

    public func unsubscribe(_ queue: PacketQueue) {
        _ = lock.withLock { queues.removeValue(forKey: ObjectIdentifier(queue)) }
        queue.close()
    }

    public var subscriberCount: Int { lock.withLock { queues.count } }
    /// The stream description while the upstream is up.
    public var stream: MediaStreamInfo? { lock.withLock { currentStream } }

    /// Producer: the upstream (re)connected with these tracks.
    public func publishStream(_ info: MediaStreamInfo) {
        for queue in snapshot(setting: info) { queue.push(.stream(info)) }
    }

    public func publish(_ packet: MediaPacket) {
        for queue in lock.withLock({ Array(queues.values) }) { queue.push(.packet(packet)) }
    }

    /// Producer: the upstream is gone (until the next `publishStream`).
    public func publishEnd() {
        for queue in snapshot(setting: nil) { queue.push(.ended) }
    }

    private func snapshot(setting stream: MediaStreamInfo?) -> [PacketQueue] {
        lock.withLock {
            currentStream = stream
            return Array(queues.values)
        }
    }
}
