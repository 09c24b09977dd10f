import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
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

    /// A moment in the page's zone, the zone shown (`2026-12-05 05:35:36 UTC+5`); "—" for none.
    static func date(_ date: Date?, _ text: PageText) -> String {
        guard let date else { return "—" }
        return "<time datetime=\"\(WireDateFormat.format(date))\">\(escape(text.time(date)))</time>"
    }

    static func percent(_ value: Double) -> String { String(format: "%.1f%%", value) }

    /// The page frame. `here` is the page's path and query, for the language switch's links.
    static func page(title: String, principal: Principal?, body: String, text: PageText, here: URI) -> String {
        var who = ""
        if let principal {
            let scope = principal.readableRegion.map { " · " + escape($0) } ?? ""
            who = """
                <form method="post" action="/logout" class="who"><span>\(text.html("role.\(principal.role.rawValue)"))\(scope)</span> <button type="submit">\(text.html("page.log_out"))</button></form>
                """
        }
        return """
            <!doctype html>
            <html lang="\(text.language.rawValue)"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · \(text.html("page.brand"))</title>
            <style>\(DashboardStyle.css)</style>
            </head><body>
            <header><a href="/" class="brand">\(text.html("page.brand"))</a>\(languageSwitch(text.language, here: here))\(who)</header>
            <main>
            \(body)
            </main>
            <footer>\(text.html("page.footer", ["zone": escape(text.timeZone.label(at: Date()))]))</footer>
            </body></html>
            """
    }

    /// Links to the same page in each language (`?lang=kk`): the server remembers the choice in a
    /// cookie, so it works without script and survives a reload.
    static func languageSwitch(_ current: PageLanguage, here: URI) -> String {
        let kept = here.queryParameters.filter { $0.key != "lang" && $0.key != "token" }
            .map { "\(query(String($0.key)))=\(query(String($0.value)))&" }.joined()
        let links = PageLanguage.allCases.map { language in
            language == current
                ? "<strong lang=\"\(language.rawValue)\">\(language.ownName)</strong>"
                : "<a href=\"\(here.path)?\(escape(kept))lang=\(language.rawValue)\" lang=\"\(language.rawValue)\" hreflang=\"\(language.rawValue)\">\(language.ownName)</a>"
        }
        return "<nav class=\"languages\" id=\"languages\">\(links.joined(separator: " "))</nav>"
    }
}
