import Foundation
import Hummingbird
import KuzetProtocol

/// The dashboard's pages, rendered from the store.
struct DashboardPages {
    let registry: Registry
    static let pageSize = 50

    func home(_ request: Request, _ principal: Principal) async throws -> Response {
        let parameters = request.uri.queryParameters
        let now = registry.now()
        var region = parameters.get("region").flatMap { $0.isEmpty ? nil : $0 }
        if let limited = principal.readableRegion { region = limited }
        let flag = parameters.get("flag").flatMap { SchoolFlag(rawValue: $0) }
        let offset = max(0, min(parameters.get("offset").flatMap(Int.init) ?? 0, 10_000_000))
        let report = try await registry.store.report(region: principal.readableRegion, at: now, policy: registry.policy)
        let page = try await registry.store.schools(
            SchoolQuery(region: region, flag: flag, limit: Self.pageSize, offset: offset), at: now, policy: registry.policy)

        var html = "<h1>Schools connected to the ЦОУ</h1>\n"
        html += "<p class=\"muted\">As of \(HTML.date(now)). Online: a heartbeat within \(Self.number(registry.policy.offlineAfterIntervals)) intervals. Retention: ≥ \(Self.number(registry.policy.minimumRetentionDays)) days.</p>\n"
        html += regionTable(report)
        html += try await fleetTable(region: principal.readableRegion)
        html += "<h2 id=\"schools\">Schools\(region.map { " in " + HTML.escape($0) } ?? "")</h2>\n"
        html += filters(region: region, flag: flag)
        html += schoolTable(page.schools, now: now)
        html += pager(total: page.total, offset: offset, shown: page.schools.count, region: region, flag: flag)
        return JSONResponse.text(HTML.page(title: "Dashboard", principal: principal, body: html), contentType: "text/html; charset=utf-8")
    }

    func regionTable(_ report: RegistryReport) -> String {
        var rows = ""
        for counts in report.regions + (report.regions.count > 1 ? [report.total] : []) {
            let isTotal = counts.region == report.total.region && counts == report.total
            let name = isTotal ? "All regions" : "<a href=\"/?region=\(HTML.query(counts.region))#schools\">\(HTML.escape(counts.region))</a>"
            rows += """
                <tr\(isTotal ? " class=\"total\"" : "")><td>\(name)</td><td class="num">\(counts.schools)</td>\
                \(cell(counts.online, counts))\(cell(counts.delivering, counts))\(cell(counts.retentionCompliant, counts))</tr>\n
                """
        }
        if report.regions.isEmpty { rows = "<tr><td colspan=\"5\" class=\"muted\">No schools registered yet.</td></tr>" }
        return """
            <div class="box"><table id="regions">
            <thead><tr><th>Region</th><th class="num">Schools</th><th class="num">Online</th><th class="num">Delivering to ЦОУ</th><th class="num">Keeping ≥ \(Self.number(registry.policy.minimumRetentionDays)) days</th></tr></thead>
            <tbody>
            \(rows)</tbody></table></div>
            """
    }

    func cell(_ part: Int, _ counts: RegionCounts) -> String {
        let percent = counts.percent(part)
        let level = percent >= 90 ? "" : percent >= 70 ? " warn" : " bad"
        return "<td class=\"num\">\(part) <span class=\"pct\">\(HTML.percent(percent))</span><span class=\"bar\(level)\"><i style=\"width:\(Int(percent.rounded()))%\"></i></span></td>"
    }

    func filters(region: String?, flag: SchoolFlag?) -> String {
        let regionQuery = region.map { "region=\(HTML.query($0))&" } ?? ""
        var links = "<a href=\"/?\(regionQuery)#schools\"\(flag == nil ? " class=\"on\"" : "")>All</a>"
        for candidate in SchoolFlag.allCases {
            links += "<a href=\"/?\(regionQuery)flag=\(candidate.rawValue)#schools\"\(candidate == flag ? " class=\"on\"" : "")>\(candidate.rawValue)</a>"
        }
        return "<nav class=\"filters\">\(links)</nav>\n"
    }

    func schoolTable(_ schools: [SchoolListing], now: Date) -> String {
        var rows = ""
        for school in schools {
            let flags = school.flags(at: now, policy: registry.policy)
            let shown = flags.isEmpty ? "<span class=\"ok\">OK</span>" : flags.map(Self.flagBadge).joined()
            rows += """
                <tr><td><a href="/schools/\(HTML.query(school.id))">\(HTML.escape(school.id))</a></td><td>\(HTML.escape(school.name ?? "—"))</td>\
                <td class="hide-sm">\(HTML.escape(school.region ?? UnknownRegion.name))</td><td>\(shown)</td>\
                <td class="hide-sm">\(HTML.date(school.lastContactAt))</td></tr>\n
                """
        }
        if schools.isEmpty { rows = "<tr><td colspan=\"5\" class=\"muted\">No schools match.</td></tr>" }
        return """
            <div class="box"><table id="school-list">
            <thead><tr><th>School</th><th>Name</th><th class="hide-sm">Region</th><th>Flags</th><th class="hide-sm">Last heartbeat</th></tr></thead>
            <tbody>
            \(rows)</tbody></table></div>
            """
    }

    func pager(total: Int, offset: Int, shown: Int, region: String?, flag: SchoolFlag?) -> String {
        var base = "/?"
        if let region { base += "region=\(HTML.query(region))&" }
        if let flag { base += "flag=\(flag.rawValue)&" }
        var html = "<div class=\"pager\"><span class=\"muted\">\(shown == 0 ? 0 : offset + 1)–\(offset + shown) of \(total)</span>"
        if offset > 0 { html += "<a href=\"\(base)offset=\(max(0, offset - Self.pageSize))#schools\">← Previous</a>" }
        if offset + shown < total { html += "<a href=\"\(base)offset=\(offset + shown)#schools\">Next →</a>" }
        return html + "</div>\n"
    }

    static func flagBadge(_ mark: FlagMark) -> String {
        "<span class=\"flag \(mark.flag.rawValue)\" title=\"since \(HTML.date(mark.since))\">\(mark.flag.rawValue)</span>"
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
