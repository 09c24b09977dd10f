import Foundation
import KuzetAgent
import KuzetTestKit
import Testing

@Suite(.serialized, .timeLimit(.minutes(3)))
struct StatusPageBrowserTests {
    static var chromium: String {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        } ?? "chromium"
    }

    /// A real headless Chromium opens the page as an integrator's laptop would: the screenshot is
    /// kept (KUZET_SCREENSHOT_DIR, else the test's temp folder) for a human to look at.
    @Test func headlessChromiumShowsEveryCameraWithItsSnapshot() async throws {
        let agent = try await StatusTestAgent()
        defer { agent.stop() }
        let folder = ProcessInfo.processInfo.environment["KUZET_SCREENSHOT_DIR"] ?? agent.directory.path
        let screenshot = (folder as NSString).appendingPathComponent("status-page.png")
        try? FileManager.default.removeItem(atPath: screenshot)
        let common = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--user-data-dir=\(agent.directory.file("chromium"))", "--virtual-time-budget=8000",
        ]
        let (status, output) = try await offPool {
            try run(
                Self.chromium, common + ["--window-size=1280,900", "--screenshot=\(screenshot)", agent.baseURL + "/"],
                timeout: 90)
        }
        #expect(status == 0, "chromium: \(output)")
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
        #expect(png.count > 50_000, "a page with pictures, not a blank one (\(png.count) bytes)")
        #expect(await agent.snapshots.taken >= 1, "the browser loaded the camera's snapshot")

        let (_, dom) = try await offPool {
            try run(Self.chromium, common + ["--dump-dom", agent.baseURL + "/"], timeout: 90)
        }
        #expect(dom.contains("id=\"camera-entrance\""))
        #expect(dom.contains("<img src=\"/snapshot/entrance\""))
        #expect(dom.contains("id=\"camera-yard\""))
        #expect(dom.contains("no picture: camera offline"))
        #expect(dom.contains("no video for"), "the offline camera's problem in words")
        #expect(!dom.contains(StatusTestAgent.cameraPassword))
    }
}
