import Foundation
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import Testing

@Suite("PostgreSQL schema")
struct PostgresSchemaTests {
    @Test("the JSON columns are compressed with lz4, a large heartbeat reads back whole, and migrating again changes nothing")
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
            _ = try await store.ingest(schoolID: sample.schoolID, heartbeats: [heartbeat], receivedAt: start, policy: FlagPolicy())
            try session.execute(
                "SELECT 'stored:' || pg_column_compression(payload) || ':' || length(payload) FROM heartbeats WHERE school_id = 'KZ-LZ4-0001';")
            let payloadLength = try JSONEncoder.kuzetWire.encode(heartbeat).count
            #expect(payloadLength > 4_000)
            #expect(session.output.contains("stored:lz4:"))
            let record = try #require(try await store.school(id: sample.schoolID))
            #expect(record.state?.cameras.count == 40)
            #expect(record.state?.lastSequence == 1)

            try await store.migrate()
            try session.execute("SELECT 'again:' || attcompression::text FROM pg_attribute WHERE attrelid = 'heartbeats'::regclass AND attname = 'payload';")
            #expect(session.output.contains("again:l"))
        }
    }
}
