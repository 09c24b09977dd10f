import Foundation
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import Testing

@Suite("PostgreSQL schema")
struct PostgresSchemaTests {
    @Test(
        "the JSON columns are compressed with lz4, a large heartbeat reads back whole, and migrating again changes nothing"
    )
    func jsonColumnsUseLZ4() async throws {
        try await withStore(.postgres) { store, info in
            let session = try DatabaseSession(info)
            defer { session.close() }
            try session.execute(
                """
                SELECT 'compression:' || attrelid::regclass || '.' || attname || '=' || attcompression::text FROM pg_attribute
                WHERE (attrelid = 'heartbeats'::regclass AND attname = 'payload') OR (attrelid = 'schools'::regclass AND attname = 'state_json')
                ORDER BY 1;
                """)
            #expect(session.output.contains("compression:heartbeats.payload=l"))
            #expect(session.output.contains("compression:schools.state_json=l"))

            // 40 cameras: the payload is far over the 2 kB TOAST threshold, so it is compressed.
            var sample = Sample(schoolID: "KZ-LZ4-0001")
            sample.cameras = 40
            let start = Date(timeIntervalSince1970: 1_790_000_000)
            let heartbeat = sample.heartbeat(1, at: start)
            _ = try await store.ingest(
                schoolID: sample.schoolID, heartbeats: [heartbeat], receivedAt: start, policy: FlagPolicy())
            try session.execute(
                "SELECT 'stored:' || pg_column_compression(payload) || ':' || length(payload) FROM heartbeats WHERE school_id = 'KZ-LZ4-0001';"
            )
            let payloadLength = try JSONEncoder.kuzetWire.encode(heartbeat).count
            #expect(payloadLength > 4_000)
            #expect(session.output.contains("stored:lz4:"))
            let record = try #require(try await store.school(id: sample.schoolID))
            #expect(record.state?.cameras.count == 40)
            #expect(record.state?.lastSequence == 1)

            try await store.migrate()
            try session.execute(
                "SELECT 'again:' || attcompression::text FROM pg_attribute WHERE attrelid = 'heartbeats'::regclass AND attname = 'payload';"
            )
            #expect(session.output.contains("again:l"))
        }
    }

    /// Left to choose, PL/pgSQL planned the function's statements again on every call (12 % of the
    /// backend's CPU at one heartbeat per request, perf); with this setting it keeps one generic plan.
    @Test("the one-statement ingest function keeps generic plans, also in a database migrated before")
    func ingestFunctionKeepsGenericPlans() async throws {
        try await withStore(.postgres) { store, info in
            let session = try DatabaseSession(info)
            defer { session.close() }
            /// The function's settings, marked with `mark` (the session's output accumulates).
            func settings(_ mark: String) -> String {
                "SELECT '\(mark):' || coalesce(array_to_string(proconfig, ','), 'none') FROM pg_proc WHERE proname = 'kuzet_ingest_known';"
            }
            try session.execute(settings("created"))
            #expect(session.output.contains("created:plan_cache_mode=force_generic_plan"))
            // A function created without the setting (as before December 2026) gets it at the next start.
            try session.execute("ALTER FUNCTION kuzet_ingest_known RESET ALL; " + settings("reset"))
            #expect(session.output.contains("reset:none"))
            try await store.migrate()
            try session.execute(settings("migrated"))
            #expect(session.output.contains("migrated:plan_cache_mode=force_generic_plan"))
        }
    }
}
