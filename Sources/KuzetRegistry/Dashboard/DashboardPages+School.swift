import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import KuzetCore
import KuzetProtocol

extension DashboardPages {
    func school(
        _ id: String, _ principal: Principal, here: URI, session: String? = nil, notice: CommandNotice? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let record = try await registry.visibleSchool(id: id, for: principal) else {
            let body = """
                <h1>\(text.html("school.not_found"))</h1><p>\(text.html("school.not_found_detail", ["id": "<code>\(HTML.escape(String(id.prefix(64))))</code>"])) \
                <a href="/">\(text.html("school.back_to_dashboard"))</a></p>
                """
            return respond(
                title: text.plain("school.not_found"), principal: principal, body: body, here: here, status: .notFound)
        }
        let now = registry.now()
        let history = try await registry.store.history(schoolID: record.id, limit: registry.historyLimit)
        let flags = record.flags(at: now, policy: registry.policy)
        var html = "<p><a href=\"/\">\(text.html("school.all_schools"))</a></p>\n"
        html +=
            "<h1>\(HTML.escape(record.name ?? record.id)) <span class=\"muted\">\(HTML.escape(record.id))</span></h1>\n"
        html += "<div id=\"school-flags\">"
        html +=
            flags.isEmpty
            ? "<span class=\"ok\">\(text.html("school.no_problems"))</span>"
            : flags.map {
                "\(flagBadge($0)) <span class=\"muted\">\(text.html("school.flag_since", ["time": HTML.date($0.since, text)]))</span> "
                    + "<span class=\"muted\">· \(HTML.escape(DashboardText.flagMeaning($0.flag, text)))</span><br>"
            }.joined()
        html += "</div>\n"
        let state = record.state
        let online = record.isOnline(at: now, policy: registry.policy)
        html += """
            <h2>\(text.html("school.facts"))</h2>
            <dl class="facts">
            <dt>\(text.html("regions.region"))</dt><dd>\(regionName(record.region ?? UnknownRegion.name))\(reportedRegion(record.regionMismatch))</dd>
            <dt>\(text.html("school.online"))</dt><dd>\(text.html(online ? "school.yes" : "school.no"))</dd>
            <dt>\(text.html("schools.last_heartbeat"))</dt><dd id="last-heartbeat">\(HTML.date(record.lastContactAt, text))</dd>
            <dt>\(text.html("school.agent"))</dt><dd>\(HTML.escape(state?.agentVersion ?? "—")) · \(state.map { text.html("school.every", ["seconds": "\($0.intervalSeconds)"]) } ?? "—")</dd>
            <dt>\(text.html("school.clock_offset"))</dt><dd>\(state.map { text.html("school.seconds_signed", ["seconds": String(format: "%+.0f", $0.clockSkewSeconds)]) } ?? "—")</dd>
            <dt>\(text.html("school.storage"))</dt><dd>\(state.map(storage) ?? "—")</dd>
            \(try await retentionProofFacts(record.id))</dl>

            """
        let thumbnails = try await registry.store.thumbnailTimes(schoolID: record.id)
        html += cameraTable(state?.cameras ?? [], schoolID: record.id, thumbnails: thumbnails)
        html += try await commandSection(record, principal, session: session, notice: notice)
        html += historyTable(history)
        return respond(title: record.name ?? record.id, principal: principal, body: html, here: here, status: status)
    }

    /// What the school's heartbeats name instead of its registered region, if anything.
    func reportedRegion(_ mismatch: RegionMismatch?) -> String {
        guard let mismatch else { return "" }
        return
            " <span class=\"muted\">(\(text.html("school.reported_region", ["region": HTML.escape(mismatch.reported)])))</span>"
    }

    func storage(_ state: SchoolState) -> String {
        let storage = state.storage
        let free = storage.totalBytes > 0 ? Double(storage.freeBytes) * 100 / Double(storage.totalBytes) : 0
        let gigabytes = { (bytes: Int64) in String(format: "%.0f", Double(bytes) / 1e9) }
        return text.html(
            "school.storage_detail",
            [
                "free": gigabytes(storage.freeBytes), "total": gigabytes(storage.totalBytes),
                "percent": String(format: "%.0f", free), "days": "\(storage.retentionDays)",
            ])
    }

