/// A way for a box that cannot hold `retention.days` to get there: record some cameras from their
/// sub stream (cheapest first in lost detail: the biggest savings first), and if even that is not
/// enough, how much disk to add.
public struct RetentionPlan: Sendable, Equatable, Codable {
    /// One camera's measured rates, as the plan needs them.
    public struct CameraRates: Sendable, Equatable {
        public var camera: String
        /// The stream the configuration records now (nil: not recorded).
        public var recorded: StreamChoice?
        /// Measured main-stream rate in kbit/s, nil when not measured.
        public var mainKbps: Double?
        /// Measured sub-stream rate in kbit/s, nil when the camera has no sub stream or it was not measured.
        public var subKbps: Double?

        public init(camera: String, recorded: StreamChoice?, mainKbps: Double?, subKbps: Double?) {
            self.camera = camera
            self.recorded = recorded
            self.mainKbps = mainKbps
            self.subKbps = subKbps
        }

        /// The rate the camera is written at under the current configuration.
        public var recordedKbps: Double? {
            switch recorded {
            case .main: mainKbps
            case .sub: subKbps
            case nil: 0
            }
        }
    }

    /// One camera to move from `record: main` to `record: sub`.
    public struct Switch: Sendable, Equatable, Codable {
        public var camera: String
        public var mainKbps: Double
        public var subKbps: Double
    }

    public var switches: [Switch]
    /// The projection with the switches applied.
    public var projection: RetentionProjection
    /// Disk to add on top of the switches (0 when the switches are enough).
    public var additionalBytes: Int64
    public var reachesTarget: Bool { projection.isCompliant }

    /// Plans the fewest switches that reach `requiredDays`; cameras whose rates are unknown stay as they are.
    public static func make(cameras: [CameraRates], space: RetentionSpace, requiredDays: Int) -> RetentionPlan {
        var bits = cameras.reduce(0.0) { $0 + ($1.recordedKbps ?? 0) * 1000 }
        var switches: [Switch] = []
        let candidates = cameras.compactMap { rates -> Switch? in
            guard rates.recorded == .main, let main = rates.mainKbps, let sub = rates.subKbps, sub < main else {
                return nil
            }
            return Switch(camera: rates.camera, mainKbps: main, subKbps: sub)
        }.sorted { ($0.mainKbps - $0.subKbps, $1.camera) > ($1.mainKbps - $1.subKbps, $0.camera) }
        var projection = RetentionProjection(space: space, bitsPerSecond: bits, requiredDays: requiredDays)
        for candidate in candidates where !projection.isCompliant {
            switches.append(candidate)
            bits -= (candidate.mainKbps - candidate.subKbps) * 1000
            projection = RetentionProjection(space: space, bitsPerSecond: bits, requiredDays: requiredDays)
        }
        return RetentionPlan(switches: switches, projection: projection, additionalBytes: projection.missingBytes)
    }
}
