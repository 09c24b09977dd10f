import KuzetProtocol
import Prometheus

extension StatusMetrics {
    /// `kuzet_camera_picture_ok` (1 healthy, 0 flagged or not judged yet) and
    /// `kuzet_camera_picture_flagged{reason}` (1 while that check flags) per camera. Issue 23.
    static func recordHealth(_ health: StatusCameraHealth, camera: String, into registry: PrometheusCollectorRegistry) {
        registry.makeGauge(name: "kuzet_camera_picture_ok", labels: [("camera", camera)]).set(
            health.state == "ok" ? 1.0 : 0.0)
        for check in PictureCheck.allCases {
            registry.makeGauge(
                name: "kuzet_camera_picture_flagged", labels: [("camera", camera), ("reason", check.rawValue)]
            ).set(health.reasons.contains(check.rawValue) ? 1.0 : 0.0)
        }
    }
}
