import Foundation
import PostgresNIO

// Issue 23: each camera's latest thumbnail, in `camera_thumbnails`.
extension PostgresRegistryStore {
    public func saveThumbnails(_ thumbnails: [StoredThumbnail]) async throws {
        let receivedAt = Date().timeIntervalSince1970
        // Only for a school that has its row, locked to the commit (FOR KEY SHARE): `school remove`
        // waits for the write, or the write for the removal, which then leaves no row to find.
        for thumbnail in thumbnails {
            let takenAt = thumbnail.takenAt.timeIntervalSince1970
            try await client.query(
                """
                INSERT INTO camera_thumbnails (school_id, camera_id, taken_at, received_at, width, height, jpeg)
                SELECT \(thumbnail.schoolID), \(thumbnail.cameraID), \(takenAt), \(receivedAt), \(thumbnail.width),
                    \(thumbnail.height), \(thumbnail.jpeg) WHERE EXISTS (SELECT 1 FROM schools WHERE id = \(thumbnail.schoolID) FOR KEY SHARE)
                ON CONFLICT (school_id, camera_id) DO UPDATE SET taken_at = excluded.taken_at,
                    received_at = excluded.received_at, width = excluded.width, height = excluded.height,
                    jpeg = excluded.jpeg
                WHERE excluded.taken_at > camera_thumbnails.taken_at
                """, logger: logger)
        }
    }

    public func thumbnail(schoolID: String, cameraID: String) async throws -> StoredThumbnail? {
        let rows = try await client.query(
            """
            SELECT taken_at, width, height, jpeg FROM camera_thumbnails
            WHERE school_id = \(schoolID) AND camera_id = \(cameraID)
            """, logger: logger)
        for try await (takenAt, width, height, jpeg) in rows.decode((Double, Int32, Int32, Data).self) {
            return StoredThumbnail(
                schoolID: schoolID, cameraID: cameraID, takenAt: Date(timeIntervalSince1970: takenAt),
                width: Int(width), height: Int(height), jpeg: jpeg)
        }
        return nil
    }

    public func thumbnailTimes(schoolID: String) async throws -> [String: Date] {
        let rows = try await client.query(
            "SELECT camera_id, taken_at FROM camera_thumbnails WHERE school_id = \(schoolID)", logger: logger)
        var times: [String: Date] = [:]
        for try await (camera, takenAt) in rows.decode((String, Double).self) {
            times[camera] = Date(timeIntervalSince1970: takenAt)
        }
        return times
    }
}
