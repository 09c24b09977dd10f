import Prometheus

/// Per-camera gauges derived from the status report, set in the service's registry when
/// `/metrics` is scraped (counters of the features themselves are kept where they happen).
enum StatusMetrics {
    /// A gauge's full name and the `# HELP` line Prometheus shows beside it (not Sendable, so made
    /// where used).
    static func gauge(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    static var cameraUp: MetricNameDescriptor {
        gauge("kuzet_camera_up", "1 while the camera's stream is live, else 0.")
    }
    static var cameraRecording: MetricNameDescriptor {
        gauge("kuzet_camera_recording", "1 while the camera is being recorded, else 0.")
    }
    static var cameraBitrate: MetricNameDescriptor {
        gauge("kuzet_camera_bitrate_kbps", "The camera stream's bitrate in kbit/s.")
    }
    static var cameraFrameAge: MetricNameDescriptor {
        gauge(
            "kuzet_camera_last_frame_age_seconds", "Seconds since the camera's last frame arrived.")
    }
    static var cameraFootageDays: MetricNameDescriptor {
        gauge(
            "kuzet_camera_footage_days", "Days of the camera's footage on disk (the law asks for 30).")
    }
    static var cameraProblems: MetricNameDescriptor {
        gauge("kuzet_camera_problems", "Problems the status page lists for the camera.")
    }
    static var relayClients: MetricNameDescriptor {
        gauge("kuzet_relay_clients", "Clients pulling the camera through the agent's relay.")
    }
    static var storageFree: MetricNameDescriptor {
        gauge("kuzet_storage_free_bytes", "Free bytes on the recordings disk.")
    }
    static var storageTotal: MetricNameDescriptor {
        gauge("kuzet_storage_total_bytes", "Size of the recordings disk in bytes.")
    }
    static var outboxPending: MetricNameDescriptor {
        gauge(
            "kuzet_uplink_outbox_pending", "Heartbeats queued on disk, not yet acknowledged by the registry.")
    }
    static var uptime: MetricNameDescriptor { gauge("kuzet_agent_uptime_seconds", "Seconds since the agent started.") }

    static func record(_ report: StatusReport, into registry: PrometheusCollectorRegistry) {
        for camera in report.cameras {
            let labels = [("camera", camera.id)]
            registry.makeGauge(descriptor: cameraUp, labels: labels).set(camera.state == "live" ? 1.0 : 0.0)
            registry.makeGauge(descriptor: cameraRecording, labels: labels).set(
                camera.recording == "recording" ? 1.0 : 0.0)
            registry.makeGauge(descriptor: cameraBitrate, labels: labels).set(camera.bitrateKbps ?? 0)
            if let age = camera.lastFrameAgeSeconds {
                registry.makeGauge(descriptor: cameraFrameAge, labels: labels).set(age)
            }
            registry.makeGauge(descriptor: cameraFootageDays, labels: labels).set(camera.daysKept ?? 0)
            registry.makeGauge(descriptor: cameraProblems, labels: labels).set(Double(camera.problems.count))
            registry.makeGauge(descriptor: relayClients, labels: labels).set(Double(camera.relayClients))
            if let health = camera.health { recordHealth(health, camera: camera.id, into: registry) }
        }
        if let disk = report.disk {
            registry.makeGauge(descriptor: storageFree).set(Double(disk.freeBytes))
            registry.makeGauge(descriptor: storageTotal).set(Double(disk.totalBytes))
        }
        registry.makeGauge(descriptor: outboxPending).set(Double(report.uplink.outboxPending))
        registry.makeGauge(descriptor: uptime).set(report.uptimeSeconds)
    }
}
