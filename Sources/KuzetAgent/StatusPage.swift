import Foundation
import KuzetCore

/// The integrator's page (`GET /`): every camera with its snapshot, state and problems in
/// words, in the viewer's language (`text`) with times in `status.time_zone`. Self-contained
/// HTML (no script, font or style from the internet: schools' boxes are often offline),
/// refreshed by the browser every 15 s.
public enum StatusPage {
    public static func html(_ report: StatusReport, text: PageText) -> String {
        let school = escape(report.school.name.map { "\($0) (\(report.school.id))" } ?? report.school.id)
        let meta = text.html(
            "page.meta",
            [
                "region": escape(report.school.region ?? ""), "count": "\(report.cameras.count)",
                "time":
                    "<time datetime=\"\(isoTime(report.generatedAt))\">\(escape(text.time(report.generatedAt)))</time>",
            ])
        var html = """
            <!DOCTYPE html>
            <html lang="\(text.language.rawValue)"><head><meta charset="utf-8"><meta http-equiv="refresh" content="15">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Kuzet — \(school)</title>
            <style>
            body{font-family:sans-serif;margin:1.5em;background:#f4f5f7;color:#222}
            h1{font-size:1.4em;margin:0 0 .2em} .meta{color:#555;margin-bottom:1em}
            nav.languages{float:right} nav.languages a,nav.languages strong{margin-left:.6em}
            .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:1em}
            .cam{background:#fff;border-radius:8px;padding:.8em;box-shadow:0 1px 3px #0002}
            .cam img{width:100%;aspect-ratio:16/9;object-fit:contain;background:#111;border-radius:4px}
            .nosnap{width:100%;aspect-ratio:16/9;background:#333;color:#ccc;display:flex;align-items:center;justify-content:center;border-radius:4px}
            .state{font-weight:bold;padding:.1em .5em;border-radius:4px;color:#fff}
            .live{background:#2e7d32}.connecting{background:#f9a825}.offline{background:#c62828}.disabled{background:#757575}.idle{background:#546e7a}
            .problems{color:#b71c1c;margin:.4em 0 0;padding-left:1.2em} .ok{color:#2e7d32}
            table{border-collapse:collapse;font-size:.9em;margin-top:.4em} td{padding:.1em .6em .1em 0}
            footer{color:#555;font-size:.85em;margin-top:1.5em}
            </style></head><body>
            \(languageSwitch(text.language))
            <h1>\(school)</h1>
            <div class="meta">\(meta)\(boxFacts(report, text))</div>

            """
        let boxProblems = words(report.problems, details: report.problemDetails, text)
        if !boxProblems.isEmpty {
            html += "<ul class=\"problems\">" + boxProblems.map { "<li>\($0)</li>" }.joined() + "</ul>\n"
        }
        html += "<div class=\"grid\">\n"
        for camera in report.cameras { html += card(camera, text) }
        html +=
            "</div>\n<footer>\(text.html("page.footer", ["zone": escape(text.timeZone.label(at: report.generatedAt))]))</footer></body></html>\n"
        return html
    }

    static func card(_ camera: StatusReport.Camera, _ text: PageText) -> String {
        let id = escape(camera.id)
        let state = text.html("state.\(camera.state)")
        let picture =
            camera.state == "live" || camera.hasSnapshot
            ? "<img src=\"/snapshot/\(id)\" alt=\"\(text.html("camera.snapshot_of", ["camera": id]))\">"
            : "<div class=\"nosnap\">\(text.html("camera.no_picture", ["state": state]))</div>"
        var rows: [(String, String)] = []
        if let codec = camera.codec {
            let size = camera.width.flatMap { w in camera.height.map { "\(w)×\($0)" } } ?? "?"
            let fps =
                camera.framesPerSecond.map { " " + text.html("camera.fps", ["fps": String(format: "%.0f", $0)]) } ?? ""
            rows.append(("camera.video", escape("\(codec.uppercased()) \(size)") + fps))
        }
        if let kbps = camera.bitrateKbps {
            rows.append(("camera.bitrate", text.html("camera.kbps", ["kbps": String(format: "%.0f", kbps)])))
        }
        if let age = camera.lastFrameAgeSeconds {
            rows.append(
                ("camera.last_frame", text.html("camera.seconds_ago", ["seconds": String(format: "%.1f", age)])))
        }
        rows.append(("camera.recording", text.html("recording.\(camera.recording)")))
        rows.append(("camera.push", text.html("push.\(camera.push)")))
        rows.append(("camera.relay_viewers", "\(camera.relayClients)"))
        if let days = camera.daysKept {
            rows.append(
                (
                    "camera.kept",
                    text.html(
                        "camera.days_segments",
                        ["days": String(format: "%.1f", days), "segments": "\(camera.segments)"])
                ))
        }
        if let health = camera.health { rows.append(("camera.picture", healthCell(health, camera: id, text))) }
        let table = rows.map { "<tr><td>\(text.html($0.0))</td><td>\($0.1)</td></tr>" }.joined()
        let problems = words(camera.problems, details: camera.problemDetails, text)
        let shown =
            problems.isEmpty
            ? "<p class=\"ok\">\(text.html("camera.no_problems"))</p>"
            : "<ul class=\"problems\">" + problems.map { "<li>\($0)</li>" }.joined() + "</ul>"
        return """
            <div class="cam" id="camera-\(id)"><h2>\(id) <span class="state \(escape(camera.state))">\(state)</span></h2>
            \(picture)<table>\(table)</table>\(shown)</div>

            """
    }

    /// Problems as HTML in the page's language; the report's English words when it has no codes.
    static func words(_ problems: [String], details: [StatusProblem]?, _ text: PageText) -> [String] {
        guard let details, details.count == problems.count else { return problems.map(escape) }
        return details.map { problem in
            let sentence = text.html("problem.\(problem.code.rawValue)", problem.values.mapValues(escape))
            return sentence + (problem.reason.map { " <span class=\"reason\">(\(escape($0)))</span>" } ?? "")
        }
    }

    static func boxFacts(_ report: StatusReport, _ text: PageText) -> String {
        var facts = ""
        if let disk = report.disk {
            facts +=
                " · "
                + text.html(
                    "page.disk", ["free": String(format: "%.1f", disk.freePercent), "days": "\(disk.retentionDays)"])
        }
        if let centre = report.uplink.centre {
            facts +=
                " · "
                + text.html(
                    "page.centre",
                    [
                        "live": "\(Int(centre.liveKbps.rounded()))", "upload": "\(Int(centre.uploadKbps.rounded()))",
                        "max": "\(centre.maxKbps)", "sessions": "\(centre.liveSessions)",
                    ])
        }
        return facts
    }

    /// Links to the page in each language (`?lang=kk`): the agent remembers the choice in a
    /// cookie, so it works without script and survives the page's own refresh.
    static func languageSwitch(_ current: PageLanguage) -> String {
        let links = PageLanguage.allCases.map { language in
            language == current
                ? "<strong lang=\"\(language.rawValue)\">\(language.ownName)</strong>"
                : "<a href=\"/?lang=\(language.rawValue)\" lang=\"\(language.rawValue)\" hreflang=\"\(language.rawValue)\">\(language.ownName)</a>"
        }
        return "<nav class=\"languages\" id=\"languages\">\(links.joined())</nav>"
    }

    static func isoTime(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// HTML-escapes text (camera ids are restricted, but names and problems are free text).
    public static func escape(_ text: String) -> String { HTMLText.escape(text) }
}
