import Foundation
import KuzetCore

/// The agent's configuration, as in `shared/CONTRACT.md` ("Agent configuration").
///
/// Built only through ``AgentConfiguration/load(path:)`` or ``AgentConfiguration/parse(yaml:baseDirectory:)``,
/// which validate every key and report every problem at once.
public struct AgentConfiguration: Sendable, Equatable {
    public var school: School
    public var storage: Storage
    public var retention: Retention
    public var registry: Registry?
    public var centre: Centre?
    public var relay: Relay?
    public var status: Status
    public var cameras: [Camera]
    /// `health:` (issue 23): picture-health sampling, on by default.
    public var health = Health()

    public init(
        school: School, storage: Storage, retention: Retention = .init(), registry: Registry? = nil,
        centre: Centre? = nil, relay: Relay? = nil, status: Status = .init(), cameras: [Camera]
    ) {
        self.school = school
        self.storage = storage
        self.retention = retention
        self.registry = registry
        self.centre = centre
        self.relay = relay
        self.status = status
        self.cameras = cameras
    }

    public typealias School = SchoolIdentity

    public struct Storage: Sendable, Equatable {
        public enum Format: String, Sendable, Equatable, CaseIterable {
            /// What each means on disk (container, file extension) is the segment store's `SegmentFormat`.
            case fmp4, mpegts
        }
        public var root: String
        public var format: Format
        public var segmentSeconds: Int
        public init(root: String, format: Format = .fmp4, segmentSeconds: Int = 60) {
            self.root = root
            self.format = format
            self.segmentSeconds = segmentSeconds
        }
    }

    public struct Retention: Sendable, Equatable {
        /// The legal minimum of days of footage a school keeps.
        public static let legalMinimumDays = 30
        public var days: Int
        public var minFreePercent: Double
        public init(days: Int = Retention.legalMinimumDays, minFreePercent: Double = 5) {
            self.days = days
            self.minFreePercent = minFreePercent
        }
    }

    public struct Registry: Sendable, Equatable {
        public var url: String
        public var tokenFile: String?
        public var intervalSeconds: Int
        public var caFile: String?
        public var clientCert: String?
        public var clientKey: String?
        public var outbox: String
        public init(
            url: String, tokenFile: String? = nil, intervalSeconds: Int = 30, caFile: String? = nil,
            clientCert: String? = nil, clientKey: String? = nil, outbox: String = "/var/lib/kuzet/outbox"
        ) {
            self.url = url
            self.tokenFile = tokenFile
            self.intervalSeconds = intervalSeconds
            self.caFile = caFile
            self.clientCert = clientCert
            self.clientKey = clientKey
            self.outbox = outbox
        }
    }

    public struct Centre: Sendable, Equatable {
        /// A URL template with `{school}` and `{camera}` placeholders (rtmp://, rtmps://, rtsp:// or srt://).
        public var push: String?
        public var maxKbps: Int
        /// PEM certificates of the authorities an `rtmps://` centre's certificate must chain to,
        /// instead of the system's (`centre.ca_file`). The certificate is verified either way.
        public var caFile: String?
        public init(push: String? = nil, maxKbps: Int = 8000, caFile: String? = nil) {
            self.push = push
            self.maxKbps = maxKbps
            self.caFile = caFile
        }

        /// The push URL for one camera, placeholders filled in.
        public func pushURL(school: String, camera: String) -> String? {
            push.map {
                $0.replacingOccurrences(of: "{school}", with: school).replacingOccurrences(of: "{camera}", with: camera)
            }
        }
    }

    public struct Relay: Sendable, Equatable {
        public var listen: ListenAddress
        public var username: String?
        public var password: String?
        /// Clients playing at once, over all cameras (`relay.max_clients`); more get RTSP 503.
        public var maxClients: Int
        /// Clients playing one camera stream at once (`relay.max_clients_per_camera`); more get RTSP 453.
        public var maxClientsPerCamera: Int
        /// Open RTSP connections, playing or not (`relay.max_connections`); more are answered 503 and closed.
        public var maxConnections: Int
        /// Open RTSP connections from one client address (`relay.max_connections_per_address`);
        /// one more from it is answered 503 and closed, so one LAN machine cannot fill the relay.
        public var maxConnectionsPerAddress: Int
        /// Seconds a connection has to deliver each whole request from its first byte, and its
        /// first request from connecting (`relay.request_timeout_seconds`); then 408 and close.
        public var requestTimeoutSeconds: Int

