import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import NIOCore
import Testing

/// The dashboard in real headless Chromium (Debian's package) against the real `kuzet-registry serve`.
/// Screenshots are kept in `.build/registry-screenshots/` for a person to look at.
@Suite("Dashboard in Chromium", .serialized, .timeLimit(.minutes(4)))
struct DashboardBrowserTests {
    static var screenshotDirectory: String {
        let path = PostgresTestServer.repositoryRoot + "/.build/registry-screenshots"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A server with 3 regions, one school not delivering and one offline.
    func populatedServer(_ directory: TemporaryDirectory) throws -> (RegistryProcess, viewer: String) {
        let database = "sqlite:" + directory.file("registry.sqlite")
        let schools: [(String, String, String, CameraReport.DeliveryState)] = [
            ("KZ-AST-0001", "School No. 1", "Astana", .delivering), ("KZ-AST-0002", "Мектеп №2", "Astana", .failing),
            ("KZ-ALA-0001", "Гимназия №12", "Almaty", .delivering),
            ("KZ-SHY-0001", "School No. 7", "Shymkent", .delivering),
        ]
        var tokens: [String: String] = [:]
        for (id, name, region, _) in schools {
            tokens[id] = try RegistryExecutable.createToken([
                "--role", "school", "--school", id, "--name", name, "--region", region, "--database", database,
            ])
        }
        _ = try RegistryExecutable.createToken([
            "--role", "school", "--school", "KZ-ALA-0002", "--name", "Never reported", "--region", "Almaty",
            "--database", database,
        ])
        let viewer = try RegistryExecutable.createToken(["--role", "viewer", "--database", database])
        let server = try RegistryProcess(["--database", database])
        for (id, _, _, push) in schools {
            var sample = Sample(schoolID: id)
            sample.push = push
            let body = String(decoding: sample.heartbeat(1, at: Date()).json, as: UTF8.self)
            let response = try curl([
                "-H", "Authorization: Bearer \(tokens[id]!)", "-H", "Content-Type: application/json", "--data-binary",
                body, server.url + "/api/v1/heartbeats",
            ])
            guard response.status == 200 else { throw TestKitError("heartbeat: \(response.status) \(response.body)") }
        }
        return (server, viewer)
    }

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

    @Test("Chromium renders the region table and a flagged school (DOM and screenshots, laptop and phone)")
    func rendersDashboard() throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-dashboard")
        let (server, viewer) = try populatedServer(directory)
        let profile = try TemporaryDirectory(prefix: "kuzet-chromium")
        let dom = try chromium(["--dump-dom", server.url + "/?token=\(viewer)"], profile: profile)
        #expect(dom.contains("<table id=\"regions\">"))
        #expect(
            dom.contains(
                "Astana</a></td><td class=\"num\">2</td><td class=\"num\">2 <span class=\"pct\">100.0%</span>"),
            "\(dom.prefix(3000))")
        #expect(dom.contains("<td class=\"num\">1 <span class=\"pct\">50.0%</span>"))
        #expect(dom.contains("<span class=\"flag NOT_DELIVERING\""))
        #expect(dom.contains("Мектеп №2"))
        #expect(dom.contains("KZ-ALA-0002") && dom.contains("<span class=\"flag OFFLINE\""))
        #expect(!dom.contains("action=\"/login\""), "the ?token= link signed the browser in")

        for (name, size) in [("dashboard-laptop", "1280,900"), ("dashboard-phone", "390,844")] {
            let file = Self.screenshotDirectory + "/\(name).png"
            try? FileManager.default.removeItem(atPath: file)
            _ = try chromium(
                ["--screenshot=\(file)", "--window-size=\(size)", server.url + "/?token=\(viewer)"], profile: profile)
            let png = try #require(FileManager.default.contents(atPath: file))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
            #expect(png.count > 20_000, "\(name) has content (\(png.count) bytes)")
        }
        let schoolFile = Self.screenshotDirectory + "/school-page.png"
        _ = try chromium(
            [
                "--screenshot=\(schoolFile)", "--window-size=1280,1000",
                server.url + "/schools/KZ-AST-0002?token=\(viewer)",
            ], profile: profile)
        #expect((FileManager.default.contents(atPath: schoolFile)?.count ?? 0) > 20_000)
        let schoolDOM = try chromium(
            ["--dump-dom", server.url + "/schools/KZ-AST-0002?token=\(viewer)"], profile: profile)
        #expect(
            schoolDOM.contains("<table id=\"cameras\">") && schoolDOM.contains("cam-1") && schoolDOM.contains("failing")
        )
    }
}
