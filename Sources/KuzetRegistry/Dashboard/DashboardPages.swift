import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import KuzetCore
import KuzetProtocol

/// The dashboard's pages, rendered from the store, in the viewer's language and the
/// registry's zone (`text`).
struct DashboardPages {
    let registry: Registry
    let text: PageText
    static let pageSize = 50

    func home(_ request: Request, _ principal: Principal) async throws -> Response {
        let parameters = request.uri.queryParameters
        let now = registry.now()
        var region = parameters.get("region").flatMap { $0.isEmpty ? nil : $0 }
        if let limited = principal.readableRegion { region = limited }
        let flag = parameters.get("flag").flatMap { SchoolFlag(rawValue: $0) }
        let offset = max(0, min(parameters.get("offset").flatMap(Int.init) ?? 0, 10_000_000))
        let report = try await registry.report(region: principal.readableRegion, at: now)
        let page = try await registry.store.schools(
            SchoolQuery(region: region, flag: flag, limit: Self.pageSize, offset: offset), at: now,
            policy: registry.policy)

        var html = "<h1>\(text.html("home.heading"))</h1>\n"
        html +=
            "<p class=\"muted\">\(text.html("home.summary", ["time": HTML.date(now, text), "intervals": Self.number(registry.policy.offlineAfterIntervals), "days": Self.number(registry.policy.minimumRetentionDays)])) "
        html +=
            "<a href=\"/api/v1/report?format=csv&amp;lang=\(text.language.rawValue)\">\(text.html("home.csv"))</a> · "
        html += "<a href=\"/fleet\">\(text.html("fleet.heading"))</a></p>\n"
        html += regionTable(report)
        html +=
            "<h2 id=\"schools\">\(region.map { text.html("home.schools_in", ["region": HTML.escape($0)]) } ?? text.html("home.schools"))</h2>\n"
        html += filters(region: region, flag: flag)
        html += schoolTable(page.schools, now: now)
        html += pager(total: page.total, offset: offset, shown: page.schools.count, region: region, flag: flag)
        return respond(title: text.plain("home.title"), principal: principal, body: html, here: request.uri)
    }

    func respond(title: String, principal: Principal?, body: String, here: URI, status: HTTPResponse.Status = .ok)
        -> Response
    {
        JSONResponse.text(
            HTML.page(title: title, principal: principal, body: body, text: text, here: here),
            contentType: "text/html; charset=utf-8", status: status,
            headers: [.vary: "Accept-Language, Cookie"])
    }

    func regionTable(_ report: RegistryReport) -> String {
        var rows = ""
        for counts in report.regions + (report.regions.count > 1 ? [report.total] : []) {
            let isTotal = counts.region == report.total.region && counts == report.total
            let name =
                isTotal
                ? text.html("regions.all")
                : "<a href=\"/?region=\(HTML.query(counts.region))#schools\">\(regionName(counts.region))</a>"
            rows += """
                <tr\(isTotal ? " class=\"total\"" : "")><td>\(name)</td><td class="num">\(counts.schools)</td>\
                \(cell(counts.online, counts))\(cell(counts.delivering, counts))\(cell(counts.retentionCompliant, counts))\(cell(counts.retentionProven, counts))</tr>\n
                """
        }
        if report.regions.isEmpty {
            rows = "<tr><td colspan=\"6\" class=\"muted\">\(text.html("regions.none"))</td></tr>"
        }
        return """
            <div class="box"><table id="regions">
            <thead><tr><th>\(text.html("regions.region"))</th><th class="num">\(text.html("regions.schools"))</th><th class="num">\(text.html("regions.online"))</th>\
            <th class="num">\(text.html("regions.delivering"))</th><th class="num">\(text.html("regions.keeping", ["days": Self.number(registry.policy.minimumRetentionDays)]))</th>\
            <th class="num">\(text.html("regions.proven"))</th></tr></thead>
            <tbody>
            \(rows)</tbody></table></div>
            """
    }

