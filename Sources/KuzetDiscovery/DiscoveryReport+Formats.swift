import Foundation
import KuzetCore

extension DiscoveryReport {
    /// A table for people. URLs never carry credentials.
    public var table: String {
        guard !cameras.isEmpty else { return "no cameras found\n" }
        let header = ["ID", "HOST", "DEVICE", "CH", "MAIN", "SUB", "URL"]
        let rows = cameras.map { camera -> [String] in
            [
                camera.id, camera.host, [camera.manufacturer, camera.model].compactMap { $0 }.joined(separator: " "),
                camera.channel.map(String.init) ?? "-", camera.main?.summary ?? "?", camera.sub?.summary ?? "-",
                Self.shown(camera.url, camera.urlEmbedsCredentials),
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        let line: ([String]) -> String = { cells in
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }
            .joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// JSON for scripts (credential-free URLs).
    public var json: String {
        var copy = self
        copy.cameras = cameras.map { camera in
            var shown = camera
            shown.url = Self.shown(camera.url, camera.urlEmbedsCredentials)
            shown.subURL = camera.subURL.map { Self.shown($0, camera.urlEmbedsCredentials) }
            return shown
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(copy), as: UTF8.self)) ?? "{}"
    }

    /// XMEye-type URLs carry the password in their path: `password=***` when shown.
    static func shown(_ url: String, _ embedsCredentials: Bool) -> String {
        let stripped = CredentialRedaction.strip(url)
        guard embedsCredentials, let regex = try? NSRegularExpression(pattern: "password=[^&_]*") else {
            return stripped
        }
        return regex.stringByReplacingMatches(
            in: stripped, range: NSRange(stripped.startIndex..., in: stripped), withTemplate: "password=***")
    }
}
