import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import NIOCore
import Testing

/// Issue 23 in the registry: CAMERA_OBSTRUCTED with the cameras and reasons, and each camera's
/// latest thumbnail kept apart and shown only to those who may see the school. Real HTTP, both stores.
@Suite("Picture health in the registry", .serialized, .timeLimit(.minutes(4)))
struct PictureHealthTests {
    static let school = "KZ-AST-0001"

    /// A real JPEG made by ffmpeg (a test pattern; `noise` makes it hard to compress).
    static func jpeg(width: Int = 320, height: Int = 180, quality: Int = 8, noise: Bool = false) throws -> Data {
        let directory = try TemporaryDirectory(prefix: "kuzet-thumbnail")
        let path = directory.file("picture.jpg")
        let source = "testsrc2=size=\(width)x\(height)" + (noise ? ",noise=alls=100:allf=t" : "")
        let (status, output) = try run(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source, "-frames:v", "1", "-q:v",
                "\(quality)", path,
            ])
        guard status == 0 else { throw TestKitError("ffmpeg: \(output)") }
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    static func heartbeat(_ sequence: UInt64, at date: Date, thumbnail: CameraThumbnail? = nil) -> Heartbeat {
        var heartbeat = Sample(schoolID: school, region: "Astana").heartbeat(sequence, at: date)
        heartbeat.cameras[0].thumbnail = thumbnail
        return heartbeat
    }

    static func flag(_ name: String, in object: [String: Any]?) -> [String: Any]? {
        (object?["flags"] as? [[String: Any]])?.first { $0["flag"] as? String == name }
    }

    @Test(
        "a flagged camera raises CAMERA_OBSTRUCTED since its own moment, with the camera and reasons in the API, list, report, CSV and page; a good picture clears it",
        arguments: StoreKind.allCases)
    func obstructedFlag(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken(Self.school, name: "School", region: "Astana")
            let viewer = try await registry.token(Principal(role: .viewer, region: "Astana"))
            let now = registry.clock.date
            let since = now.addingTimeInterval(-180)
            var heartbeat = Self.heartbeat(1, at: now)
            heartbeat.cameras[0].health = CameraHealthReport(
                state: .flagged, reasons: [.dark, .frozen], since: since, checkedAt: now)
            heartbeat.cameras[1].health = CameraHealthReport(state: .ok, since: since, checkedAt: now)
            let posted = try await registry.post(heartbeat.json, token: token)
            #expect(posted.status == .ok, "\(posted.text)")

            let detail = try await registry.getJSON("/api/v1/schools/\(Self.school)", token: viewer)
            let schoolFlag = try #require(Self.flag("CAMERA_OBSTRUCTED", in: detail["school"] as? [String: Any]))
            #expect((schoolFlag["since"] as? String).flatMap(WireDate.parse) == since)
            let cameras = detail["cameras"] as? [[String: Any]] ?? []
            #expect(Self.flag("CAMERA_OBSTRUCTED", in: cameras.first) != nil, "cam-1 is flagged")
            #expect(Self.flag("CAMERA_OBSTRUCTED", in: cameras.last) == nil, "cam-2 is not")
            let health = cameras.first?["health"] as? [String: Any]
            #expect(health?["state"] as? String == "flagged")
            #expect(health?["reasons"] as? [String] == ["dark", "frozen"])

            let listed = try await registry.getJSON("/api/v1/schools?flag=CAMERA_OBSTRUCTED", token: viewer)
            #expect(listed["total"] as? Int == 1)
            let report = try await registry.getJSON("/api/v1/report", token: viewer)
            #expect((report["total"] as? [String: Any])?["camera_obstructed"] as? Int == 1)
            let csv = try await registry.get("/api/v1/report?format=csv", token: viewer).text
            let lines = csv.split(separator: "\r\n")
            #expect(
                lines.first?.hasSuffix(",camera_obstructed") == true && lines.last?.hasSuffix(",1") == true, "\(csv)")
            let page = try await registry.get(
                "/schools/\(Self.school)", token: viewer, headers: [.acceptLanguage: "en"]
            ).text
            #expect(page.contains("<span class=\"flag CAMERA_OBSTRUCTED\""))
            #expect(page.contains("<span class=\"reasons\">dark, frozen</span>"), "\(page.suffix(3000))")

