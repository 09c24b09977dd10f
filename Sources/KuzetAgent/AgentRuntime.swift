import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetMedia
import KuzetRecorder
import KuzetSegmentStore
import Logging

/// The agent's media side, built from the configuration: ONE upstream per camera stream that
/// some output needs (main and sub are two upstreams), a recorder per recorded camera and a
/// push per camera marked `push:`, all fed from that upstream's fan-out.
///
/// Other features plug in through ``fanout(camera:stream:)`` (the relay) and ``SegmentEvents``
/// (retention); ``snapshot()`` feeds status and heartbeats.
public final class AgentRuntime: Sendable {
    /// Tunables the configuration file does not expose (tests shorten them).
    public struct Tuning: Sendable {
        public var openTimeout: Double = 5
        public var stallTimeout: Double = 5
        public var backoffCap: Double = 2
        public var pushOpenTimeout: Double = 3
        public init() {}
    }

    public struct StreamKey: Hashable, Sendable {
        public var camera: String
        public var stream: AgentConfiguration.Camera.StreamChoice
        public init(camera: String, stream: AgentConfiguration.Camera.StreamChoice) {
            self.camera = camera
            self.stream = stream
        }
    }

    public let configuration: AgentConfiguration
    let supervisors: [StreamKey: StreamSupervisor]
    let recorders: [String: SegmentRecorder]
    let pushes: [String: PushOutput]

    /// - Parameter extraStreams: streams to open even if no recorder or push needs them (the relay's).
    public init(
        configuration: AgentConfiguration, events: (any SegmentEvents)? = nil, extraStreams: Set<StreamKey> = [],
        tuning: Tuning = .init(), clockTrusted: @escaping @Sendable () -> Bool = { true },
        logger: Logger = Logger(label: "kuzet.agent")
    ) {
        self.configuration = configuration
        var needed = extraStreams
        for camera in configuration.cameras {
            if let record = camera.record { needed.insert(StreamKey(camera: camera.id, stream: record)) }
            if let push = camera.push, configuration.centre?.push != nil {
                needed.insert(StreamKey(camera: camera.id, stream: push))
            }
        }
        // A camera that is not recorded opens its other streams only while someone needs them.
        var onDemand: [StreamKey: Double] = [:]
        for camera in configuration.cameras where camera.record == nil {
            for choice in AgentConfiguration.Camera.StreamChoice.allCases where camera.url(of: choice) != nil {
                let key = StreamKey(camera: camera.id, stream: choice)
                if !needed.contains(key) { onDemand[key] = Double(camera.onDemandCloseSeconds) }
            }
        }
        var supervisors: [StreamKey: StreamSupervisor] = [:]
        for key in needed.union(onDemand.keys) {
            guard let camera = configuration.cameras.first(where: { $0.id == key.camera }),
                let url = camera.authenticatedURL(of: key.stream)
            else { continue }
            if url.lowercased().hasPrefix("rtsps://") {
                logger.warning(
                    "cameras[\(camera.id)]: rtsps:// is encrypted but the camera's certificate is not checked (FFmpeg 5.1's RTSP client cannot) — keep the cameras on a network only the box reaches"
                )
            }
            supervisors[key] = StreamSupervisor(
                configuration: .init(
                    camera: camera.id, stream: key.stream, url: url, transport: camera.transport,
                    openTimeout: tuning.openTimeout,
                    stallTimeout: tuning.stallTimeout, backoffCap: tuning.backoffCap,
                    onDemandCloseSeconds: onDemand[key]),
                logger: Logger(label: "kuzet.camera"))
        }
        var recorders: [String: SegmentRecorder] = [:]
        var pushes: [String: PushOutput] = [:]
        for camera in configuration.cameras {
            if let record = camera.record, let upstream = supervisors[StreamKey(camera: camera.id, stream: record)] {
                recorders[camera.id] = SegmentRecorder(
                    configuration: .init(
                        camera: camera.id, root: configuration.storage.root,
                        format: SegmentFormat(configuration.storage.format),
                        segmentSeconds: Double(configuration.storage.segmentSeconds)),
                    fanout: upstream.fanout, events: events, clockTrusted: clockTrusted)
            }
            if let push = camera.push, let upstream = supervisors[StreamKey(camera: camera.id, stream: push)],
                let url = configuration.centre?.pushURL(school: configuration.school.id, camera: camera.id)
            {
                pushes[camera.id] = PushOutput(
                    configuration: .init(
                        camera: camera.id, url: url, openTimeout: tuning.pushOpenTimeout, backoffCap: tuning.backoffCap,
                        caFile: configuration.centre?.caFile),
                    fanout: upstream.fanout)
            }
        }
        if !pushes.isEmpty, let push = configuration.centre?.push, let pushProtocol = PushProtocol.of(url: push),
            pushProtocol.encryptedUnverified
        {
            logger.warning(
                "centre.push: \(pushProtocol.scheme):// is encrypted but the centre's certificate is not checked (FFmpeg 5.1's RTSP client cannot) — use \(PushProtocol.schemes(where: \.verifiesCertificate)) with centre.ca_file to have it checked"
            )
        }
        self.supervisors = supervisors
        self.recorders = recorders
        self.pushes = pushes
        logger.info(
            "media runtime built",
            metadata: [
                "cameras": .stringConvertible(configuration.cameras.count),
                "upstreams": .stringConvertible(supervisors.count),
                "recorders": .stringConvertible(recorders.count), "pushes": .stringConvertible(pushes.count),
            ])
    }

