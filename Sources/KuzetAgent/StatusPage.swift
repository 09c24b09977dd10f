import Foundation
import KuzetCore

/// The integrator's page (`GET /`): every camera with its snapshot, state and problems in
/// words. Self-contained HTML (no script, font or style from the internet: schools' boxes
/// are often offline), refreshed by the browser every 15 s.
public enum StatusPage {
    public static func html(_ report: StatusReport) -> String {
        let school = escape(report.school.name.map { "\($0) (\(report.school.id))" } ?? report.school.id)
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="15">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Kuzet — \(school)</title>
            <style>
            body{font-family:sans-serif;margin:1.5em;background:#f4f5f7;color:#222}
            h1{font-size:1.4em;margin:0 0 .2em} .meta{color:#555;margin-bottom:1em}
            .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:1em}
            .cam{background:#fff;border-radius:8px;padding:.8em;box-shadow:0 1px 3px #0002}
            .cam img{width:100%;aspect-ratio:16/9;object-fit:contain;background:#111;border-radius:4px}
            .nosnap{width:100%;aspect-ratio:16/9;background:#333;color:#ccc;display:flex;align-items:center;justify-content:center;border-radius:4px}
            .state{font-weight:bold;padding:.1em .5em;border-radius:4px;color:#fff}
            .live{background:#2e7d32}.connecting{background:#f9a825}.offline{background:#c62828}.disabled{background:#757575}
            .problems{color:#b71c1c;margin:.4em 0 0;padding-left:1.2em} .ok{color:#2e7d32}
            table{border-collapse:collapse;font-size:.9em;margin-top:.4em} td{padding:.1em .6em .1em 0}
            </style></head><body>
            <h1>\(school)</h1>
            <div class="meta">\(escape(report.school.region ?? "")) · \(report.cameras.count) cameras · updated \(time(report.generatedAt)) UTC\(boxFacts(report))</div>

            """
        if !report.problems.isEmpty {
            html += "<ul class=\"problems\">" + report.problems.map { "<li>\(escape($0))</li>" }.joined() + "</ul>\n"
        }
        html += "<div class=\"grid\">\n"
        for camera in report.cameras { html += card(camera) }
        html += "</div></body></html>\n"
        return html
    }

    static func card(_ camera: StatusReport.Camera) -> String {
        let id = escape(camera.id)
        let picture =
            camera.state == "live" || camera.hasSnapshot
            ? "<img src=\"/snapshot/\(id)\" alt=\"snapshot of \(id)\">"
            : "<div class=\"nosnap\">no picture: camera \(escape(camera.state))</div>"
        var rows: [(String, String)] = []
        if let codec = camera.codec {
            let size = camera.width.flatMap { w in camera.height.map { "\(w)×\($0)" } } ?? "?"
            rows.append(("Video", "\(codec.uppercased()) \(size)" + (camera.framesPerSecond.map { String(format: " %.0f fps", $0) } ?? "")))
        }
        if let kbps = camera.bitrateKbps { rows.append(("Bitrate", String(format: "%.0f kbit/s", kbps))) }
        if let age = camera.lastFrameAgeSeconds { rows.append(("Last frame", String(format: "%.1f s ago", age))) }
        rows.append(("Recording", camera.recording))
        rows.append(("Live to ЦОУ", camera.push))
        rows.append(("Relay viewers", "\(camera.relayClients)"))
        if let days = camera.daysKept { rows.append(("Footage kept", String(format: "%.1f days (%d segments)", days, camera.segments))) }
        let table = rows.map { "<tr><td>\(escape($0.0))</td><td>\(escape($0.1))</td></tr>" }.joined()
        let problems =
            camera.problems.isEmpty
            ? "<p class=\"ok\">No problems.</p>"
            : "<ul class=\"problems\">" + camera.problems.map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
        return """
            <div class="cam" id="camera-\(id)"><h2>\(id) <span class="state \(escape(camera.state))">\(escape(camera.state))</span></h2>
            \(picture)<table>\(table)</table>\(problems)</div>

            """
    }

    static func boxFacts(_ report: StatusReport) -> String {
        guard let disk = report.disk else { return "" }
        return String(format: " · disk %.1f%% free · keeping %d days", disk.freePercent, disk.retentionDays)
    }

    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }

    /// HTML-escapes text (camera ids are restricted, but names and problems are free text).
    public static func escape(_ text: String) -> String { HTMLText.escape(text) }
}
