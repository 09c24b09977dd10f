import Foundation
import KuzetProtocol
import KuzetTestKit
import Testing

/// Issue 23, must-show 4: a school's page in real headless Chromium against the real
/// `kuzet-registry serve` shows each camera's latest picture to an admin and to a viewer of its
/// region — the browser fetches it (the access log has its 200) — and refuses it to another region's viewer.
@Suite("Thumbnails in Chromium", .serialized, .timeLimit(.minutes(4)))
struct ThumbnailBrowserTests {
    func chromium(_ arguments: [String], profile: TemporaryDirectory) throws -> String {
        let (status, output) = try run(
            "chromium",
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
                "--hide-scrollbars",
            ] + arguments,
            timeout: 120)
        guard status == 0 else { throw TestKitError("chromium failed (\(status)): \(output.suffix(800))") }
        return output
    }

    func thumbnailFetches(_ server: RegistryProcess, camera: String) -> Int {
        server.process.output.split(separator: "\n").filter {
            $0.contains("kuzet.registry.access")
                && $0.contains("GET /api/v1/schools/KZ-AST-0001/cameras/\(camera)/thumbnail 200")
        }.count
    }

    @Test(
        "admin and the region's viewer see each camera's thumbnail on the school page; another region's viewer is refused"
    )
    func thumbnailsOnSchoolPage() throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-thumbnails")
        let database = "sqlite:" + directory.file("registry.sqlite")
        let school = try RegistryExecutable.createToken([
            "--role", "school", "--school", "KZ-AST-0001", "--name", "School No. 1", "--region", "Astana",
            "--database", database,
        ])
        let admin = try RegistryExecutable.createToken(["--role", "admin", "--database", database])
        let astana = try RegistryExecutable.createToken([
            "--role", "viewer", "--region", "Astana", "--database", database,
        ])
        let almaty = try RegistryExecutable.createToken([
            "--role", "viewer", "--region", "Almaty", "--database", database,
        ])
        let server = try RegistryProcess(["--database", database, "--access-log", "all"])

        var heartbeat = Sample(schoolID: "KZ-AST-0001", region: "Astana").heartbeat(1, at: Date())
        let pictures = try [PictureHealthTests.jpeg(), PictureHealthTests.jpeg(width: 320, height: 240, quality: 5)]
        heartbeat.cameras[0].thumbnail = CameraThumbnail(
            takenAt: Date(), jpegData: pictures[0], width: 320, height: 180)
        heartbeat.cameras[1].thumbnail = CameraThumbnail(
            takenAt: Date(), jpegData: pictures[1], width: 320, height: 240)
        heartbeat.cameras[1].health = CameraHealthReport(state: .flagged, reasons: [.blurred], since: Date())
        let posted = try curl([
            "-H", "Authorization: Bearer \(school)", "-H", "Content-Type: application/json", "--data-binary",
            String(decoding: heartbeat.json, as: UTF8.self), server.url + "/api/v1/heartbeats",
        ])
        try #require(posted.status == 200, "heartbeat: \(posted.status) \(posted.body)")

        var fetched = 0
        for (who, token) in [("admin", admin), ("Astana viewer", astana)] {
            let profile = try TemporaryDirectory(prefix: "kuzet-chromium")
            let dom = try chromium(
                ["--dump-dom", server.url + "/schools/KZ-AST-0001?token=\(token)&lang=en"], profile: profile)
            for camera in ["cam-1", "cam-2"] {
                #expect(
                    dom.contains(
                        "<img class=\"thumbnail\" src=\"/api/v1/schools/KZ-AST-0001/cameras/\(camera)/thumbnail\""),
                    "\(who): \(dom.suffix(2500))")
            }
            #expect(dom.contains("<span class=\"reasons\">blurred</span>"), "\(who)")
            fetched += 1
            #expect(
                eventually(timeout: 5) { thumbnailFetches(server, camera: "cam-1") >= fetched }
                    && thumbnailFetches(server, camera: "cam-2") >= fetched,
                "\(who): Chromium fetched both pictures (200): \(server.process.output.suffix(1500))")
        }
        let shot = try TemporaryDirectory(prefix: "kuzet-chromium")
        let screenshot = DashboardBrowserTests.screenshotDirectory + "/school-thumbnails.png"
        _ = try chromium(
            [
                "--window-size=1280,900", "--screenshot=\(screenshot)",
                server.url + "/schools/KZ-AST-0001?token=\(admin)&lang=en",
            ], profile: shot)
        #expect(FileManager.default.fileExists(atPath: screenshot))

        let before = thumbnailFetches(server, camera: "cam-1")
        let profile = try TemporaryDirectory(prefix: "kuzet-chromium")
        let refused = try chromium(
            ["--dump-dom", server.url + "/schools/KZ-AST-0001?token=\(almaty)&lang=en"], profile: profile)
        #expect(!refused.contains("class=\"thumbnail\""), "\(refused.suffix(1500))")
        #expect(!refused.contains("School No. 1"))
        let direct = try curl([
            "-H", "Authorization: Bearer \(almaty)", server.url + "/api/v1/schools/KZ-AST-0001/cameras/cam-1/thumbnail",
        ])
        #expect(direct.status == 404)
        #expect(thumbnailFetches(server, camera: "cam-1") == before, "no picture went to the Almaty viewer")
    }
}
