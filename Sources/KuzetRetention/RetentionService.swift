import Foundation
import KuzetCore
import KuzetSegmentStore
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps every camera's footage for `retention.days` and no longer, and keeps the disk from filling.
///
/// - It decides from what is on disk: a startup scan lists every camera folder ever written
///   (also cameras since removed from the configuration) into an in-memory index; after that the
///   recorder's announcements (``segmentOpened(_:)`` / ``segmentClosed(_:bytes:duration:)``, `SegmentEvents`)
///   keep the index current, so a sweep touches only what expires (no re-listing of 1.4 M files),
///   and the store is re-listed once a day as a safety net.
/// - It deletes only files that parse as a `SegmentName` (the segment store's), oldest first, and
///   never the segment being written: one the recorder declared open, nor a camera's newest file
///   modified within 2 × `segment_seconds` (in case a writer did not declare it).
/// - Below the free-space reserve (``RetentionSpace``) it deletes the oldest footage of all
///   cameras even if younger than the floor, logs that at critical level once per episode and
///   records a ``RetentionShortfall`` per camera affected.
/// - It deletes by age only on trusted time (`trustedTime`, the agent's ``ClockTrustMonitor``):
///   while the wall clock is untrusted nothing is deleted by age (disk pressure still deletes, so
///   recording goes on), and segments named while it was untrusted (``UntrustedFootage``, kept
///   in the ledger) are never deleted by age, since their names cannot tell their age.
public final class RetentionService: Service, Sendable {
    public let settings: RetentionSettings
    let now: @Sendable () -> Date
    let trustedTime: @Sendable () -> Bool
    let sleep: @Sendable (Duration) async throws -> Void
    let logger: Logger
    let diskSpace: @Sendable (String) -> DiskSpace?
    let lastSegmentCheck: @Sendable (String) -> SegmentCheck
    let state = Mutex(State())
    let wakeups: AsyncStream<Void>
    let wake: AsyncStream<Void>.Continuation

    struct State: Sendable {
        var cameras: [String: CameraSegments] = [:]
        /// Segments the recorder is writing: camera → starts (ms).
        var open: [String: Set<Int64>] = [:]
        var shortfalls: [String: RetentionShortfall] = [:]
        var pressureSince: Date?
        var pressureFreeSince: Date?
        /// "Nothing left to delete" was logged in this pressure episode.
        var nothingLeftLogged = false
        var space: RetentionSpace?
        var lastSweep: RetentionSweep?
        var scan: RetentionScanSummary?
        var events: [RetentionEvent] = []
        var lastScanAt: Date?
        /// Per camera, the segments named while the clock was untrusted.
        var untrusted: [String: UntrustedFootage] = [:]
        /// `untrusted` changed since the ledger was written.
        var ledgerDirty = false
        /// The last sweep held age-based deletion back: the clock was untrusted.
        var ageDeletionHeld = false
    }

    /// - Parameters:
    ///   - now: wall time (injected so retention is testable without waiting 30 days).
    ///   - trustedTime: whether `now` can be trusted (``ClockTrust``); footage is deleted by age only then.
    ///   - clock: paces the sweep timer.
    ///   - diskSpace: reads the file system holding a path (`statvfs` by default).
    ///   - lastSegmentCheck: checks a camera's last segment after a crash (libavformat by default).
    public init<C: Clock<Duration>>(
        settings: RetentionSettings, now: @escaping @Sendable () -> Date = { Date() },
        trustedTime: @escaping @Sendable () -> Bool = { true }, clock: C = ContinuousClock(),
        logger: Logger = Logger(label: "kuzet.retention"),
        diskSpace: @escaping @Sendable (String) -> DiskSpace? = DiskSpace.of,
        lastSegmentCheck: @escaping @Sendable (String) -> SegmentCheck = SegmentCheck.inspect
    ) {
        self.settings = settings
        self.now = now
        self.trustedTime = trustedTime
        self.sleep = { try await clock.sleep(for: $0) }
        self.logger = logger
        self.diskSpace = diskSpace
        self.lastSegmentCheck = lastSegmentCheck
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Scans the store, then sweeps every `sweepInterval` and whenever a segment closes, until shutdown.
    public func run() async throws {
        try FileManager.default.createDirectory(atPath: settings.root, withIntermediateDirectories: true)
        await scan()
        await sweep()
        let interval = settings.sweepInterval
        let ticker = Task { [sleep, wake] in
            while !Task.isCancelled {
                do { try await sleep(interval) } catch { return }
                wake.yield()
            }
        }
        defer { ticker.cancel() }
        for await _ in wakeups.cancelOnGracefulShutdown() {
            if let last = state.withLock({ $0.lastScanAt }),
                now().timeIntervalSince(last) >= settings.rescanInterval.seconds
            {
                await scan(checkLastSegments: false)
            }
            await sweep()
        }
    }

    var cutoff: Int64 { now().millisecondsSince1970 - settings.daysMillis }
}
