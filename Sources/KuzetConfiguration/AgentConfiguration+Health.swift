import Foundation
import Yams

extension AgentConfiguration {
    /// `health:` — picture health (issue 23): one keyframe per camera every `interval_seconds` is
    /// decoded small and checked for a dark, flat, frozen, blurred or turned-away picture. The
    /// rules and why each default is what it is: `docs/integrator-guide.md`, "Picture health".
    public struct Health: Sendable, Equatable {
        /// Seconds between two samples of one camera; 0 turns picture health off.
        public var intervalSeconds: Int
        /// Minutes between two thumbnails of one camera sent with the heartbeat; 0 sends none.
        public var thumbnailMinutes: Int
        /// Bad samples in a row before a check flags, and good ones in a row before it clears.
        public var flagAfter: Int
        public var clearAfter: Int
        /// `dark`: mean grey level (0–255) at or below this AND spread at or below `darkMaxDeviation`.
        public var darkLevel: Double
        public var darkMaxDeviation: Double
        /// `uniform`: spread (standard deviation of the grey levels) at or below this, not dark.
        public var uniformMaxDeviation: Double
        /// `frozen`: mean absolute difference from the previous sample at or below this while the
        /// stream's timestamps advanced.
        public var frozenMaxDifference: Double
        /// `blurred`: sharpness below this fraction of the camera's own baseline.
        public var blurRatio: Double
        /// `moved`: similarity to the reference picture (correlation, −1…1) below this.
        public var movedMinSimilarity: Double
        /// Where each camera's reference picture is kept (`<state_dir>/<camera>/reference.*`).
        public var stateDirectory: String

        public static let defaultStateDirectory = "/var/lib/kuzet/health"

        public init(
            intervalSeconds: Int = 60, thumbnailMinutes: Int = 10, flagAfter: Int = 2, clearAfter: Int = 2,
            darkLevel: Double = 40, darkMaxDeviation: Double = 5, uniformMaxDeviation: Double = 6,
            frozenMaxDifference: Double = 0.8, blurRatio: Double = 0.4, movedMinSimilarity: Double = 0.5,
            stateDirectory: String = Health.defaultStateDirectory
        ) {
            self.intervalSeconds = intervalSeconds
            self.thumbnailMinutes = thumbnailMinutes
            self.flagAfter = flagAfter
            self.clearAfter = clearAfter
            self.darkLevel = darkLevel
            self.darkMaxDeviation = darkMaxDeviation
            self.uniformMaxDeviation = uniformMaxDeviation
            self.frozenMaxDifference = frozenMaxDifference
            self.blurRatio = blurRatio
            self.movedMinSimilarity = movedMinSimilarity
            self.stateDirectory = stateDirectory
        }

        public var isEnabled: Bool { intervalSeconds > 0 }
    }
}

extension ConfigurationReader {
    mutating func readHealth(_ node: Node?) -> AgentConfiguration.Health {
        var health = AgentConfiguration.Health()
        guard let node, let map = mapping(node, key: "health") else { return health }
        checkKnown(
            map, key: "health",
            known: [
                "interval_seconds", "thumbnail_minutes", "flag_after", "clear_after", "dark_level",
                "dark_max_deviation", "uniform_max_deviation", "frozen_max_difference", "blur_ratio",
                "moved_min_similarity", "state_dir",
            ])
        if let seconds = integer(
            map["interval_seconds"], key: "health.interval_seconds", range: 0...3600,
            fix: "use 0 (off) or 2 to 3600 seconds (60 is usual)")
        {
            if seconds == 1 {
                problem("health.interval_seconds", "1 is too often", "use 0 (off) or 2 to 3600 seconds (60 is usual)")
            } else {
                health.intervalSeconds = seconds
            }
        }
        health.thumbnailMinutes =
            integer(
                map["thumbnail_minutes"], key: "health.thumbnail_minutes", range: 0...1440,
                fix: "use 0 (no thumbnails) to 1440 minutes (10 is usual)") ?? health.thumbnailMinutes
        health.flagAfter =
            integer(map["flag_after"], key: "health.flag_after", range: 1...20, fix: "use 1 to 20 samples (2 is usual)")
            ?? health.flagAfter
        health.clearAfter =
            integer(
                map["clear_after"], key: "health.clear_after", range: 1...20, fix: "use 1 to 20 samples (2 is usual)")
            ?? health.clearAfter
        health.darkLevel = bounded(
            map, "dark_level", 0...255, "a grey level from 0 to 255 (40 is usual)", health.darkLevel)
        health.darkMaxDeviation = bounded(
            map, "dark_max_deviation", 0...128, "a spread from 0 to 128 (5 is usual)", health.darkMaxDeviation)
        health.uniformMaxDeviation = bounded(
            map, "uniform_max_deviation", 0...128, "a spread from 0 to 128 (6 is usual)", health.uniformMaxDeviation)
        health.frozenMaxDifference = bounded(
            map, "frozen_max_difference", 0...255, "a grey-level difference from 0 to 255 (0.8 is usual)",
            health.frozenMaxDifference)
        health.blurRatio = bounded(map, "blur_ratio", 0...1, "a fraction from 0 to 1 (0.4 is usual)", health.blurRatio)
        health.movedMinSimilarity = bounded(
            map, "moved_min_similarity", -1...1, "a correlation from -1 to 1 (0.5 is usual)", health.movedMinSimilarity)
        if let directory = string(map["state_dir"], key: "health.state_dir") {
            if directory.isEmpty {
                problem("health.state_dir", "is empty", "give a folder the agent may write, e.g. /var/lib/kuzet/health")
            } else {
                health.stateDirectory = resolve(directory)
            }
        }
        return health
    }

    private mutating func bounded(
        _ map: Node.Mapping, _ name: String, _ range: ClosedRange<Double>, _ what: String, _ fallback: Double
    ) -> Double {
        guard let value = number(map[name], key: "health.\(name)") else { return fallback }
        guard value.isFinite, range.contains(value) else {
            problem("health.\(name)", "\(value) is out of range", "use \(what)")
            return fallback
        }
        return value
    }
}
