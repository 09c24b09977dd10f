import Foundation
import KuzetCore

/// Minimal server-side HTML: escaping and the page frame. No script, no external resources.
enum HTML {
    static func escape(_ text: String) -> String { HTMLText.escape(text) }

    /// Percent-encodes a query value.
    static func query(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    static func date(_ date: Date?) -> String {
        guard let date else { return "—" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        return formatter.string(from: date) + " UTC"
    }

    static func percent(_ value: Double) -> String { String(format: "%.1f%%", value) }

    static func page(title: String, principal: Principal?, body: String) -> String {
        var who = ""
        if let principal {
            let scope = principal.readableRegion.map { " · " + escape($0) } ?? ""
            who = """
                <form method="post" action="/logout" class="who"><span>\(principal.role.rawValue)\(scope)</span> <button type="submit">Log out</button></form>
                """
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · Kuzet registry</title>
            <style>\(DashboardStyle.css)</style>
            </head><body>
            <header><a href="/" class="brand">Kuzet registry</a>\(who)</header>
            <main>
            \(body)
            </main>
            <footer>Kuzet · school CCTV → ЦОУ · times in UTC</footer>
            </body></html>
            """
    }
}
