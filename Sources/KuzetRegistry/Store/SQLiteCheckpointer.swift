import Foundation
import GRDB
import Synchronization

/// Copies committed WAL frames into the database file on its own thread and connection, so the
/// ingest writer does not. SQLite's automatic checkpoint runs inside the commit that crosses the
/// threshold, on the writer's thread: every few dozen commits, the heartbeats waiting for that
/// commit also wait for megabytes to be copied and the database file to be synced. A PASSIVE
/// checkpoint from another connection does the same work beside the writer (it never blocks it),
/// on the core the writer leaves idle while it waits for fsync.
///
/// The WAL is started over (RESTART) without waiting for locks: by this thread when the writer is
/// idle, else by the writer between two groups (`restartIfDue`).
///
/// The writer keeps a far higher automatic threshold (``safetyNetPages``) for the case this
/// thread falls behind or cannot open its connection.
final class SQLiteCheckpointer: Sendable {
    /// Pages the WAL may reach before the writer checkpoints by itself (about 80 MB at 4 KiB).
    static let safetyNetPages = 20_000
    /// WAL frames (about 16 MB) from which the WAL is made to start over.
    static let restartFrames = 4_096

    /// Set when the WAL is due to start over but this thread could not take the write lock at once:
    /// the writer does it between two groups (`restartIfDue`).
    private let restartDue = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let stopped = Mutex(false)
    /// The frame counts PASSIVE checkpoints reported copied, summed (a frame copied before the WAL
    /// started over counts again in the next count); for tests.
    private let copied = Mutex(0)
    /// The thread's id in /proc/self/task (Linux), once it runs; for tests.
    private let osThread = Mutex<Int?>(nil)

    /// Starts the thread over a connection of its own to `path`; nil when that cannot be opened
    /// (the writer's safety net then checkpoints).
    init?(path: String, minimumInterval: TimeInterval = 0.1) {
        var configuration = Configuration()
        configuration.busyMode = .timeout(TimeInterval(Self.busyTimeoutMilliseconds) / 1000)
        configuration.label = "kuzet.registry.checkpoint"
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        guard let queue = try? DatabaseQueue(path: path, configuration: configuration) else { return nil }
        let thread = Thread { [self] in
            // The OS thread's own name (top -H, /proc), 15 characters at most: Foundation's
            // `Thread.name` did not reach it here.
            try? "kuzet.checkpnt".write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
            let task = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self") // "PID/task/TID"
            osThread.withLock { $0 = task.flatMap { Int($0.split(separator: "/").last ?? "") } }
            run(queue, minimumInterval: minimumInterval)
        }
        thread.start()
    }

    /// A group was committed: there are frames to copy.
    func committed() { wake.signal() }

    /// Whether the writer is asked to start the WAL over (a load, so the writer only takes its
    /// connection after a group when there is something to do).
    var isRestartDue: Bool { restartDue.load(ordering: .relaxed) }

    /// Called by the writer after it answered a group, on its own connection: starts the WAL over
    /// if this thread found that due but could not take the write lock at once.
    func restartIfDue(_ db: Database) {
        guard restartDue.exchange(false, ordering: .relaxed) else { return }
        // Busy means this thread is checkpointing right now: it finds the WAL big again and asks again.
        try? Self.restartWithoutWaiting(db)
    }

    /// RESTART: copies what the last PASSIVE checkpoint left, then makes the next commit start the
    /// WAL over. It holds the write lock while it copies, and would wait (the busy timeout) for the
    /// writer and then, still holding that lock, for readers of the WAL: seen here waiting 6.8 s
    /// for a busy writer, then stalling it for 0.7 s while it copied what had come since. So it is
    /// tried without waiting (busy timeout 0) and simply fails (`SQLITE_BUSY`) when either is busy.
    static func restartWithoutWaiting(_ db: Database) throws {
        try db.execute(sql: "PRAGMA busy_timeout = 0")
        defer { try? db.execute(sql: "PRAGMA busy_timeout = \(busyTimeoutMilliseconds)") }
        _ = try db.checkpoint(.restart)
    }

    /// The busy timeout of the registry's connections (`restartWithoutWaiting` puts it back).
    static let busyTimeoutMilliseconds = 10_000

    /// Ends the thread after its current checkpoint and closes its connection; returns once it
    /// has (at most 10 s), so the database file is left to whoever opens it next.
    func stop() {
        let alreadyStopped = stopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        guard !alreadyStopped else { return }
        wake.signal()
        _ = finished.wait(timeout: .now() + 10)
    }

    var framesCopied: Int { copied.withLock { $0 } }
    var threadID: Int? { osThread.withLock { $0 } }

    private func run(_ queue: DatabaseQueue, minimumInterval: TimeInterval) {
        while !stopped.withLock({ $0 }) {
            // Woken by a commit, or once a second in case a commit's signal was coalesced away.
            _ = wake.wait(timeout: .now() + 1)
            while wake.wait(timeout: .now()) == .success {}
            if stopped.withLock({ $0 }) { break }
            if let result = try? queue.writeWithoutTransaction({ try $0.checkpoint(.passive) }) {
                copied.withLock { $0 += max(result.checkpointedFrameCount, 0) }
                // Seen here: after PASSIVE checkpoints from this connection alone, the writer kept
                // appending to the WAL instead of starting it over (44 MB for 5 MB of heartbeats).
                // A RESTART, once everything is copied and the WAL is big, makes the next commit
                // start it over. Under load the writer holds the write lock nearly all the time, so
                // this one rarely gets it at once; the writer then restarts the WAL itself, between
                // two groups, where it costs one copy of what came since and one sync.
                if result.walFrameCount >= Self.restartFrames, result.checkpointedFrameCount == result.walFrameCount {
                    do {
                        try queue.writeWithoutTransaction { try Self.restartWithoutWaiting($0) }
                    } catch {
                        restartDue.store(true, ordering: .relaxed)
                    }
                }
            }
            // Let a few commits gather: one checkpoint (and one sync of the database file) for them all.
            Thread.sleep(forTimeInterval: minimumInterval)
        }
        try? queue.close()
        finished.signal()
    }
}
