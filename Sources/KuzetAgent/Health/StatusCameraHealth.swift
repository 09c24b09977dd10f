import Foundation
import KuzetProtocol

/// A camera's picture health in the status report (`health` of a camera in `GET /api/v1/status`):
/// the heartbeat's `CameraHealthReport` plus what the status page shows beside it.
public struct StatusCameraHealth: Codable, Sendable, Equatable {
    /// `ok`, `flagged` or `unknown` (no picture judged yet).
    public var state: String
    /// The flagged checks: `dark`, `uniform`, `frozen`, `blurred`, `moved`, `no_video`.
    public var reasons: [String]
    public var since: Date
    public var checkedAt: Date?
    /// The last sample's figures (grey level, spread, sharpness), for choosing thresholds.
    public var level: Double?
    public var deviation: Double?
    public var sharpness: Double?
    public var hasPicture: Bool
    public var hasReference: Bool

    public init(_ report: CameraHealthReport, measures: PictureMeasures?, hasPicture: Bool, hasReference: Bool) {
        state = report.state.rawValue
        reasons = report.reasons.map(\.rawValue)
        since = report.since
        checkedAt = report.checkedAt
        level = measures?.level
        deviation = measures?.deviation
        sharpness = measures?.sharpness
        self.hasPicture = hasPicture
        self.hasReference = hasReference
    }
}

extension StatusReport {
    /// Fills each camera's `health` from the monitor, and words a flagged picture as a problem.
    mutating func addHealth(from monitor: PictureHealthMonitor) {
        for index in cameras.indices {
            let id = cameras[index].id
            guard let report = monitor.report(camera: id) else { continue }
            cameras[index].health = StatusCameraHealth(
                report, measures: monitor.lastMeasures(camera: id), hasPicture: monitor.latestJPEG(camera: id) != nil,
                hasReference: monitor.referenceJPEG(camera: id) != nil)
            guard report.state == .flagged else { continue }
            let reasons = report.reasons.map(\.rawValue).joined(separator: ", ")
            cameras[index].problems.append(
                "the picture is flagged: \(reasons) — look at the camera (covered, turned, out of focus, frozen?); if it was moved on purpose run `kuzet-agent health reset-reference --camera \(id)`"
            )
            var details = cameras[index].problemDetails ?? []
            details.append(StatusProblem(.pictureFlagged, ["camera": id, "reasons": reasons]))
            cameras[index].problemDetails = details
        }
    }
}