    /// A region's name as registered; the registry's "(none)" in words.
    func regionName(_ region: String) -> String {
        region == UnknownRegion.name ? text.html("regions.unknown") : HTML.escape(region)
    }

    func cell(_ part: Int, _ counts: RegionCounts) -> String {
        let percent = counts.percent(part)
        let level = percent >= 90 ? "" : percent >= 70 ? " warn" : " bad"
        return
            "<td class=\"num\">\(part) <span class=\"pct\">\(HTML.percent(percent))</span><span class=\"bar\(level)\"><i style=\"width:\(Int(percent.rounded()))%\"></i></span></td>"
    }

    func filters(region: String?, flag: SchoolFlag?) -> String {
        let regionQuery = region.map { "region=\(HTML.query($0))&" } ?? ""
        var links =
            "<a href=\"/?\(regionQuery)#schools\"\(flag == nil ? " class=\"on\"" : "")>\(text.html("filters.all"))</a>"
        for candidate in SchoolFlag.allCases {
            links +=
                "<a href=\"/?\(regionQuery)flag=\(candidate.rawValue)#schools\"\(candidate == flag ? " class=\"on\"" : "")"
            links +=
                " title=\"\(HTML.escape(DashboardText.flagMeaning(candidate, text)))\">\(DashboardText.flagName(candidate, text))</a>"
        }
        return "<nav class=\"filters\">\(links)</nav>\n"
    }

    func schoolTable(_ schools: [SchoolListing], now: Date) -> String {
        var rows = ""
        for school in schools {
            let flags = school.flags(at: now, policy: registry.policy)
            let shown =
                flags.isEmpty ? "<span class=\"ok\">\(text.html("flags.ok"))</span>" : flags.map(flagBadge).joined()
            rows += """
                <tr><td><a href="/schools/\(HTML.query(school.id))">\(HTML.escape(school.id))</a></td><td>\(HTML.escape(school.name ?? "—"))</td>\
                <td class="hide-sm">\(regionName(school.region ?? UnknownRegion.name))</td><td>\(shown)</td>\
                <td class="hide-sm">\(HTML.date(school.lastContactAt, text))</td></tr>\n
                """
        }
        if schools.isEmpty { rows = "<tr><td colspan=\"5\" class=\"muted\">\(text.html("schools.none"))</td></tr>" }
        return """
            <div class="box"><table id="school-list">
            <thead><tr><th>\(text.html("schools.school"))</th><th>\(text.html("schools.name"))</th><th class="hide-sm">\(text.html("regions.region"))</th>\
            <th>\(text.html("schools.flags"))</th><th class="hide-sm">\(text.html("schools.last_heartbeat"))</th></tr></thead>
            <tbody>
            \(rows)</tbody></table></div>
            """
    }

    func pager(total: Int, offset: Int, shown: Int, region: String?, flag: SchoolFlag?) -> String {
        var base = "/?"
        if let region { base += "region=\(HTML.query(region))&" }
        if let flag { base += "flag=\(flag.rawValue)&" }
        let range = text.html(
            "pager.range",
            ["first": "\(shown == 0 ? 0 : offset + 1)", "last": "\(offset + shown)", "total": "\(total)"])
        var html = "<div class=\"pager\"><span class=\"muted\">\(range)</span>"
        if offset > 0 {
            html +=
                "<a href=\"\(base)offset=\(max(0, offset - Self.pageSize))#schools\">\(text.html("pager.previous"))</a>"
        }
        if offset + shown < total {
            html += "<a href=\"\(base)offset=\(offset + shown)#schools\">\(text.html("pager.next"))</a>"
        }
        return html + "</div>\n"
    }

    /// A set flag: its name in the viewer's language (the class keeps the code), what it means
    /// and since when on hover.
    func flagBadge(_ mark: FlagMark) -> String {
        let title = text.plain(
            "flag.since", ["meaning": DashboardText.flagMeaning(mark.flag, text), "time": text.time(mark.since)])
        return
            "<span class=\"flag \(mark.flag.rawValue)\" title=\"\(HTML.escape(title))\">\(DashboardText.flagName(mark.flag, text))</span>"
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
