import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetCommitment
import KuzetCore
import KuzetProtocol
import KuzetTestKit
import Logging
import NIOCore
import PostgresNIO
import Synchronization
import Testing

@testable import KuzetRegistry

/// `school remove` against writes of the same school from other registry instances sharing the
/// PostgreSQL database, interleaved on purpose: a second real session (`DatabaseSession`) holds a row
/// that one side needs, so that side stops at a known point, and the test goes on once every other
/// write is waiting on the database's locks (or done).
@Suite("Removing a school while other instances write it (PostgreSQL)", .timeLimit(.minutes(2)))
struct SchoolRemovalRaceTests {
    let start = Date(timeIntervalSince1970: 1_790_000_000)
    let school = "KZ-RACE-0001"
    var yesterday: Int { UTCDay(start).number - 1 }

    @Test(
        "writes that reach the database while the removal is under way wait for it and store nothing; the heartbeat is refused as a removed school's"
    )
    func writesDuringTheRemovalStoreNothing() async throws {
        try await withStore(.postgres) { store, info in
            let store = try #require(store as? PostgresRegistryStore)
            let commitments: any CommitmentStore = store
            try await register(store)
            _ = try await store.ingest(
                schoolID: school, heartbeats: [Sample(schoolID: school).heartbeat(1, at: start)], receivedAt: start,
                policy: FlagPolicy())
            let oldBox = DevicePublicKey(Curve25519.Signing.PrivateKey().publicKey)
            try await commitments.pinDeviceKey(schoolID: school, key: oldBox, at: start)
            _ = try await commitments.storeDayRoots(schoolID: school, [dayRoot()], at: start)
            try await commitments.updateRetentionProof(proof())
            try await store.saveThumbnails([thumbnail()])

            try await withSecondStore(info) { late in
                // The removal's last step moves the token generation on: while the session holds that
                // row, the removal is under way (what it deleted is not committed yet).
                let session = try DatabaseSession(info)
                defer { session.close() }
                try session.execute(
                    """
                    INSERT INTO registry_generations (name, generation) VALUES ('tokens', 0) ON CONFLICT DO NOTHING;
                    BEGIN; SELECT generation FROM registry_generations WHERE name = 'tokens' FOR UPDATE;
                    """)
                let removal = Task { try await store.removeSchool(id: school) }
                #expect(try await waitUntil(timeout: 20) { try await lockWaits(store) == 1 }, "the removal is held")

                // What an agent's request does, reaching another instance (which still knows the token).
                let writes = StartedWrites()
                let write = writes.start
                let started =
                    [
                        write {
                            do { return try await heartbeat(2, to: late) } catch is SchoolRemovedError {
                                return "refused"
                            }
                        }
                    ] + recordWrites(on: late, key: oldBox, challenge: "late", write)
                #expect(
                    try await waitUntil(timeout: 20) {
                        try await lockWaits(store) + writes.finished == 1 + started.count
                    }, "every late write is waiting or done")
                try session.execute("COMMIT;")

                let removed = try await removal.value
                #expect(removed?.tokens == 1)
                var outcomes: [String] = []
                for task in started { outcomes.append(await task.value) }
                #expect(
                    outcomes == ["refused", "pinned", "day roots 0", "challenge", "proof", "thumbnail"],
                    "the heartbeat gets the answer of a removed school's token")
            }
            let left = try await rows(of: school, store)
            #expect(left == Self.none)
            let record = try await store.school(id: school)
            #expect(record == nil, "a late heartbeat does not bring the school back")
        }
    }

    @Test("writes under way when the removal starts are finished first, then removed with the school")
    func writesUnderWayAreRemovedWithTheSchool() async throws {
        try await withStore(.postgres) { store, info in
            let store = try #require(store as? PostgresRegistryStore)
            try await register(store)
            _ = try await store.ingest(
                schoolID: school, heartbeats: [Sample(schoolID: school).heartbeat(1, at: start)], receivedAt: start,
                policy: FlagPolicy())

            try await withSecondStore(info) { other in
                // The session's uncommitted rows stop each write at its insert, after it looked at the school.
                let session = try DatabaseSession(info)
                defer { session.close() }
                try session.execute(
                    """
                    BEGIN;
                    INSERT INTO heartbeats (school_id, sequence, sent_at, received_at, payload) VALUES ('\(school)', 2, 0, 0, '{}');
                    INSERT INTO device_keys (school_id, public_key, pinned_at) VALUES ('\(school)', '\\x00', 0);
                    INSERT INTO day_roots (school_id, camera, day, segments, root, signature) VALUES ('\(school)', 'cam-1', \(yesterday), 1, '\\x00', '\\x00');
                    INSERT INTO retention_challenges (id, school_id, camera, day, segment_index, chunk_nonce, issued_at, expires_at)
                        VALUES ('\(school)-early', '\(school)', 'cam-1', \(yesterday), 0, 0, 0, 0);
                    INSERT INTO retention_proofs (school_id) VALUES ('\(school)');
                    INSERT INTO camera_thumbnails (school_id, camera_id, taken_at, received_at, width, height, jpeg)
                        VALUES ('\(school)', 'cam-1', 0, 0, 1, 1, '\\x00');
                    """)
                let writes = StartedWrites()
                let write = writes.start
                // This instance holds the school's state (one statement); the other does not (the general way).
                let started =
                    [
                        write { try await heartbeat(2, to: store) },
                        write { try await heartbeat(3, to: other) },
                    ]
                    + recordWrites(
                        on: other, key: DevicePublicKey(Curve25519.Signing.PrivateKey().publicKey), challenge: "early",
                        write)
                #expect(
                    try await waitUntil(timeout: 20) {
                        try await lockWaits(store) + writes.finished == started.count
                    }, "every write is under way")
                let removal = Task { try await store.removeSchool(id: school) }
                #expect(
                    try await waitUntil(timeout: 20) {
                        try await lockWaits(store) + writes.finished == started.count + 1
                    }, "the removal has started")
                try session.execute("ROLLBACK;")

                var outcomes: [String] = []
                for task in started { outcomes.append(await task.value) }
                #expect(
                    outcomes == ["stored 1", "stored 1", "pinned", "day roots 1", "challenge", "proof", "thumbnail"],
                    "they came before the removal")
                let removed = try await removal.value
                #expect(
                    removed
                        == SchoolRemoval(
                            tokens: 1, heartbeats: 3, deviceKeys: 1, dayRoots: 1, challenges: 1, retentionProofs: 1,
                            unfinishedCommands: 0, finishedCommandsKept: 0))
            }
            let left = try await rows(of: school, store)
            #expect(left == Self.none)
        }
    }

    @Test(
        "a heartbeat reaching another instance while the removal is under way waits for it, then gets 401 school_removed"
    )
    func heartbeatDuringTheRemovalIsRefusedOverHTTP() async throws {
        try await withStore(.postgres) { store, info in
            let store = try #require(store as? PostgresRegistryStore)
            try await store.register(SchoolRegistration(id: school, name: nil, region: "Astana"), at: start)
            let token = AccessToken.generate(role: .school)
            try await store.insert(
                StoredToken(
                    hash: AccessToken.hash(token), principal: Principal(role: .school, schoolID: school),
                    createdAt: start))
            _ = try await store.ingest(
                schoolID: school, heartbeats: [Sample(schoolID: school).heartbeat(1, at: start)], receivedAt: start,
                policy: FlagPolicy())

            try await withSecondStore(info) { late in
                let clock = ManualNow(start + 30)
                let server = RegistryServer(
                    registry: Registry(store: late, now: clock.now, tokenCheckInterval: 3600), host: "127.0.0.1",
                    port: 0)
                try await server.application().test(.live) { client in
                    let session = try DatabaseSession(info)
                    defer { session.close() }
                    try session.execute(
                        """
                        INSERT INTO registry_generations (name, generation) VALUES ('tokens', 0) ON CONFLICT DO NOTHING;
                        BEGIN; SELECT generation FROM registry_generations WHERE name = 'tokens' FOR UPDATE;
                        """)
                    let removal = Task { try await store.removeSchool(id: school) }
                    #expect(try await waitUntil(timeout: 20) { try await lockWaits(store) == 1 }, "the removal is held")

                    let body = Sample(schoolID: school).heartbeat(2, at: start + 30).json
                    let answer = Task {
                        try await client.execute(
                            uri: "/api/v1/heartbeats", method: .post,
                            headers: [.contentType: "application/json", .authorization: "Bearer \(token)"],
                            body: ByteBuffer(bytes: body))
                    }
                    #expect(
                        try await waitUntil(timeout: 20) { try await lockWaits(store) == 2 },
                        "the heartbeat waits for the removal")
                    try session.execute("COMMIT;")

                    #expect(try await removal.value?.heartbeats == 1)
                    let response = try await answer.value
                    #expect(
                        response.status == .unauthorized && response.text.contains("school_removed"), "\(response.text)"
                    )
                }
            }
            let left = try await rows(of: school, store)
            #expect(left == Self.none)
        }
    }

    // MARK: - The school's records

    func register(_ store: PostgresRegistryStore) async throws {
        try await store.register(SchoolRegistration(id: school, name: "Race school", region: "Astana"), at: start)
        try await store.insert(
            StoredToken(
                hash: AccessToken.hash("token-\(school)"), principal: Principal(role: .school, schoolID: school),
                createdAt: start))
    }

    /// Heartbeat `sequence` of the school through `instance`'s ingest: "stored N" (N accepted).
    func heartbeat(_ sequence: Int, to instance: PostgresRegistryStore) async throws -> String {
        let sentAt = start + Double(sequence - 1) * 30
        let result = try await instance.ingest(
            schoolID: school, heartbeats: [Sample(schoolID: school).heartbeat(UInt64(sequence), at: sentAt)],
            receivedAt: sentAt, policy: FlagPolicy())
        return "stored \(result.accepted)"
    }

    func dayRoot() -> StoredDayRoot {
        StoredDayRoot(
            camera: "cam-1", day: UTCDay(number: yesterday), segments: 24, root: CommittedSchool.randomBytes(32),
            signature: CommittedSchool.randomBytes(64))
    }

    func challenge(_ name: String) -> StoredChallenge {
        StoredChallenge(
            id: "\(school)-\(name)", schoolID: school, camera: "cam-1", day: UTCDay(number: yesterday), segmentIndex: 0,
            chunkNonce: 1, issuedAt: start, expiresAt: start + 1800)
    }

    func proof() -> RetentionProof {
        var proof = RetentionProof(schoolID: school)
        proof.unprovenSince = start
        proof.unprovenReason = "late"
        return proof
    }

    func thumbnail(at date: Date? = nil) -> StoredThumbnail {
        StoredThumbnail(
            schoolID: school, cameraID: "cam-1", takenAt: date ?? start, width: 2, height: 2,
            jpeg: Data([0xFF, 0xD8, 0xFF, 0xE0]))
    }

    /// Every table's rows of a removed school: none.
    static let none = [
        "schools: 0", "heartbeats: 0", "tokens: 0", "school_flags: 0", "camera_thumbnails: 0", "device_keys: 0",
        "day_roots: 0", "retention_challenges: 0", "retention_proofs: 0", "removed_schools: 1",
    ]

    /// How many rows of `school` each table holds, read straight from the database.
    func rows(of school: String, _ store: PostgresRegistryStore) async throws -> [String] {
        var counts: [String] = []
        for table in [
            "schools", "heartbeats", "tokens", "school_flags", "camera_thumbnails", "device_keys", "day_roots",
            "retention_challenges", "retention_proofs", "removed_schools",
        ] {
            let column = ["schools", "removed_schools"].contains(table) ? "id" : "school_id"
            var binds = PostgresBindings()
            binds.append(school)
            let rows = try await store.client.query(
                PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table) WHERE \(column) = $1", binds: binds),
                logger: store.logger)
            for try await count in rows.decode(Int64.self) { counts.append("\(table): \(count)") }
        }
        return counts
    }

    /// Sessions of the test's database waiting for a lock.
    func lockWaits(_ store: PostgresRegistryStore) async throws -> Int {
        let rows = try await store.client.query(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
            logger: store.logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    /// A second instance on the same database (another registry process): it holds no school's state.
    func withSecondStore(
        _ info: StoreLocationInfo, _ body: @Sendable (PostgresRegistryStore) async throws -> Void
    ) async throws {
        guard case .postgres(let location) = try DatabaseLocation(parsing: try #require(info.postgresURL)) else {
            throw TestKitError("not a postgres URL")
        }
        let store = try PostgresRegistryStore(location: location, logger: Logger(label: "kuzet.registry.test"))
        try await withThrowingTaskGroup(of: Void.self) { services in
            services.addTask { try await store.run() }
            defer { services.cancelAll() }
            try await body(store)
        }
    }
}

/// Writes run at once, each in a task of its own; counts those done.
extension SchoolRemovalRaceTests {
    /// The school's other writes on `store` besides heartbeats, each started with `write`: the
    /// device key, a day root, a challenge named `challenge`, the retention proof and a thumbnail.
    func recordWrites(
        on store: PostgresRegistryStore, key: DevicePublicKey, challenge name: String,
        _ write: (@escaping @Sendable () async throws -> String) -> Task<String, Never>
    ) -> [Task<String, Never>] {
        let school = school
        let at = start + 30
        let (root, challenge, proof, thumbnail) = (dayRoot(), challenge(name), proof(), thumbnail(at: at))
        return [
            write {
                try await store.pinDeviceKey(schoolID: school, key: key, at: at)
                return "pinned"
            },
            write { "day roots \(try await store.storeDayRoots(schoolID: school, [root], at: at))" },
            write {
                try await store.insertChallenge(challenge)
                return "challenge"
            },
            write {
                try await store.updateRetentionProof(proof)
                return "proof"
            },
            write {
                try await store.saveThumbnails([thumbnail])
                return "thumbnail"
            },
        ]
    }
}

final class StartedWrites: Sendable {
    private let done = Atomic(0)

    var finished: Int { done.load(ordering: .relaxed) }

    /// Runs `body`; its outcome is what it returns, or the error it threw.
    func start(_ body: @escaping @Sendable () async throws -> String) -> Task<String, Never> {
        Task {
            defer { done.add(1, ordering: .relaxed) }
            do { return try await body() } catch { return String(describing: error) }
        }
    }
}
