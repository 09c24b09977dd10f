import Foundation
import KuzetCore

extension StatusPage {
    /// The "Picture" row of a camera's card (issue 23): the health state and since when, the
    /// flagged reasons in words, and the last sampled picture beside the reference picture.
    static func healthCell(_ health: StatusCameraHealth, camera id: String, _ text: PageText) -> String {
        let state = "<span class=\"health-\(escape(health.state))\">\(text.html("health.\(health.state)"))</span>"
        let since = text.html(
            "camera.picture_since",
            [
                "state": state,
                "time": "<time datetime=\"\(isoTime(health.since))\">\(escape(text.time(health.since)))</time>",
            ])
        let reasons =
            health.reasons.isEmpty
            ? "" : ": " + health.reasons.map { text.html("reason.\($0)") }.joined(separator: ", ")
        var pictures = ""
        if health.hasPicture {
            pictures +=
                "<img class=\"health-picture\" src=\"/health/\(id)/latest.jpg\" alt=\"\(text.html("camera.picture_latest", ["camera": id]))\" title=\"\(text.html("camera.picture_latest", ["camera": id]))\">"
        }
        if health.hasReference {
            pictures +=
                "<img class=\"health-picture\" src=\"/health/\(id)/reference.jpg\" alt=\"\(text.html("camera.picture_reference", ["camera": id]))\" title=\"\(text.html("camera.picture_reference", ["camera": id]))\">"
        }
        let shown = pictures.isEmpty ? "" : "<div style=\"display:flex;gap:4px;margin-top:2px\">\(pictures)</div>"
        return "<span class=\"health\" id=\"health-\(id)\">\(since)\(reasons)</span>\(shown)"
    }
}
