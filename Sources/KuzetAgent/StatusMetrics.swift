import Prometheus

/// Per-camera gauges derived from the status report, set in the service's registry when
/// `/metrics` is scraped (counters of the features themselves are kept where they happen).
enum StatusMetrics {
    static func record(_ report: StatusReport, into registry: PrometheusCollectorRegistry) {
        for camera in report.cameras {
            let labels = [("camera", camera.id)]
            registry.makeGauge(name: "kuzet_camera_up", labels: labels).set(camera.state == "live" ? 1.0 : 0.0)
            registry.makeGauge(name: "kuzet_camera_recording", labels: labels).set(
                camera.recording == "recording" ? 1.0 : 0.0)
            registry.makeGauge(name: "kuzet_camera_bitrate_kbps", labels: labels).set(camera.bitrateKbps ?? 0)
            if let age = camera.lastFrameAgeSeconds {
                registry.makeGauge(name: "kuzet_camera_last_frame_age_seconds", labels: labels).set(age)
            }
            registry.makeGauge(name: "kuzet_camera_footage_days", labels: labels).set(camera.daysKept ?? 0)
            registry.makeGauge(name: "kuzet_camera_problems", labels: labels).set(Double(camera.problems.count))
            registry.makeGauge(name: "kuzet_relay_clients", labels: labels).set(Double(camera.relayClients))
            if let health = camera.health { recordHealth(health, camera: camera.id, into: registry) }
        }
        if let disk = report.disk {
            registry.makeGauge(name: "kuzet_storage_free_bytes").set(Double(disk.freeBytes))
            registry.makeGauge(name: "kuzet_storage_total_bytes").set(Double(disk.totalBytes))
        }
        registry.makeGauge(name: "kuzet_uplink_outbox_pending").set(Double(report.uplink.outboxPending))
        registry.makeGauge(name: "kuzet_agent_uptime_seconds").set(report.uptimeSeconds)
    }
}
