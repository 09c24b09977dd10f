import Foundation
import KuzetCore

/// A school's commands on its page (issue 22): for an operator or admin, forms to start live view,
/// request a clip or a snapshot (plain HTML forms: no script); for everyone who reads the school,
/// the commands with their state and, once arrived, the clip to download.
extension DashboardPages {
    func commandSection(_ record: SchoolRecord, _ principal: Principal, session: String?, notice: CommandNotice?)
        async throws -> String
    {
        let commands = try await registry.store.commands(schoolID: record.id, limit: 20)
        let now = registry.now()
        var html = "<h2 id=\"commands\">\(text.html("command.heading"))</h2>\n"
        switch notice {
        case .issued(let id):
            html +=
                "<p class=\"ok\" id=\"command-notice\">\(text.html("command.issued", ["id": HTML.escape(id)]))</p>\n"
        case .refused(let message):
            html += "<p class=\"error\" id=\"command-notice\">\(HTML.escape(message))</p>\n"
        case nil:
            break
        }
        if principal.canCommand, let session {
            html += commandForms(record, csrf: DashboardCSRF.token(session: session), now: now)
        }
        var rows = ""
        for command in commands {
            let state = command.state(at: now)
            var result = HTML.escape(command.message ?? "")
            if let evidence = command.evidence {
                let size = String(format: "%.1f", Double(evidence.bytes) / 1e6)
                result =
                    "<a href=\"/api/v1/clips/\(HTML.escape(command.id))\" class=\"clip\">\(text.html("command.download", ["size": size]))</a>"
                    + " <span class=\"muted\">SHA-256 \(HTML.escape(String(evidence.sha256.prefix(12))))…</span>"
            }
            var what = kindName(command.kind)
            if let duration = command.durationSeconds {
                what += " · " + text.html("command.minutes", ["minutes": String(format: "%g", Double(duration) / 60)])
            }
            if let from = command.from, let to = command.to {
                what += " · \(HTML.date(from, text)) – \(HTML.date(to, text))"
            }
            rows += """
                <tr data-command="\(HTML.escape(command.id))"><td>\(HTML.date(command.issuedAt, text))</td><td>\(what)</td>\
                <td>\(HTML.escape(command.camera))</td><td class="state \(state.rawValue)">\(stateName(state))</td>\
                <td>\(result)</td><td class="hide-sm muted">\(HTML.escape(command.issuedBy))</td></tr>\n
                """
        }
        if commands.isEmpty { rows = "<tr><td colspan=\"6\" class=\"muted\">\(text.html("command.none"))</td></tr>" }
        html += """
            <div class="box"><table id="command-list">
            <thead><tr><th>\(text.html("command.issued_at"))</th><th>\(text.html("command.what"))</th><th>\(text.html("camera.camera"))</th>\
            <th>\(text.html("command.state"))</th><th>\(text.html("command.result"))</th><th class="hide-sm">\(text.html("command.by"))</th></tr></thead>
            <tbody>
            \(rows)</tbody></table></div>
            <p class="muted">\(text.html("command.reload"))</p>

            """
        return html
    }

