import KuzetConfiguration
import KuzetCore

/// How the relay listens, whom it lets in, and how much it gives any client.
public struct RelayServerConfiguration: Sendable {
    public var listen: ListenAddress
    /// The relay's own credentials (`relay.username`/`relay.password`); no auth when nil.
    public var username: String?
    public var password: String?
    public var realm: String
    /// UDP ports for RTP and RTCP to UDP clients, shared by all sessions; 0 = any free port.
    public var udpRTPPort: Int
    public var udpRTCPPort: Int
    /// Packets the relay's reader of one camera stream may fall behind before it drops to the
    /// next keyframe (for every client of that stream at once).
    public var streamQueueCapacity: Int
    /// Clients playing at once over all cameras; one more gets RTSP 503.
    public var maxClients: Int
    /// Clients playing one camera (main and sub together) at once; one more gets RTSP 453.
    public var maxClientsPerCamera: Int
    /// Open RTSP connections, playing or not; one more is answered 503 and closed.
    public var maxConnections: Int
    /// Open RTSP connections from one client address; one more from it is answered 503 and closed.
    public var maxConnectionsPerAddress: Int
    /// Seconds a connection has to deliver each whole request (or interleaved block) from its
    /// first byte, and its first request from connecting; then RTSP 408 and close.
    public var requestTimeout: Int
    /// Seconds a connection may send nothing (no request, and over TCP no RTCP either) before
    /// it is closed; announced in every `Session:` header (`timeout=`).
    public var sessionTimeout: Int
    /// Bytes handed to one client's connection and not yet written to its socket; above it the
    /// client's frames are dropped until it catches up (then it resumes at a keyframe).
    public var clientBufferBytes: Int
    /// Seconds a TCP client may stay unable to take more (not reading) before it is closed.
    public var slowClientTimeout: Double
    /// Wrong `Authorization:` headers one connection may send; the next wrong one closes it.
    public var maxFailedAuthorizations: Int
    /// Seconds a DESCRIBE or SETUP of an on-demand camera stream (`record: false`) waits for the
    /// upstream it opened to come up before it is answered 503.
    public var onDemandWait: Double

    public init(
        listen: ListenAddress, username: String? = nil, password: String? = nil, realm: String = "kuzet",
        udpRTPPort: Int = 0, udpRTCPPort: Int = 0, streamQueueCapacity: Int = 512,
        maxClients: Int = AgentConfiguration.Relay.defaultMaxClients,
        maxClientsPerCamera: Int = AgentConfiguration.Relay.defaultMaxClientsPerCamera,
        maxConnections: Int? = nil,
        maxConnectionsPerAddress: Int = AgentConfiguration.Relay.defaultMaxConnectionsPerAddress,
        requestTimeout: Int = AgentConfiguration.Relay.defaultRequestTimeoutSeconds, sessionTimeout: Int = 60,
        clientBufferBytes: Int = 512 * 1024, slowClientTimeout: Double = 10,
        maxFailedAuthorizations: Int = 5, onDemandWait: Double = 8
    ) {
        self.listen = listen
        self.username = username
        self.password = password
        self.realm = realm
        self.udpRTPPort = udpRTPPort
        self.udpRTCPPort = udpRTCPPort
        self.streamQueueCapacity = streamQueueCapacity
        self.maxClients = maxClients
        self.maxClientsPerCamera = maxClientsPerCamera
        self.maxConnections = maxConnections ?? AgentConfiguration.Relay.defaultMaxConnections(maxClients: maxClients)
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
        self.requestTimeout = requestTimeout
        self.sessionTimeout = sessionTimeout
        self.clientBufferBytes = clientBufferBytes
        self.slowClientTimeout = slowClientTimeout
        self.maxFailedAuthorizations = maxFailedAuthorizations
        self.onDemandWait = onDemandWait
    }

    /// From the agent's `relay:` section.
    public init(_ relay: AgentConfiguration.Relay) {
        self.init(
            listen: relay.listen, username: relay.username, password: relay.password, maxClients: relay.maxClients,
            maxClientsPerCamera: relay.maxClientsPerCamera, maxConnections: relay.maxConnections,
            maxConnectionsPerAddress: relay.maxConnectionsPerAddress, requestTimeout: relay.requestTimeoutSeconds)
    }
}