            registry.clock.advance(by: 30)
            var healthy = Self.heartbeat(2, at: registry.clock.date)
            healthy.cameras[0].health = CameraHealthReport(state: .ok, since: registry.clock.date)
            #expect(try await registry.post(healthy.json, token: token).status == .ok)
            let cleared = try await registry.getJSON("/api/v1/schools/\(Self.school)", token: viewer)
            #expect(Self.flag("CAMERA_OBSTRUCTED", in: cleared["school"] as? [String: Any]) == nil)
            #expect(
                try await registry.getJSON("/api/v1/schools?flag=CAMERA_OBSTRUCTED", token: viewer)["total"] as? Int
                    == 0)
            let after = try await registry.getJSON("/api/v1/report", token: viewer)
            #expect((after["total"] as? [String: Any])?["camera_obstructed"] as? Int == 0)
        }
    }

    @Test(
        "only each camera's newest thumbnail is kept, apart from the state and history; an older one does not replace it",
        arguments: StoreKind.allCases)
    func newestThumbnailKeptApart(kind: StoreKind) async throws {
        let first = try Self.jpeg(quality: 8)
        let second = try Self.jpeg(width: 240, height: 135, quality: 4)
        let older = try Self.jpeg(width: 160, height: 90)
        try #require(first.count <= CameraThumbnail.maximumBytes && second.count <= CameraThumbnail.maximumBytes)
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken(Self.school, name: "School", region: "Astana")
            let viewer = try await registry.token(Principal(role: .viewer, region: "Astana"))
            let path = "/api/v1/schools/\(Self.school)/cameras/cam-1/thumbnail"
            let now = registry.clock.date
            let one = Self.heartbeat(
                1, at: now,
                thumbnail: CameraThumbnail(
                    takenAt: now.addingTimeInterval(-60), jpegData: first, width: 320, height: 180))
            let posted = try await registry.post(one.json, token: token)
            #expect(posted.status == .ok, "\(posted.text)")
            let served = try await registry.get(path, token: viewer)
            #expect(served.status == .ok)
            #expect(served.headers[.contentType] == "image/jpeg")
            #expect(Data(served.body.readableBytesView) == first)

            let stored = try #require(try await registry.store.school(id: Self.school)?.state)
            #expect(stored.cameras.allSatisfy { $0.report.thumbnail == nil }, "no thumbnail in the state")
            let history = try await registry.store.history(schoolID: Self.school, limit: 10)
            #expect(history.count == 1)
            #expect(history.allSatisfy { !String(decoding: $0.payload, as: UTF8.self).contains("thumbnail") })

            registry.clock.advance(by: 30)
            let two = Self.heartbeat(
                2, at: registry.clock.date,
                thumbnail: CameraThumbnail(takenAt: registry.clock.date, jpegData: second, width: 240, height: 135))
            #expect(try await registry.post(two.json, token: token).status == .ok)
            #expect(Data(try await registry.get(path, token: viewer).body.readableBytesView) == second)

            registry.clock.advance(by: 30)
            let three = Self.heartbeat(
                3, at: registry.clock.date,
                thumbnail: CameraThumbnail(
                    takenAt: now.addingTimeInterval(-3600), jpegData: older, width: 160, height: 90))
            #expect(try await registry.post(three.json, token: token).status == .ok)
            #expect(Data(try await registry.get(path, token: viewer).body.readableBytesView) == second, "not replaced")
            #expect(
                try await registry.get("/api/v1/schools/\(Self.school)/cameras/cam-2/thumbnail", token: viewer).status
                    == .notFound)
            #expect(try await registry.store.removeSchool(id: Self.school) != nil)
            let removed = try await registry.store.thumbnail(schoolID: Self.school, cameraID: "cam-1")
            #expect(removed == nil, "deleted with the school")
        }
    }

    @Test(
        "a thumbnail over 20 KB, not a JPEG, not base64 or too wide refuses the heartbeat (422 naming it); nothing is kept"
    )
    func badThumbnailRefused() async throws {
        let large = try Self.jpeg(quality: 1, noise: true)
        try #require(large.count > CameraThumbnail.maximumBytes, "the noisy JPEG is \(large.count) bytes")
        let good = try Self.jpeg()
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + good.dropFirst(8)
        try await withRegistry(.sqlite) { registry in
            let token = try await registry.schoolToken(Self.school, name: "School", region: "Astana")
            let admin = try await registry.token(Principal(role: .admin))
            let now = registry.clock.date
            let cases: [(CameraThumbnail, String)] = [
                (CameraThumbnail(takenAt: now, jpegData: large, width: 320, height: 180), "cameras[0].thumbnail.jpeg"),
                (CameraThumbnail(takenAt: now, jpegData: png, width: 320, height: 180), "cameras[0].thumbnail.jpeg"),
                (
                    CameraThumbnail(takenAt: now, jpeg: "not base64!", width: 320, height: 180),
                    "cameras[0].thumbnail.jpeg"
                ),
                (CameraThumbnail(takenAt: now, jpegData: good, width: 1920, height: 180), "cameras[0].thumbnail.width"),
            ]
            for (thumbnail, field) in cases {
                let response = try await registry.post(
                    Self.heartbeat(1, at: now, thumbnail: thumbnail).json, token: token)
                #expect(response.status == .unprocessableContent, "\(field): \(response.text.prefix(300))")
                #expect(response.json["error"] as? String == "invalid_heartbeat")
                #expect(
                    (response.json["message"] as? String)?.hasPrefix(field + ":") == true,
                    "\(response.text.prefix(300))")
            }
            #expect(try await registry.store.history(schoolID: Self.school, limit: 10).isEmpty)
            #expect(
                try await registry.get("/api/v1/schools/\(Self.school)/cameras/cam-1/thumbnail", token: admin).status
                    == .notFound)
        }
    }

    @Test(
        "the thumbnail is served to an admin, an all-regions viewer and a viewer of the school's region; refused to another region's viewer and a school",
        arguments: StoreKind.allCases)
    func thumbnailFollowsRegions(kind: StoreKind) async throws {
        let picture = try Self.jpeg()
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken(Self.school, name: "School", region: "Astana")
            let now = registry.clock.date
            let beat = Self.heartbeat(
                1, at: now, thumbnail: CameraThumbnail(takenAt: now, jpegData: picture, width: 320, height: 180))
            #expect(try await registry.post(beat.json, token: token).status == .ok)
            let path = "/api/v1/schools/\(Self.school)/cameras/cam-1/thumbnail"
            for principal in [
                Principal(role: .admin), Principal(role: .viewer), Principal(role: .viewer, region: "Astana"),
            ] {
                let response = try await registry.get(path, token: try await registry.token(principal))
                #expect(response.status == .ok, "\(principal)")
                #expect(Data(response.body.readableBytesView) == picture)
            }
            let almaty = try await registry.token(Principal(role: .viewer, region: "Almaty"))
            let refused = try await registry.get(path, token: almaty)
            #expect(refused.status == .notFound)
            #expect(!refused.text.contains("JFIF"))
            #expect(try await registry.get(path, token: token).status == .forbidden)
            #expect(try await registry.get(path, token: nil).status == .unauthorized)
            let admin = try await registry.token(Principal(role: .admin))
            #expect(
                try await registry.get("/api/v1/schools/\(Self.school)/cameras/CAM%2F1/thumbnail", token: admin).status
                    == .notFound)
        }
    }
}
