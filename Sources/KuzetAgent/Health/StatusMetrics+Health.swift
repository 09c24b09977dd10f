import KuzetProtocol
import Prometheus

extension StatusMetrics {
    static var pictureOK: MetricNameDescriptor {
        gauge(
            "kuzet_camera_picture_ok", "1 while the camera's picture is judged healthy, 0 if flagged or not judged yet."
        )
    }
    static var pictureFlagged: MetricNameDescriptor {
        gauge(
            "kuzet_camera_picture_flagged",
            "1 while this picture check flags the camera (reason: dark, uniform, frozen, blurred, moved, no_video).")
    }

    /// `kuzet_camera_picture_ok` (1 healthy, 0 flagged or not judged yet) and
    /// `kuzet_camera_picture_flagged{reason}` (1 while that check flags) per camera. Issue 23.
    static func recordHealth(_ health: StatusCameraHealth, camera: String, into registry: PrometheusCollectorRegistry) {
        registry.makeGauge(descriptor: pictureOK, labels: [("camera", camera)]).set(
            health.state == "ok" ? 1.0 : 0.0)
        for check in PictureCheck.allCases {
            registry.makeGauge(
                descriptor: pictureFlagged, labels: [("camera", camera), ("reason", check.rawValue)]
            ).set(health.reasons.contains(check.rawValue) ? 1.0 : 0.0)
        }
    }
}
