import KuzetConfiguration
import KuzetCore

/// How the retention service runs; built from the agent configuration, timings overridable by tests.
public struct RetentionSettings: Sendable, Equatable {
    public var root: String
    public var days: Int
    public var minFreePercent: Double
    public var segmentSeconds: Int
    /// Cameras the recorder writes: their folders stay even when empty. Folders of other cameras
    /// (removed from the configuration, or `record: false`) are pruned once empty.
    public var recordedCameras: Set<String>
    /// How often a sweep runs without being woken by a closed segment.
    public var sweepInterval: Duration
    /// The store is listed again this often, to pick up files the index was not told about.
    public var rescanInterval: Duration
    /// A disk-pressure episode ends after this long without pressure (so it is logged once).
    public var pressureClearAfter: Duration

    public init(
        root: String, days: Int = AgentConfiguration.Retention.legalMinimumDays, minFreePercent: Double = 5,
        segmentSeconds: Int = 60, recordedCameras: Set<String> = [], sweepInterval: Duration = .seconds(10),
        rescanInterval: Duration = .seconds(86_400), pressureClearAfter: Duration = .seconds(3600)
    ) {
        self.root = root
        self.days = days
        self.minFreePercent = minFreePercent
        self.segmentSeconds = segmentSeconds
        self.recordedCameras = recordedCameras
        self.sweepInterval = sweepInterval
        self.rescanInterval = rescanInterval
        self.pressureClearAfter = pressureClearAfter
    }

    public init(configuration: AgentConfiguration) {
        self.init(
            root: configuration.storage.root, days: configuration.retention.days,
            minFreePercent: configuration.retention.minFreePercent,
            segmentSeconds: configuration.storage.segmentSeconds,
            recordedCameras: Set(configuration.cameras.filter { $0.record != nil }.map(\.id)))
    }

    var daysMillis: Int64 { Int64(days) * 86_400_000 }
    /// A camera's newest file modified this recently may be the one being written.
    var openGuardMillis: Int64 { Int64(segmentSeconds) * 2000 }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
