import Foundation
import KuzetCore

/// `kuzet-agent status` as a table for the terminal.
public enum StatusTable {
    public static func render(_ report: StatusReport) -> String {
        var rows = [["CAMERA", "STATE", "VIDEO", "FPS", "KBIT/S", "LAST FRAME", "RECORDING", "PUSH", "RELAY", "DAYS"]]
        for camera in report.cameras {
            let size = camera.width.flatMap { w in camera.height.map { "\(w)x\($0)" } }
            rows.append([
                camera.id, camera.state, [camera.codec, size].compactMap { $0 }.joined(separator: " "),
                camera.framesPerSecond.map { String(format: "%.0f", $0) } ?? "-",
                camera.bitrateKbps.map { String(format: "%.0f", $0) } ?? "-",
                camera.lastFrameAgeSeconds.map { String(format: "%.1fs ago", $0) } ?? "-",
                camera.recording, camera.push, "\(camera.relayClients)",
                camera.daysKept.map { String(format: "%.1f", $0) } ?? "-",
            ])
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var text =
            "\(report.school.name ?? report.school.id) (\(report.school.id)) — \(report.isHealthy ? "healthy" : "PROBLEMS")\n"
        for row in rows {
            text +=
                zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces) + "\n"
        }
        if let disk = report.disk {
            text += String(
                format: "disk %@: %.1f%% free of %.1f GB, keeping %d days\n", disk.root, disk.freePercent,
                Double(disk.totalBytes) / 1e9, disk.retentionDays)
        }
        text += "uplink: \(report.uplink.state), \(report.uplink.outboxPending) heartbeats waiting\n"
        let problems =
            report.problems + report.cameras.flatMap { camera in camera.problems.map { "camera \(camera.id): \($0)" } }
        for problem in problems { text += "problem: \(problem)\n" }
        return text
    }
}