    /// The fan-out of one camera stream, if that upstream is open (for the relay).
    public func fanout(camera: String, stream: AgentConfiguration.Camera.StreamChoice) -> PacketFanout? {
        supervisors[StreamKey(camera: camera, stream: stream)]?.fanout
    }

    /// Holds one camera stream open until the hold is released (or goes away): a relay client, or
    /// a `live` push the centre asked for. For a camera with `record: false` this opens its upstream
    /// (the first packets follow within the camera's connect time, see ``PacketFanout/stream``) and
    /// the upstream closes `on_demand_close_seconds` after the last hold is released. For a stream
    /// that is always open (recorded or pushed) the hold changes nothing. nil: no such camera stream.
    ///
    /// Subscribe to ``fanout(camera:stream:)`` for the packets while holding.
    public func demand(camera: String, stream: AgentConfiguration.Camera.StreamChoice) -> StreamDemand.Hold? {
        fanout(camera: camera, stream: stream)?.demand.acquire()
    }

    /// Starts consumers first (so they see the first keyframe), then the upstreams.
    public func start() {
        for recorder in recorders.values { recorder.start() }
        for push in pushes.values { push.start() }
        for supervisor in supervisors.values { supervisor.start() }
    }

    /// Stops upstreams (consumers receive `.ended`), then lets recorders finish their open
    /// segments and pushes close. Blocks (joins threads): call it off the cooperative pool.
    public func stop() {
        let upstreams = Array(supervisors.values)
        DispatchQueue.concurrentPerform(iterations: upstreams.count) { upstreams[$0].stop() }
        let recorders = Array(self.recorders.values)
        DispatchQueue.concurrentPerform(iterations: recorders.count) { recorders[$0].stop() }
        let pushes = Array(self.pushes.values)
        DispatchQueue.concurrentPerform(iterations: pushes.count) { pushes[$0].stop() }
    }

    public func snapshot() -> AgentState {
        let cameras = configuration.cameras.map { camera in
            var streams: [String: StreamState] = [:]
            for choice in AgentConfiguration.Camera.StreamChoice.allCases {
                if let supervisor = supervisors[StreamKey(camera: camera.id, stream: choice)] {
                    streams[choice.rawValue] = supervisor.state
                }
            }
            return AgentState.Camera(
                id: camera.id, streams: streams, recording: recorders[camera.id]?.state, push: pushes[camera.id]?.state)
        }
        return AgentState(cameras: cameras, takenAt: Date())
    }
}
