import Foundation
import KuzetAgent
import KuzetCore
import Testing

@Suite struct StatusTableTests {
    @Test func listsEachCameraOnOneLineWithItsProblemsBelow() {
        var live = StatusReport.Camera(id: "entrance", state: "live")
        live.codec = "h264"
        live.width = 1920
        live.height = 1080
        live.framesPerSecond = 25
        live.recording = "recording"
        var down = StatusReport.Camera(id: "yard", state: "offline")
        down.problems = ["no video for 95 s — check the camera"]
        let report = StatusReport(
            school: .init(id: "KZ-1", name: "School 1"), generatedAt: Date(), uptimeSeconds: 5, cameras: [live, down],
            uplink: .init(state: "ok", outboxPending: 0), problems: [])
        let lines = StatusTable.render(report).split(separator: "\n").map(String.init)
        #expect(lines[0] == "School 1 (KZ-1) — PROBLEMS")
        #expect(lines[1].hasPrefix("CAMERA"))
        #expect(lines[2].hasPrefix("entrance  live     h264 1920x1080  25"))
        #expect(lines[3].hasPrefix("yard      offline"))
        #expect(lines.contains("problem: camera yard: no video for 95 s — check the camera"))
    }

    @Test func pageEscapesFreeText() {
        #expect(StatusPage.escape("<b>\"x\" & 'y'</b>") == "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;")
    }
}