    /// - Parameter thumbnails: issue 23: when each camera with a kept thumbnail took it (shown from
    ///   the API's thumbnail path, which checks the viewer's region again).
    func cameraTable(_ cameras: [CameraState], schoolID: String = "", thumbnails: [String: Date] = [:]) -> String {
        var rows = ""
        for camera in cameras {
            let report = camera.report
            let fps = report.fps.map { text.plain("camera.fps", ["fps": String(format: "%.0f", $0)]) }
            let video = [report.codec, report.width.flatMap { w in report.height.map { "\(w)×\($0)" } }, fps].compactMap
            { $0 }.joined(separator: " ")
            let flags =
                camera.flags.isEmpty
                ? "<span class=\"ok\">\(text.html("flags.ok"))</span>" : camera.flags.map(flagBadge).joined()
            let relay =
                report.relayClients > 0
                ? " · " + text.html("camera.relay_clients", ["count": "\(report.relayClients)"]) : ""
            let retention =
                report.retention.map { text.html("camera.days", ["days": String(format: "%.1f", $0.achievedDays)]) }
                ?? "—"
            rows += """
                <tr><td>\(HTML.escape(report.id))</td><td>\(flags)</td><td>\(text.html("recording.\(report.recording.rawValue)"))</td>\
                <td>\(text.html("delivery.\(report.push.rawValue)"))\(relay)</td>\
                <td class="num">\(retention)</td><td class="hide-sm">\(HTML.escape(video))</td>\
                <td>\(picture(report, schoolID: schoolID, takenAt: thumbnails[report.id]))</td></tr>\n
                """
        }
        if cameras.isEmpty {
            rows = "<tr><td colspan=\"7\" class=\"muted\">\(text.html("camera.no_heartbeat"))</td></tr>"
        }
        return """
            <h2>\(text.html("camera.heading"))</h2>
            <div class="box"><table id="cameras">
            <thead><tr><th>\(text.html("camera.camera"))</th><th>\(text.html("schools.flags"))</th><th>\(text.html("camera.recording"))</th>\
            <th>\(text.html("camera.to_centre"))</th><th class="num">\(text.html("camera.retention"))</th><th class="hide-sm">\(text.html("camera.video"))</th><th>\(text.html("camera.picture"))</th></tr></thead>
            <tbody>
            \(rows)</tbody></table></div>

            """
    }

    /// Issue 23: the picture-health reasons of a flagged camera, and its latest thumbnail if one is kept.
    func picture(_ report: CameraReport, schoolID: String, takenAt: Date?) -> String {
        var html = ""
        if let health = report.health, health.state == .flagged {
            let reasons = health.reasons.map { text.plain("health.reason.\($0.rawValue)") }.joined(separator: ", ")
            html += "<span class=\"reasons\">\(HTML.escape(reasons))</span>"
        }
        if let takenAt {
            let source = "/api/v1/schools/\(HTML.query(schoolID))/cameras/\(HTML.query(report.id))/thumbnail"
            let alt = text.plain("camera.thumbnail_alt", ["camera": report.id])
            html +=
                (html.isEmpty ? "" : "<br>")
                + "<img class=\"thumbnail\" src=\"\(HTML.escape(source))\" alt=\"\(HTML.escape(alt))\" width=\"160\">"
                + "<br><span class=\"muted\">\(HTML.date(takenAt, text))</span>"
        }
        return html.isEmpty ? "—" : html
    }

    func historyTable(_ history: [HistoryEntry]) -> String {
        var rows = ""
        for entry in history {
            let heartbeat = try? StoredJSON.decode(Heartbeat.self, entry.payload)
            let cameras =
                heartbeat.map {
                    text.html(
                        "history.recording_count",
                        [
                            "recording": "\($0.cameras.filter { $0.recording == .recording }.count)",
                            "cameras": "\($0.cameras.count)",
                        ])
                } ?? "—"
            // The agent's events are its own words (English), shown as sent.
            let events = (heartbeat?.events ?? []).map {
                "\(HTML.escape($0.kind.rawValue))\($0.camera.map { " (" + HTML.escape($0) + ")" } ?? ""): \(HTML.escape($0.message))"
            }
            .joined(separator: "<br>")
            rows += """
                <tr><td class="num">\(entry.sequence)</td><td>\(HTML.date(entry.sentAt, text))</td><td class="hide-sm">\(HTML.date(entry.receivedAt, text))</td><td>\(cameras)</td><td>\(events)</td></tr>\n
                """
        }
        if history.isEmpty { rows = "<tr><td colspan=\"5\" class=\"muted\">\(text.html("history.none"))</td></tr>" }
        return """
            <h2>\(text.html("history.heading"))</h2>
            <div class="box"><table id="history">
            <thead><tr><th class="num">#</th><th>\(text.html("history.sent"))</th><th class="hide-sm">\(text.html("history.received"))</th>\
            <th>\(text.html("camera.heading"))</th><th>\(text.html("history.events"))</th></tr></thead>
            <tbody>
            \(rows)</tbody></table></div>
            """
    }
}
