import Foundation
import KuzetCore

/// What a consumer of a camera's fan-out receives, in order.
public enum FeedItem: Sendable {
    /// The stream (re)started with these tracks: set up (or re-set up) the output. Always first.
    case stream(MediaStreamInfo)
    case packet(MediaPacket)
    /// Packets were lost (overflow or upstream reconnect) since the previous item: timestamps may jump.
    case discontinuity
    /// The upstream is gone until the next `.stream`.
    case ended
}

/// A bounded queue between the ingest thread (producer) and one consumer (recorder, push,
/// a relay client). The producer never blocks: when the queue is full the packet is dropped and
/// counted, and the queue skips to the next keyframe so the consumer never sees a half GOP.
public final class PacketQueue: @unchecked Sendable {
    // @unchecked Sendable: every mutable field is guarded by `condition`.
    public let name: String
    public let capacity: Int
    /// The producer wakes a waiting consumer once this many items are queued (or at once for
    /// anything but a packet). Above 1 the consumer takes packets in batches, waking on its
    /// `pop` timeout: far fewer thread switches for consumers that need no low latency.
    public let wakeBatch: Int
    /// Waits on the monotonic clock: a wall-clock step never stretches a `pop` timeout.
    private let condition = MonotonicCondition()
    /// Slots before `head` are nil: a popped packet is released at once, not at the next compaction
    /// (holding a few hundred 1080p frames per camera would cost megabytes).
    private var items: [FeedItem?] = []
    private var head = 0
    private var waitingForKeyframe = true
    private var videoTrack: Int?
    private var closed = false
    private var droppedPackets = 0

    public init(name: String, capacity: Int, wakeBatch: Int = 1) {
        self.name = name
        self.capacity = max(capacity, 2)
        self.wakeBatch = min(max(wakeBatch, 1), max(capacity, 2) / 2)
    }

    /// Packets dropped because this consumer fell behind (or joined mid-GOP), since creation.
    public var dropped: Int { condition.withLock { droppedPackets } }
    public var count: Int { condition.withLock { items.count - head } }

    /// Producer side; never blocks. Returns false when the item was dropped.
    @discardableResult
    public func push(_ item: FeedItem) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return false }
        switch item {
        case .stream(let info):
            videoTrack = info.videoTrackIndex
            waitingForKeyframe = videoTrack != nil
        case .packet(let packet):
            if waitingForKeyframe {
                guard packet.trackIndex == videoTrack && packet.isKeyframe else {
                    droppedPackets += 1
                    return false
                }
                waitingForKeyframe = false
            }
            if items.count - head >= capacity {
                // Fell behind: drop what is queued and resume at the next keyframe.
                droppedPackets += 1 + compactDroppingPackets()
                append(.discontinuity)
                waitingForKeyframe = videoTrack != nil
                return false
            }
        case .discontinuity, .ended:
            break
        }
        append(item)
        return true
    }

    /// Consumer side: the next item, waiting up to `timeout` seconds; nil on timeout or when closed.
    public func pop(timeout: Double) -> FeedItem? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = MonotonicInstant.now().adding(seconds: timeout)
        while head == items.count && !closed {
            if !condition.wait(until: deadline) { break }
        }
        guard head < items.count, let item = items[head] else { return nil }
        items[head] = nil
        head += 1
        if head > 256 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return item
    }

    /// Wakes the consumer and refuses further items.
    public func close() {
        condition.withLock {
            closed = true
            condition.broadcast()
        }
    }

    public var isClosed: Bool { condition.withLock { closed } }

    private func append(_ item: FeedItem) {
        items.append(item)
        if case .packet = item, items.count - head < wakeBatch { return }
        condition.signal()
    }

    /// Removes queued packets (keeping stream/ended markers); returns how many went.
    private func compactDroppingPackets() -> Int {
        let pending = items[head...].compactMap { $0 }
        let kept: [FeedItem?] = pending.filter { if case .packet = $0 { false } else { true } }
        let removed = pending.count - kept.count
        items = kept
        head = 0
        return removed
    }
}
