import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetMedia
import KuzetSegmentStore

/// The storage part of `kuzet-agent check`: can this box hold `retention.days` of footage at the
/// measured rates, and if not, which cameras to record from their sub stream (or how much disk to add).
///
/// Where the rates come from (the files do not say which stream wrote them):
/// - a camera with `record: main`: its recordings (bytes over footage time of its last hour of
///   footage); with no recordings, a probe of the main stream;
/// - a camera with `record: sub`: a probe of the sub stream (what will be written from now on;
///   recordings made before the switch would be main-stream bytes), else its recordings;
/// - a sub stream a plan may use: a probe, made only when the box is short.
public struct StorageCheck: Sendable {
    /// Measures one stream of a camera in kbit/s, or says why it could not (unreachable, no such stream).
    public typealias RateProbe =
        @Sendable (_ camera: AgentConfiguration.Camera, _ stream: AgentConfiguration.Camera.StreamChoice) async ->
        Result<Double, ProbeFailure>

    /// Why a stream's rate could not be measured, in words for the integrator (credentials redacted).
    public struct ProbeFailure: Error, Sendable, Equatable, CustomStringConvertible {
        public var reason: String
        public init(_ reason: String) { self.reason = reason }
        public var description: String { reason }
    }

    public var configuration: AgentConfiguration
    public var probe: RateProbe?
    public var diskSpace: @Sendable (String) -> DiskSpace?

    public init(
        configuration: AgentConfiguration, probe: RateProbe? = StorageCheck.liveProbe(seconds: 4),
        diskSpace: @escaping @Sendable (String) -> DiskSpace? = DiskSpace.of
    ) {
        self.configuration = configuration
        self.probe = probe
        self.diskSpace = diskSpace
    }

    /// One camera's rates and where each came from.
    public struct CameraLine: Sendable, Equatable, Codable {
        public var camera: String
        /// `main`, `sub` or `off`.
        public var record: String
        public var mainKbps: Double?
        public var mainSource: String?
        public var subKbps: Double?
        public var subSource: String?
        /// Why the main stream's probe failed, when it was probed and failed.
        public var mainProbeFailure: String?
        /// Why the sub stream's probe failed, when it was probed and failed.
        public var subProbeFailure: String?
        public var recordedBytes: Int64

        enum CodingKeys: String, CodingKey {
            case camera, record
            case mainKbps = "main_kbps"
            case mainSource = "main_source"
            case subKbps = "sub_kbps"
            case subSource = "sub_source"
            case mainProbeFailure = "main_probe_failure"
            case subProbeFailure = "sub_probe_failure"
            case recordedBytes = "recorded_bytes"
        }
    }

    public struct Report: Sendable, Equatable, Codable {
        public var compliant: Bool
        public var requiredDays: Int
        public var space: RetentionSpace
        public var reserveBytes: Int64
        public var projection: RetentionProjection
        public var cameras: [CameraLine]
        /// Present when the box is short and some camera could switch to its sub stream, or disk must be added.
        public var plan: RetentionPlan?
        /// Cameras whose rate is unknown (no recordings, no probe): the projection cannot vouch for them.
        public var unmeasured: [String]

