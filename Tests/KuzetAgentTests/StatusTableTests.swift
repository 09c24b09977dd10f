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

/// Issue 22: the page shows what goes to the centre against `centre.max_kbps`.
@Suite struct StatusPageCentreTests {
    @Test func thePageShowsLiveViewsUploadsAndTheBudgetInEachLanguage() {
        var uplink = StatusReport.Uplink(state: "ok", outboxPending: 0)
        uplink.centre = StatusReport.CentreUse(
            maxKbps: 16_000, liveKbps: 4_012.4, uploadKbps: 7_800.6, liveSessions: 1, commands: "polling")
        let report = StatusReport(
            school: .init(id: "KZ-1", name: "School 1"), generatedAt: Date(), uptimeSeconds: 5, cameras: [],
            uplink: uplink, problems: [])
        let expected: [PageLanguage: String] = [
            .en: "centre: live views 1 (4012 kbit/s) · uploads 7801 kbit/s · budget 16000 kbit/s",
            .ru: "ЦОУ: живой просмотр 1 (4012 кбит/с) · выгрузка 7801 кбит/с · бюджет 16000 кбит/с",
            .kk: "орталық: тікелей көрсетілім 1 (4012 кбит/с) · жүктеу 7801 кбит/с · бюджет 16000 кбит/с",
        ]
        for (language, line) in expected {
            let html = StatusPage.html(
                report, text: PageText(language: language, catalogue: StatusText.catalogue, timeZone: .almaty))
            #expect(html.contains(line), "\(language): \(html)")
        }
        var without = report
        without.uplink.centre = nil
        let html = StatusPage.html(
            without, text: PageText(language: .en, catalogue: StatusText.catalogue, timeZone: .almaty))
        #expect(!html.contains("live views"))
    }
}
