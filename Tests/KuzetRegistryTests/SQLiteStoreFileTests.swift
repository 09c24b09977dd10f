import Foundation
import KuzetProtocol
import KuzetTestKit
import Testing

@testable import KuzetRegistry

/// What the SQLite store promises about its file: commits survive a power cut, and a database made
/// by an earlier release opens with its history intact.
@Suite("SQLite store file", .serialized, .timeLimit(.minutes(2)))
struct SQLiteStoreFileTests {
    @Test("the writer commits with synchronous = FULL, although GRDB's pool sets NORMAL when it sets up WAL")
    func writerSyncsEveryCommit() async throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-registry-file")
        let store = try SQLiteRegistryStore(path: directory.file("registry.sqlite"))
        try await store.migrate()
        #expect(try store.writerSynchronous() == 2)
        let heartbeat = Sample(schoolID: "KZ-SYNC-0001").heartbeat(1, at: Date(timeIntervalSince1970: 1_790_000_000))
        _ = try await store.ingest(
            schoolID: "KZ-SYNC-0001", heartbeats: [heartbeat], receivedAt: heartbeat.sentAt, policy: FlagPolicy())
        #expect(try store.writerSynchronous() == 2, "still FULL after a group was written")
    }

    @Test(
        "a database whose history is keyed WITHOUT ROWID (before this release) keeps that table as it is, its heartbeats, refuses their replays and takes new ones"
    )
    func keyedHistoryKeepsWorking() async throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-registry-file")
        let path = directory.file("registry.sqlite")
        let school = "KZ-OLD-0001"
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let old = (1...5).map {
            Sample(schoolID: school).heartbeat(UInt64($0), at: start.addingTimeInterval(Double($0) * 30))
        }

        // The earlier release's schema and rows, written by the sqlite3 client.
        let session = try DatabaseSession(
            StoreLocationInfo(location: .sqlite(path: path), sqlitePath: path, postgresURL: nil))
        try session.execute(
            """
            CREATE TABLE schools (id TEXT PRIMARY KEY NOT NULL, name TEXT, region TEXT, registered_at REAL NOT NULL,
                last_contact_at REAL, last_sequence INTEGER, interval_seconds INTEGER, not_recording_since REAL,
                not_delivering_since REAL, retention_below_since REAL, disk_pressure_since REAL, clock_skew_since REAL);
            CREATE TABLE heartbeats (school_id TEXT NOT NULL, sequence INTEGER NOT NULL, sent_at REAL NOT NULL,
                received_at REAL NOT NULL, payload BLOB NOT NULL, PRIMARY KEY (school_id, sequence)) WITHOUT ROWID;
            CREATE INDEX heartbeats_received_at ON heartbeats (received_at);
            INSERT INTO schools (id, registered_at) VALUES ('\(school)', \(start.timeIntervalSince1970));
            """)
        for heartbeat in old {
            let json = String(decoding: try StoredJSON.encode(heartbeat), as: UTF8.self).replacingOccurrences(
                of: "'", with: "''")
            let at = heartbeat.sentAt.timeIntervalSince1970
            try session.execute(
                "INSERT INTO heartbeats VALUES ('\(school)', \(heartbeat.sequence), \(at), \(at), CAST('\(json)' AS BLOB));"
            )
        }
        session.close()

        let store = try SQLiteRegistryStore(path: path)
        try await store.migrate()
        try await store.migrate() // every start migrates: a second time changes nothing
        let history = try await store.history(schoolID: school, limit: 10)
        #expect(history.map(\.sequence) == [5, 4, 3, 2, 1])
        #expect(history.first?.payload == (try StoredJSON.encode(old[4])))

        let replay = try await store.ingest(
            schoolID: school, heartbeats: Array(old.suffix(2)), receivedAt: start.addingTimeInterval(400),
            policy: FlagPolicy())
        #expect(replay.accepted == 0)
        #expect(replay.duplicates == 2)
        let next = Sample(schoolID: school).heartbeat(6, at: start.addingTimeInterval(180))
        let fresh = try await store.ingest(
            schoolID: school, heartbeats: [next], receivedAt: next.sentAt, policy: FlagPolicy())
        #expect(fresh.accepted == 1)
        #expect(try await store.history(schoolID: school, limit: 10).map(\.sequence) == [6, 5, 4, 3, 2, 1])
        #expect(
            try await store.pruneHistory(receivedBefore: start.addingTimeInterval(100), limit: 100) == 3,
            "sequences 1–3 arrived before")

        let check = try DatabaseSession(
            StoreLocationInfo(location: .sqlite(path: path), sqlitePath: path, postgresURL: nil))
        try check.execute(
            "SELECT 'table:' || sql FROM sqlite_master WHERE name = 'heartbeats'; SELECT 'index:' || name FROM sqlite_master WHERE tbl_name = 'heartbeats' AND type = 'index' ORDER BY name;"
        )
        let output = check.output
        check.close()
        #expect(output.uppercased().contains("WITHOUT ROWID"), "not rebuilt: \(output)")
        #expect(output.contains("index:heartbeats_received_at"))
        #expect(
            !output.contains("index:heartbeats_school_sequence"),
            "the key is the table's own; no second one built over old history")
    }

    @Test("a new database keeps history in arrival order, keyed by a unique (school, sequence) index")
    func newHistoryLayout() async throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-registry-file")
        let path = directory.file("registry.sqlite")
        let store = try SQLiteRegistryStore(path: path)
        try await store.migrate()
        let check = try DatabaseSession(
            StoreLocationInfo(location: .sqlite(path: path), sqlitePath: path, postgresURL: nil))
        try check.execute(
            "SELECT 'table:' || sql FROM sqlite_master WHERE name = 'heartbeats'; SELECT 'index:' || sql FROM sqlite_master WHERE name = 'heartbeats_school_sequence';"
        )
        let output = check.output
        check.close()
        #expect(
            output.contains("table:CREATE TABLE heartbeats") && !output.uppercased().contains("WITHOUT ROWID"),
            "\(output)")
        #expect(
            output.contains("index:CREATE UNIQUE INDEX heartbeats_school_sequence ON heartbeats (school_id, sequence)"),
            "\(output)")
    }
}