        public static let defaultMaxClients = 100
        public static let defaultMaxClientsPerCamera = 20
        /// A ЦОУ pulling 16 cameras' main and sub streams holds 32 connections.
        public static let defaultMaxConnectionsPerAddress = 32
        public static let defaultRequestTimeoutSeconds = 10

        public init(
            listen: ListenAddress, username: String? = nil, password: String? = nil,
            maxClients: Int = Relay.defaultMaxClients,
            maxClientsPerCamera: Int = Relay.defaultMaxClientsPerCamera, maxConnections: Int? = nil,
            maxConnectionsPerAddress: Int = Relay.defaultMaxConnectionsPerAddress,
            requestTimeoutSeconds: Int = Relay.defaultRequestTimeoutSeconds
        ) {
            self.listen = listen
            self.username = username
            self.password = password
            self.maxClients = maxClients
            self.maxClientsPerCamera = maxClientsPerCamera
            self.maxConnections = maxConnections ?? Self.defaultMaxConnections(maxClients: maxClients)
            self.maxConnectionsPerAddress = maxConnectionsPerAddress
            self.requestTimeoutSeconds = requestTimeoutSeconds
        }

        /// Room for every playing client plus as many connections still logging in or describing.
        public static func defaultMaxConnections(maxClients: Int) -> Int { maxClients + 100 }
    }

    public struct Status: Sendable, Equatable {
        public var listen: ListenAddress
        public var password: String?
        /// `status.time_zone`: the zone the status page shows times in (Asia/Almaty by default).
        public var timeZone: PageTimeZone
        public init(
            listen: ListenAddress = ListenAddress(host: "127.0.0.1", port: 8080), password: String? = nil,
            timeZone: PageTimeZone = .almaty
        ) {
            self.listen = listen
            self.password = password
            self.timeZone = timeZone
        }
    }

    public struct Camera: Sendable, Equatable, Identifiable {
        public enum Transport: String, Sendable, Equatable, CaseIterable { case tcp, udp }
        public typealias StreamChoice = KuzetCore.StreamChoice

        public var id: String
        public var url: String
        public var subURL: String?
        public var username: String?
        /// The password itself (from `password:` or read from `password_file:`). Never logged.
        public var password: String?
        public var transport: Transport
        /// The stream the recorder takes, or nil when `record: false`.
        public var record: StreamChoice?
        /// The stream pushed live to the ЦОУ, or nil when `push: false` (the default).
        public var push: StreamChoice?
        /// With `record: false`, the camera's streams (other than a pushed one) are opened only while
        /// a relay client or an on-demand push needs them, and closed this many seconds after the last
        /// one leaves (`on_demand_close_seconds`).
        public var onDemandCloseSeconds: Int

        public static let defaultOnDemandCloseSeconds = 20

        public init(
            id: String, url: String, subURL: String? = nil, username: String? = nil, password: String? = nil,
            transport: Transport = .tcp, record: StreamChoice? = .main, push: StreamChoice? = nil,
            onDemandCloseSeconds: Int = Camera.defaultOnDemandCloseSeconds
        ) {
            self.id = id
            self.url = url
            self.subURL = subURL
            self.username = username
            self.password = password
            self.transport = transport
            self.record = record
            self.push = push
            self.onDemandCloseSeconds = onDemandCloseSeconds
        }

        /// The URL of one of the camera's streams, without credentials.
        public func url(of stream: StreamChoice) -> String? {
            switch stream {
            case .main: url
            case .sub: subURL
            }
        }

        /// The URL of one stream with the camera's credentials in it, as libavformat wants it.
        public func authenticatedURL(of stream: StreamChoice) -> String? {
            guard let plain = url(of: stream) else { return nil }
            return CredentialRedaction.inserting(username: username, password: password, into: plain)
        }
    }
}
