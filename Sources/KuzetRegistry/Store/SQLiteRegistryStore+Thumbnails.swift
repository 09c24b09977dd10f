import Foundation
import GRDB

// Issue 23: each camera's latest thumbnail, in `camera_thumbnails`.
extension SQLiteRegistryStore {
    public func saveThumbnails(_ thumbnails: [StoredThumbnail]) async throws {
        guard !thumbnails.isEmpty else { return }
        let receivedAt = Date().timeIntervalSince1970
        try await pool.write { db in
            for thumbnail in thumbnails {
                try db.execute(
                    sql: """
                        INSERT INTO camera_thumbnails (school_id, camera_id, taken_at, received_at, width, height, jpeg)
                        SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM schools WHERE id = ?)
                        ON CONFLICT (school_id, camera_id) DO UPDATE SET taken_at = excluded.taken_at,
                            received_at = excluded.received_at, width = excluded.width, height = excluded.height,
                            jpeg = excluded.jpeg
                        WHERE excluded.taken_at > camera_thumbnails.taken_at
                        """,
                    arguments: [
                        thumbnail.schoolID, thumbnail.cameraID, thumbnail.takenAt.timeIntervalSince1970, receivedAt,
                        thumbnail.width, thumbnail.height, thumbnail.jpeg, thumbnail.schoolID,
                    ])
            }
        }
    }

    public func thumbnail(schoolID: String, cameraID: String) async throws -> StoredThumbnail? {
        try await pool.read { db in
            try Row.fetchOne(
                db,
                sql:
                    "SELECT taken_at, width, height, jpeg FROM camera_thumbnails WHERE school_id = ? AND camera_id = ?",
                arguments: [schoolID, cameraID]
            ).map { row in
                StoredThumbnail(
                    schoolID: schoolID, cameraID: cameraID, takenAt: Date(timeIntervalSince1970: row[0]),
                    width: row[1], height: row[2], jpeg: row[3])
            }
        }
    }

    public func thumbnailTimes(schoolID: String) async throws -> [String: Date] {
        try await pool.read { db in
            var times: [String: Date] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT camera_id, taken_at FROM camera_thumbnails WHERE school_id = ?", arguments: [schoolID])
            {
                times[row[0]] = Date(timeIntervalSince1970: row[1])
            }
            return times
        }
    }
}