/// A request's new state, worked out ahead from the state the instance last committed, is used only
/// when the writer finds that very state stored and stores every heartbeat of the request.
@Suite("State worked out ahead of the writer")
struct PreparedStateTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    /// Heartbeats from 2 on say nothing is recording (so a state knows since when).
    static func request(_ sequences: [UInt64], cache: SchoolStateCache) throws -> IngestRequest {
        let heartbeats = sequences.map {
            Sample(schoolID: "KZ-PREP-0001", recording: $0 >= 2 ? .notRecording : .recording).heartbeat(
                $0, at: start.addingTimeInterval(Double($0) * 30))
        }
        return try IngestRequest(
            schoolID: "KZ-PREP-0001", heartbeats: heartbeats,
            payloads: try heartbeats.map { try StoredJSON.encode($0) },
            receivedAt: start.addingTimeInterval(Double(sequences.max()!) * 30 + 1), policy: FlagPolicy(),
            preparingFrom: cache)
    }

    @Test("with the committed state known, the prepared state is the one the writer would compute")
    func preparedMatchesWriter() throws {
        let cache = SchoolStateCache()
        let first = try Self.request([1, 2], cache: cache)
        #expect(first.prepared == nil, "nothing committed yet: nothing to work from")
        let committed = try #require(try first.nextState(previous: nil, inserted: first.heartbeats))
        cache.remember(["KZ-PREP-0001": committed.state])

        let second = try Self.request([3], cache: cache)
        let prepared = try #require(second.prepared)
        #expect(prepared.basisSequence == 2)
        let used = try #require(try second.nextState(previous: committed.state, inserted: second.heartbeats))
        let computed = try #require(
            IngestFold.fold(
                previous: committed.state, inserted: second.heartbeats, receivedAt: second.receivedAt,
                policy: FlagPolicy()))
        #expect(used.state == computed)
        #expect(used.json == (try second.stateJSON(computed)))
    }

    @Test("another stored state, or a heartbeat that was already stored, and the state is computed again")
    func preparedIsNotUsedWhenItsBasisIsGone() throws {
        let cache = SchoolStateCache()
        let one = try Self.request([1], cache: cache)
        let atOne = try #require(try one.nextState(previous: nil, inserted: one.heartbeats)).state
        let two = try Self.request([2], cache: cache)
        let atTwo = try #require(try two.nextState(previous: atOne, inserted: two.heartbeats)).state
        cache.remember(["KZ-PREP-0001": atOne])

        // Prepared from sequence 1, but another instance stored sequence 2 meanwhile.
        let three = try Self.request([3], cache: cache)
        #expect(three.prepared?.basisSequence == 1)
        let fromTwo = try #require(try three.nextState(previous: atTwo, inserted: three.heartbeats))
        #expect(
            fromTwo.state
                == IngestFold.fold(
                    previous: atTwo, inserted: three.heartbeats, receivedAt: three.receivedAt, policy: FlagPolicy()))
        // Not recording since 2 (the stored state), not since 3 (as prepared from 1).
        #expect(fromTwo.state.flags.since(.notRecording) == Self.start.addingTimeInterval(60))
        #expect(three.prepared?.state.flags.since(.notRecording) == Self.start.addingTimeInterval(90))

        // A batch of 2 and 3 where 2 turned out stored already: only 3 is folded in.
        let batch = try Self.request([2, 3], cache: cache)
        #expect(batch.prepared != nil)
        let partly = try #require(try batch.nextState(previous: atOne, inserted: [batch.heartbeats[1]]))
        #expect(
            partly.state
                == IngestFold.fold(
                    previous: atOne, inserted: [batch.heartbeats[1]], receivedAt: batch.receivedAt, policy: FlagPolicy()
                ))
    }
}
