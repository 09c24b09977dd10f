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
    /// The packets since the last video keyframe, while ``keepLastGOP()`` is on: a consumer that
    /// subscribes with `replayingLastGOP` starts with a whole picture at once instead of waiting
    /// for the camera's next keyframe. Bounded by ``lastGOPLimit``; over it, nothing is kept until
    /// the next keyframe.
    private var keepsLastGOP = false
    private var lastGOP: [MediaPacket] = []
    private var lastGOPBytes = 0
    private var lastGOPOverflowed = false
    public static let lastGOPLimit = (packets: 300, bytes: 8 << 20)

    public init() {}

    /// A new consumer. It first receives the current stream description (if the upstream is up),
    /// then packets from the next keyframe on. See ``PacketQueue/wakeBatch``.
    /// With `replayingLastGOP`, the packets since the last keyframe follow the description at
    /// once (when the fan-out keeps them, see ``keepLastGOP()``).
    public func subscribe(
        name: String, capacity: Int = 512, wakeBatch: Int = 1, replayingLastGOP: Bool = false
    ) -> PacketQueue {
        let queue = PacketQueue(name: name, capacity: capacity, wakeBatch: wakeBatch)
        lock.withLock {
            queues[ObjectIdentifier(queue)] = queue
            if let currentStream { queue.push(.stream(currentStream)) }
            if replayingLastGOP && currentStream != nil {
                for packet in lastGOP { queue.push(.packet(packet)) }
            }
        }
        return queue
    }

    /// Keeps the packets since the last keyframe for consumers that ask for them (an on-demand
    /// stream: a relay client that opened it starts with a picture at once). Memory: at most
    /// ``lastGOPLimit``.
    public func keepLastGOP() {
        lock.withLock { keepsLastGOP = true }
    }

    /// Packets kept for replay now (for tests and figures).
    public var lastGOPCount: Int { lock.withLock { lastGOP.count } }

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
        let consumers = lock.withLock { () -> [PacketQueue] in
            if keepsLastGOP { keep(packet) }
            return Array(queues.values)
        }
        for queue in consumers { queue.push(.packet(packet)) }
    }

    /// Called under `lock`.
    private func keep(_ packet: MediaPacket) {
        let startsGOP = packet.trackIndex == currentStream?.videoTrackIndex && packet.isKeyframe
        if startsGOP {
            lastGOP.removeAll(keepingCapacity: true)
            lastGOPBytes = 0
            lastGOPOverflowed = false
        }
        guard !lastGOPOverflowed, startsGOP || !lastGOP.isEmpty else { return }
        guard lastGOP.count < Self.lastGOPLimit.packets, lastGOPBytes + packet.size <= Self.lastGOPLimit.bytes else {
            lastGOPOverflowed = true
            lastGOP.removeAll()
            lastGOPBytes = 0
            return
        }
        lastGOP.append(packet)
        lastGOPBytes += packet.size
    }

    /// Producer: the upstream is gone (until the next `publishStream`).
    public func publishEnd() {
        for queue in snapshot(setting: nil) { queue.push(.ended) }
    }

    private func snapshot(setting stream: MediaStreamInfo?) -> [PacketQueue] {
        lock.withLock {
            currentStream = stream
            lastGOP.removeAll()
            lastGOPBytes = 0
            return Array(queues.values)
        }
    }
}
