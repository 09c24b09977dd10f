import Metrics

/// Per-camera gauges derived from the status report, recorded when `/metrics` is scraped
/// (counters of the features themselves are kept where they happen).
enum StatusMetrics {
    static func record(_ report: StatusReport) {
        for camera in report.cameras {
            let labels = [("camera", camera.id)]
            Gauge(label: "kuzet_camera_up", dimensions: labels).record(camera.state == "live" ? 1 : 0)
            Gauge(label: "kuzet_camera_recording", dimensions: labels).record(camera.recording == "recording" ? 1 : 0)
            Gauge(label: "kuzet_camera_bitrate_kbps", dimensions: labels).record(camera.bitrateKbps ?? 0)
            if let age = camera.lastFrameAgeSeconds { Gauge(label: "kuzet_camera_last_frame_age_seconds", dimensions: labels).record(age) }
            Gauge(label: "kuzet_camera_footage_days", dimensions: labels).record(camera.daysKept ?? 0)
            Gauge(label: "kuzet_camera_problems", dimensions: labels).record(camera.problems.count)
        }
        if let disk = report.disk {
            Gauge(label: "kuzet_storage_free_bytes").record(Double(disk.freeBytes))
            Gauge(label: "kuzet_storage_total_bytes").record(Double(disk.totalBytes))
        }
        Gauge(label: "kuzet_uplink_outbox_pending").record(report.uplink.outboxPending)
        Gauge(label: "kuzet_agent_uptime_seconds").record(report.uptimeSeconds)
    }
}
