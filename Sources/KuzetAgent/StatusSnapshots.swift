import Foundation
import KuzetCore
import KuzetMedia
import Logging

/// The cameras' still images for the status page: one JPEG per camera, made from one decoded
/// keyframe, cached and refreshed at most once per `interval` whatever the number of viewers.
public actor StatusSnapshots {
    struct Entry {
        var jpeg: [UInt8]
        var takenAt: ContinuousClock.Instant
    }

    public let interval: Duration
    /// How long to wait for the next keyframe when taking a snapshot.
    public let keyframeTimeout: Double
    private var entries: [String: Entry] = [:]
    private var inFlight: [String: Task<[UInt8]?, Never>] = [:]
    private let logger: Logger

    public init(
        interval: Duration = .seconds(10), keyframeTimeout: Double = 6, logger: Logger = Logger(label: "kuzet.status")
    ) {
        self.interval = interval
        self.keyframeTimeout = keyframeTimeout
        self.logger = logger
    }

    /// Snapshots taken (decodes run), since start — what the rate limit keeps small.
    public private(set) var taken = 0

    public func hasSnapshot(of camera: String) -> Bool { entries[camera] != nil }

    /// A JPEG of `camera`: the cached one while fresh, else a new one (the last one if that fails).
    public func jpeg(of camera: String, from fanout: PacketFanout?) async -> [UInt8]? {
        if let entry = entries[camera], entry.takenAt.duration(to: .now) < interval { return entry.jpeg }
        if let running = inFlight[camera] { return await running.value ?? entries[camera]?.jpeg }
        guard let fanout else { return entries[camera]?.jpeg }
        let timeout = keyframeTimeout
        let task = Task { await Self.take(from: fanout, timeout: timeout) }
        inFlight[camera] = task
        let jpeg = await task.value
        inFlight[camera] = nil
        taken += 1
        if let jpeg {
            entries[camera] = Entry(jpeg: jpeg, takenAt: .now)
        } else {
            logger.info("no snapshot this time", metadata: ["camera.id": "\(camera)"])
        }
        return jpeg ?? entries[camera]?.jpeg
    }

    /// Waits for the next keyframe on a private queue and turns it into a JPEG, on its own thread
    /// (decoding blocks; it must not run on Swift's cooperative pool).
    static func take(from fanout: PacketFanout, timeout: Double) async -> [UInt8]? {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                let queue = fanout.subscribe(name: "status snapshot", capacity: 64)
                defer { fanout.unsubscribe(queue) }
                let deadline = MonotonicInstant.now().adding(seconds: timeout)
                var stream = fanout.stream
                while MonotonicInstant.now() < deadline,
                    let item = queue.pop(timeout: MonotonicInstant.now().seconds(to: deadline))
                {
                    switch item {
                    case .stream(let info): stream = info
                    case .packet(let packet):
                        guard let stream, packet.isKeyframe, packet.trackIndex == stream.videoTrackIndex else {
                            continue
                        }
                        continuation.resume(returning: try? SnapshotEncoder.jpeg(from: packet, of: stream))
                        return
                    case .discontinuity, .ended: continue
                    }
                }
                continuation.resume(returning: nil)
            }
            thread.name = "kuzet.status.snapshot"
            thread.start()
        }
    }
}
