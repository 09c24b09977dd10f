import Foundation
import GRDB
import KuzetProtocol
import KuzetTestKit
import Synchronization
import Testing

@testable import KuzetRegistry

/// The SQLite store copies its WAL into the database file on a thread of its own (not inside the
/// ingest writer's commits), keeps the WAL from growing, and stops that thread when it goes away.
@Suite("SQLite checkpoints beside the writer", .serialized, .timeLimit(.minutes(2)))
struct SQLiteCheckpointTests {
    static func size(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// The OS's name of a thread of this process, nil once the thread has ended.
    static func threadName(_ id: Int) -> String? {
        (try? String(contentsOfFile: "/proc/self/task/\(id)/comm", encoding: .utf8))?.trimmingCharacters(
            in: .whitespacesAndNewlines)
    }

    @Test("heartbeats reach the database file while the store is open, and the WAL is reused instead of growing")
    func walIsCopiedAndReused() async throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-registry-checkpoint")
        let path = directory.file("registry.sqlite")
        var store: SQLiteRegistryStore? = try SQLiteRegistryStore(path: path)
        let checkpointer = try #require(store!.checkpointer)
        #expect(eventually(timeout: 5) { checkpointer.threadID != nil })
        let thread = try #require(checkpointer.threadID)
        #expect(Self.threadName(thread) == "kuzet.checkpnt")
        try await store!.migrate()
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let schools = (1...10).map { String(format: "KZ-CKP-%04d", $0) }
        var sequence = 0
        var walSizes: [Int64] = []
        var written: Int64 = 0
        for round in 1...6 {
            let fileBefore = Self.size(path)
            for _ in 0..<25 {
                sequence += 1
                for school in schools {
                    let heartbeat = Sample(schoolID: school, cameras: 16).heartbeat(
                        UInt64(sequence), at: start.addingTimeInterval(Double(sequence) * 30))
                    written += Int64(heartbeat.json.count)
                    _ = try await store!.ingest(
                        schoolID: school, heartbeats: [heartbeat], receivedAt: heartbeat.sentAt, policy: FlagPolicy())
                }
            }
            // 250 heartbeats of ~5 KB are far below the writer's own threshold (20,000 pages): only
            // the checkpoint thread can have moved them into the database file.
            let copied = await waitUntil(timeout: 10) { Self.size(path) >= fileBefore + 250 * 4096 }
            #expect(copied, "round \(round): database file \(Self.size(path)) bytes, was \(fileBefore)")
            walSizes.append(Self.size(path + "-wal"))
        }
        // Each round appends about 11 MB to the WAL (10 pages per heartbeat committed alone): 66 MB
        // if it never started over. It starts over once copied and past 16 MB.
        #expect(walSizes.max()! < 33_000_000, "WAL sizes \(walSizes), \(written) bytes of heartbeats written")
        let count = try await store!.schools(SchoolQuery(), at: start, policy: FlagPolicy()).total
        #expect(count == 10)

        store = nil
        #expect(checkpointer.framesCopied > 0)
        #expect(Self.threadName(thread) == nil, "the checkpoint thread outlived its store")
    }

    /// The WAL restart once held the write lock while it waited, up to the busy timeout, for a
    /// reader of the WAL — and every commit waited with it. Now it must never wait: a busy handler
    /// that counts its calls stands in for the wait (SQLite calls it exactly when it would wait).
    @Test(
        "starting the WAL over never waits: with a reader in the WAL it fails at once, and the connection keeps its busy timeout"
    )
    func restartDoesNotWait() throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-registry-restart")
        let path = directory.file("registry.sqlite")
        let pool = try DatabasePool(path: path)
        try pool.write { db in
            try db.execute(sql: "CREATE TABLE t (x INTEGER)")
            for x in 1...100 { try db.execute(sql: "INSERT INTO t VALUES (?)", arguments: [x]) }
        }
        // A reader whose snapshot includes WAL frames, held open on a thread of its own: RESTART
        // cannot start the WAL over under it.
        let reading = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let readerDone = DispatchSemaphore(value: 0)
        let readCount = Mutex<Int?>(nil)
        Thread {
            let count = try? pool.read { db in
                let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM t")
                reading.signal()
                release.wait()
                return count
            }
            readCount.withLock { $0 = count ?? nil }
            readerDone.signal()
        }.start()
        try #require(reading.wait(timeout: .now() + 10) == .success)
        defer { release.signal() }
        let waits = Atomic<Int>(0)
        var configuration = Configuration()
        configuration.busyMode = .callback { _ in
            waits.add(1, ordering: .relaxed)
            return false
        }
        let restarting = try DatabaseQueue(path: path, configuration: configuration)
        let refused = #expect(throws: DatabaseError.self) {
            try restarting.writeWithoutTransaction { try SQLiteCheckpointer.restartWithoutWaiting($0) }
        }
        #expect(refused?.resultCode == .SQLITE_BUSY)
        #expect(waits.load(ordering: .relaxed) == 0, "the restart waited for the reader")
        let timeout = try restarting.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA busy_timeout") }
        #expect(timeout == SQLiteCheckpointer.busyTimeoutMilliseconds)
        // The write lock was let go: another connection writes at once.
        try pool.write { try $0.execute(sql: "INSERT INTO t VALUES (101)") }

        // With the reader gone it restarts the WAL: the next commit writes from the WAL's start.
        release.signal()
        try #require(readerDone.wait(timeout: .now() + 10) == .success)
        #expect(readCount.withLock { $0 } == 100)
        try restarting.writeWithoutTransaction { try SQLiteCheckpointer.restartWithoutWaiting($0) }
        try pool.write { try $0.execute(sql: "INSERT INTO t VALUES (102)") }
        let wal = try restarting.writeWithoutTransaction { try $0.checkpoint(.passive) }
        #expect(wal.walFrameCount > 0 && wal.walFrameCount <= 2, "WAL frames after the restart: \(wal.walFrameCount)")
        #expect(waits.load(ordering: .relaxed) == 0)
    }
}
