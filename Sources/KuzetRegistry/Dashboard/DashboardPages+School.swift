import Foundation
import Hummingbird
import KuzetProtocol

extension DashboardPages {
    func school(_ id: String, _ principal: Principal) async throws -> Response {
        guard let record = try await registry.visibleSchool(id: id, for: principal) else {
            let body = "<h1>School not found</h1><p>No school <code>\(HTML.escape(String(id.prefix(64))))</code> that you may see. <a href=\"/\">Back to the dashboard</a></p>"
            return JSONResponse.text(HTML.page(title: "Not found", principal: principal, body: body), contentType: "text/html; charset=utf-8", status: .notFound)
        }
        let now = registry.now()
        let history = try await registry.store.history(schoolID: record.id, limit: registry.historyLimit)
        let flags = record.flags(at: now, policy: registry.policy)
        var html = "<p><a href=\"/\">← All schools</a></p>\n"
        html += "<h1>\(HTML.escape(record.name ?? record.id)) <span class=\"muted\">\(HTML.escape(record.id))</span></h1>\n"
        html += "<div id=\"school-flags\">"
        html += flags.isEmpty ? "<span class=\"ok\">No problems</span>" : flags.map {
            "\(Self.flagBadge($0)) <span class=\"muted\">since \(HTML.date($0.since))</span><br>"
        }.joined()
        html += "</div>\n"
        let state = record.state
        html += """
            <h2>Facts</h2>
            <dl class="facts">
            <dt>Region</dt><dd>\(HTML.escape(record.region ?? UnknownRegion.name))\(Self.reportedRegion(record.regionMismatch))</dd>
            <dt>Online</dt><dd>\(record.isOnline(at: now, policy: registry.policy) ? "yes" : "no")</dd>
            <dt>Last heartbeat</dt><dd>\(HTML.date(record.lastContactAt))</dd>
            <dt>Agent</dt><dd>\(HTML.escape(state?.agentVersion ?? "—")) · every \(state.map { "\($0.intervalSeconds) s" } ?? "—")</dd>
            <dt>Clock offset</dt><dd>\(state.map { String(format: "%+.0f s", $0.clockSkewSeconds) } ?? "—")</dd>
            <dt>Storage</dt><dd>\(state.map(Self.storage) ?? "—")</dd>
            </dl>

            """
        html += cameraTable(state?.cameras ?? [])
        html += historyTable(history)
        return JSONResponse.text(HTML.page(title: record.name ?? record.id, principal: principal, body: html), contentType: "text/html; charset=utf-8")
    }

    /// What the school's heartbeats name instead of its registered region, if anything.
    static func reportedRegion(_ mismatch: RegionMismatch?) -> String {
        guard let mismatch else { return "" }
        return " <span class=\"muted\">(its heartbeats name \(HTML.escape(mismatch.reported)) — set by the registry, not obeyed)</span>"
    }

    static func storage(_ state: SchoolState) -> String {
        let storage = state.storage
        let free = storage.totalBytes > 0 ? Double(storage.freeBytes) * 100 / Double(storage.totalBytes) : 0
        let gigabytes = { (bytes: Int64) in String(format: "%.0f GB", Double(bytes) / 1e9) }
        return "\(gigabytes(storage.freeBytes)) free of \(gigabytes(storage.totalBytes)) (\(String(format: "%.0f", free))%) · keeps \(storage.retentionDays) days"
    }

    func cameraTable(_ cameras: [CameraState]) -> String {
        var rows = ""
        for camera in cameras {
            let report = camera.report
            let video = [report.codec, report.width.flatMap { w in report.height.map { "\(w)×\($0)" } }, report.fps.map { String(format: "%.0f fps", $0) }]
                .compactMap { $0 }.joined(separator: " ")
            let flags = camera.flags.isEmpty ? "<span class=\"ok\">OK</span>" : camera.flags.map(Self.flagBadge).joined()
            rows += """
                <tr><td>\(HTML.escape(report.id))</td><td>\(flags)</td><td>\(report.recording.rawValue)</td><td>\(report.push.rawValue)\(report.relayClients > 0 ? " · relay \(report.relayClients)" : "")</td>\
                <td class="num">\(report.retention.map { String(format: "%.1f d", $0.achievedDays) } ?? "—")</td><td class="hide-sm">\(HTML.escape(video))</td></tr>\n
                """
        }
        if cameras.isEmpty { rows = "<tr><td colspan=\"6\" class=\"muted\">No heartbeat yet.</td></tr>" }
        return """
            <h2>Cameras</h2>
            <div class="box"><table id="cameras">
            <thead><tr><th>Camera</th><th>Flags</th><th>Recording</th><th>To ЦОУ</th><th class="num">Retention</th><th class="hide-sm">Video</th></tr></thead>
            <tbody>
            \(rows)</tbody></table></div>

            """
    }

    func historyTable(_ history: [HistoryEntry]) -> String {
        var rows = ""
        for entry in history {
            let heartbeat = try? StoredJSON.decode(Heartbeat.self, entry.payload)
            let cameras = heartbeat.map { "\($0.cameras.filter { $0.recording == .recording }.count)/\($0.cameras.count) recording" } ?? "—"
            let events = (heartbeat?.events ?? []).map { "\(HTML.escape($0.kind.rawValue))\($0.camera.map { " (" + HTML.escape($0) + ")" } ?? ""): \(HTML.escape($0.message))" }
                .joined(separator: "<br>")
            rows += """
                <tr><td class="num">\(entry.sequence)</td><td>\(HTML.date(entry.sentAt))</td><td class="hide-sm">\(HTML.date(entry.receivedAt))</td><td>\(cameras)</td><td>\(events)</td></tr>\n
                """
        }
        if history.isEmpty { rows = "<tr><td colspan=\"5\" class=\"muted\">No heartbeats yet.</td></tr>" }
        return """
            <h2>Recent heartbeats</h2>
            <div class="box"><table id="history">
            <thead><tr><th class="num">#</th><th>Sent</th><th class="hide-sm">Received</th><th>Cameras</th><th>Events</th></tr></thead>
            <tbody>
            \(rows)</tbody></table></div>
            """
    }
}
