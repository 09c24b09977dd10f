import Foundation
import KuzetProtocol
import KuzetTestKit
import Testing

/// The dashboard half of issue 22 in real headless Chromium against the real `kuzet-registry serve`:
/// an operator clicks "Start live view" on a school's page and the command is pending for the agent.
@Suite("Commands in Chromium", .serialized, .timeLimit(.minutes(4)))
struct CommandBrowserTests {
    @Test("An operator clicks Start live view in Chromium: the page lists it pending and the agent's poll gets it")
    func operatorClicksLive() throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-command-browser")
        let database = "sqlite:" + directory.file("registry.sqlite")
        let school = try RegistryExecutable.createToken([
            "--role", "school", "--school", "KZ-AST-0042", "--name", "School 42", "--region", "Astana",
            "--database", database,
        ])
        let operatorToken = try RegistryExecutable.createToken([
            "--role", "operator", "--region", "Astana", "--database", database,
        ])
        let viewer = try RegistryExecutable.createToken(["--role", "viewer", "--database", database])
        let server = try RegistryProcess([
            "--database", database, "--evidence-dir", directory.file("evidence"),
        ])
        let body = String(decoding: Sample(schoolID: "KZ-AST-0042").heartbeat(1, at: Date()).json, as: UTF8.self)
        let beat = try curl([
            "-H", "Authorization: Bearer \(school)", "-H", "Content-Type: application/json", "--data-binary", body,
            server.url + "/api/v1/heartbeats",
        ])
        #expect(beat.status == 200)

        let profile = try TemporaryDirectory(prefix: "kuzet-chromium")
        let browser = try HeadlessBrowser(profile: profile.path)
        try browser.navigate(server.url + "/?token=\(operatorToken)&lang=en")
        try browser.navigate(server.url + "/schools/KZ-AST-0042")
        let before = try browser.html()
        #expect(
            before.contains("id=\"live-form\"") && before.contains("<option>cam-2</option>"), "\(before.suffix(3000))")
        #expect(before.contains("No commands yet."))
        try browser.click("#live-form select[name=stream]", waitForLoad: false)
        let clicked = Date()
        try browser.click("#live-submit")
        let after = try browser.html()
        #expect(
            after.contains("<td class=\"state pending\">waiting for the school</td>"),
            "\(after.suffix(1500))\n\(server.process.output.suffix(3000))")
        try browser.screenshot(to: DashboardBrowserTests.screenshotDirectory + "/school-commands-live.png")

        let polled = try curl([
            "-H", "Authorization: Bearer \(school)", server.url + "/api/v1/agent/commands?wait=0",
        ])
        let commands =
            (try JSONSerialization.jsonObject(with: Data(polled.body.utf8)) as? [String: Any])?["commands"]
            as? [[String: Any]] ?? []
        #expect(commands.count == 1, "\(polled)")
        #expect(commands.first?["kind"] as? String == "live" && commands.first?["camera"] as? String == "cam-1")
        #expect(commands.first?["duration_seconds"] as? Int == 300 && commands.first?["stream"] as? String == "main")
        #expect((commands.first?["issued_by"] as? String)?.hasPrefix("operator/Astana/") == true)
        print(
            "dashboard click → command pending for the agent: \(String(format: "%.0f", Date().timeIntervalSince(clicked) * 1000)) ms (click, page load, agent poll)"
        )

        // A viewer sees the list but no forms; a form from elsewhere (no CSRF token) is refused.
        let viewerPage = try curl(["-H", "Cookie: kuzet_session=\(viewer)", server.url + "/schools/KZ-AST-0042"])
        #expect(viewerPage.status == 200 && !viewerPage.body.contains("live-form") && viewerPage.body.contains("cam-1"))
        let forged = try curl([
            "-H", "Cookie: kuzet_session=\(operatorToken)", "-H", "Origin: https://evil.example",
            "--data", "kind=live&camera=cam-1&minutes=5", server.url + "/schools/KZ-AST-0042/commands",
        ])
        #expect(forged.status == 403, "\(forged.status)")
        let noToken = try curl([
            "-H", "Cookie: kuzet_session=\(operatorToken)", "--data", "kind=live&camera=cam-1&minutes=5&csrf=0123",
            server.url + "/schools/KZ-AST-0042/commands",
        ])
        #expect(noToken.status == 403, "a wrong CSRF token without Origin: \(noToken.status)")
    }
}