        enum CodingKeys: String, CodingKey {
            case compliant, space, projection, cameras, plan, unmeasured
            case requiredDays = "required_days"
            case reserveBytes = "reserve_bytes"
        }
    }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case unreadableStorage(String)
        public var description: String {
            switch self {
            case .unreadableStorage(let root):
                "storage.root: cannot read the disk holding \(root) — create the folder or fix storage.root"
            }
        }
    }

    public func run() async throws(Failure) -> Report {
        let root = configuration.storage.root
        let seconds = configuration.storage.segmentSeconds
        let scan = await BlockingWork.run("kuzet.retention.check") {
            StorageScan.scan(root: root, segmentSeconds: seconds, ownFiles: [RetentionService.ledgerFileName])
        }
        guard let disk = diskSpace(Self.existingAncestor(of: root)) else { throw .unreadableStorage(root) }
        let space = RetentionSpace(
            totalBytes: disk.totalBytes, freeBytes: disk.freeBytes, recordingsBytes: scan.bytes,
            minFreePercent: configuration.retention.minFreePercent)
        var lines: [CameraLine] = []
        for camera in configuration.cameras {
            let segments = scan.cameras[camera.id] ?? CameraSegments()
            let recorded = segments.newest.flatMap {
                RetentionService.recordedKbps(segments, since: $0.end - RetentionService.rateWindowMillis)
            }
            var line = CameraLine(
                camera: camera.id, record: camera.record?.rawValue ?? "off", recordedBytes: segments.bytes)
            switch camera.record {
            case .main:
                if let recorded {
                    (line.mainKbps, line.mainSource) = (recorded, "recordings")
                } else {
                    (line.mainKbps, line.mainSource, line.mainProbeFailure) = await probed(camera, .main).columns
                }
            case .sub:
                (line.subKbps, line.subSource, line.subProbeFailure) = await probed(camera, .sub).columns
                if line.subKbps == nil, let recorded { (line.subKbps, line.subSource) = (recorded, "recordings") }
            case nil:
                break
            }
            lines.append(line)
        }
        let days = configuration.retention.days
        var rates = zip(configuration.cameras, lines).map { camera, line in
            RetentionPlan.CameraRates(
                camera: camera.id, recorded: camera.record, mainKbps: line.mainKbps, subKbps: line.subKbps)
        }
        let projection = RetentionProjection(
            space: space, bitsPerSecond: rates.reduce(0) { $0 + ($1.recordedKbps ?? 0) * 1000 }, requiredDays: days)
        let unmeasured = rates.filter { $0.recordedKbps == nil }.map(\.camera)
        var plan: RetentionPlan?
        if !projection.isCompliant {
            // Sub streams are probed all at once (each on its own thread): 16 cameras take one probe's time.
            let measured = await withTaskGroup(of: (Int, Probed).self) { group in
                for (index, camera) in configuration.cameras.enumerated()
                where camera.record == .main && camera.subURL != nil {
                    group.addTask { (index, await probed(camera, .sub)) }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            for (index, sub) in measured {
                (lines[index].subKbps, lines[index].subSource, lines[index].subProbeFailure) = sub.columns
                rates[index].subKbps = sub.columns.kbps
            }
            plan = RetentionPlan.make(cameras: rates, space: space, requiredDays: days)
        }
        return Report(
            compliant: projection.isCompliant && unmeasured.isEmpty, requiredDays: days, space: space,
            reserveBytes: space.reserveBytes(atBitsPerSecond: projection.bitsPerSecond), projection: projection,
            cameras: lines,
            plan: plan, unmeasured: unmeasured)
    }

    /// A probe's outcome; nil when there is no probe or no such stream.
    private typealias Probed = Result<Double, ProbeFailure>?

    private func probed(_ camera: AgentConfiguration.Camera, _ stream: AgentConfiguration.Camera.StreamChoice) async
        -> Probed
    {
        guard let probe, camera.url(of: stream) != nil else { return nil }
        return await probe(camera, stream)
    }

    /// A probe that reads the camera's stream live with libavformat for `seconds`, on its own thread.
    /// A failed attempt is tried once more a second later: cameras refuse a session now and then
    /// (a session limit reached, a stream still starting), and one refusal should not fail `check`.
    public static func liveProbe(seconds: Double, attempts: Int = 2) -> RateProbe {
        { camera, stream in
            guard let url = camera.authenticatedURL(of: stream) else {
                return .failure(ProbeFailure("no \(stream.rawValue) stream URL"))
            }
            let tcp = camera.transport == .tcp
            var failure = ProbeFailure("not probed")
            for attempt in 1...max(1, attempts) {
                if attempt > 1 { try? await Task.sleep(for: .seconds(1)) }
                let result = await BlockingWork.run("kuzet.retention.probe") { () -> Result<Double, MediaError> in
                    Result { () throws(MediaError) in try StreamRateProbe.measure(url: url, tcp: tcp, seconds: seconds)
                    }
                }
                switch result {
                case .success(let kbps): return .success(kbps)
                case .failure(let error): failure = ProbeFailure(error.description)
                }
            }
            return .failure(failure)
        }
    }

    /// The storage root may not exist yet on a new box: measure the disk it will be on.
    static func existingAncestor(of path: String) -> String {
        var current = path
        while !FileManager.default.fileExists(atPath: current) && current != "/" && !current.isEmpty {
            current = (current as NSString).deletingLastPathComponent
        }
        return current.isEmpty ? "." : current
    }
}

extension Result<Double, StorageCheck.ProbeFailure>? {
    /// A camera line's columns for one stream: its rate and `"probe"`, or why the probe failed.
    var columns: (kbps: Double?, source: String?, failure: String?) {
        switch self {
        case .success(let kbps): (kbps, "probe", nil)
        case .failure(let failure): (nil, nil, failure.reason)
        case nil: (nil, nil, nil)
        }
    }
}