    private func commandForms(_ record: SchoolRecord, csrf: String, now: Date) -> String {
        let cameras = (record.state?.cameras ?? []).map(\.report.id)
        let options = cameras.map { "<option>\(HTML.escape($0))</option>" }.joined()
        let cameraField =
            cameras.isEmpty
            ? "<input name=\"camera\" required maxlength=\"64\">"
            : "<select name=\"camera\">\(options)</select>"
        let action = "/schools/\(HTML.escape(record.id))/commands"
        let hidden = "<input type=\"hidden\" name=\"csrf\" value=\"\(csrf)\">"
        let localNow = DashboardLocalTime.format(now, zone: text.timeZone)
        let localBefore = DashboardLocalTime.format(now.addingTimeInterval(-600), zone: text.timeZone)
        return """
            <style>form.command{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;background:#fff;border:1px solid var(--line);border-radius:6px;padding:.6rem .8rem;margin:.4rem 0}\
            form.command label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted)}\
            form.command input,form.command select{font:inherit;padding:.3rem;border:1px solid var(--line);border-radius:4px}\
            form.command button{font:inherit;padding:.4rem .9rem;background:var(--accent);color:#fff;border:0;border-radius:4px;cursor:pointer}\
            td.state.done{color:var(--ok);font-weight:600} td.state.failed,td.state.refused,td.state.expired{color:var(--bad)}</style>
            <form method="post" action="\(action)" class="command" id="live-form">\(hidden)<input type="hidden" name="kind" value="live">
            <label>\(text.html("camera.camera")) \(cameraField)</label>
            <label>\(text.html("command.stream")) <select name="stream"><option value="main">\(text.html("command.stream_main"))</option><option value="sub">\(text.html("command.stream_sub"))</option></select></label>
            <label>\(text.html("command.duration")) <input name="minutes" type="number" min="1" max="60" value="5" required></label>
            <button type="submit" id="live-submit">\(text.html("command.start_live"))</button></form>
            <form method="post" action="\(action)" class="command" id="clip-form">\(hidden)<input type="hidden" name="kind" value="clip">
            <label>\(text.html("camera.camera")) \(cameraField)</label>
            <label>\(text.html("command.from")) <input name="from" type="datetime-local" value="\(localBefore)" required></label>
            <label>\(text.html("command.to")) <input name="to" type="datetime-local" value="\(localNow)" required></label>
            <button type="submit" id="clip-submit">\(text.html("command.request_clip"))</button></form>
            <form method="post" action="\(action)" class="command" id="snapshot-form">\(hidden)<input type="hidden" name="kind" value="snapshot">
            <label>\(text.html("camera.camera")) \(cameraField)</label>
            <button type="submit" id="snapshot-submit">\(text.html("command.take_snapshot"))</button></form>
            <p class="muted">\(text.html("command.zone", ["zone": HTML.escape(text.timeZone.label(at: now))]))</p>

            """
    }

    func kindName(_ kind: PoliceCommand.Kind) -> String {
        switch kind {
        case .live: text.html("command.kind.live")
        case .clip: text.html("command.kind.clip")
        case .snapshot: text.html("command.kind.snapshot")
        }
    }

    func stateName(_ state: PoliceCommand.State) -> String {
        switch state {
        case .pending: text.html("command.state.pending")
        case .accepted: text.html("command.state.accepted")
        case .running: text.html("command.state.running")
        case .done: text.html("command.state.done")
        case .failed: text.html("command.state.failed")
        case .refused: text.html("command.state.refused")
        case .expired: text.html("command.state.expired")
        }
    }
}

/// What the school page says above its commands after a form was sent.
enum CommandNotice: Equatable {
    case issued(String)
    case refused(String)
}

/// The dashboard forms' CSRF token: derived from the session's token (which only the browser's
/// HttpOnly cookie holds), so another site can neither read nor forge it. The cookie is also
/// `SameSite=Strict`; the token is a second lock for browsers that ignore that.
enum DashboardCSRF {
    static func token(session: String) -> String { String(AccessToken.hash("kuzet-csrf:" + session).prefix(32)) }
}

/// `<input type="datetime-local">` values (`2026-12-05T08:30`) in the page's zone.
enum DashboardLocalTime {
    static func format(_ date: Date, zone: PageTimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone.zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0,
            parts.minute ?? 0)
    }

    static func parse(_ text: String, zone: PageTimeZone) -> Date? {
        let pieces = text.split(whereSeparator: { "-T:".contains($0) }).map { Int($0) }
        guard pieces.count == 5 || pieces.count == 6, pieces.allSatisfy({ $0 != nil }) else { return nil }
        let numbers = pieces.map { $0! }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone.zone
        let components = DateComponents(
            year: numbers[0], month: numbers[1], day: numbers[2], hour: numbers[3], minute: numbers[4],
            second: numbers.count == 6 ? numbers[5] : 0)
        guard (1900...9999).contains(numbers[0]), (1...12).contains(numbers[1]), (1...31).contains(numbers[2]),
            (0...23).contains(numbers[3]), (0...59).contains(numbers[4])
        else { return nil }
        return calendar.date(from: components)
    }
}
