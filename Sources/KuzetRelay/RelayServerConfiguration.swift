import KuzetCore

/// How the relay listens and whom it lets in.
public struct RelayServerConfiguration: Sendable {
    public var listen: ListenAddress
    /// The relay's own credentials (`relay.username`/`relay.password`); no auth when nil.
    public var username: String?
    public var password: String?
    public var realm: String
    /// UDP ports for RTP and RTCP to UDP clients, shared by all sessions; 0 = any free port.
    public var udpRTPPort: Int
    public var udpRTCPPort: Int
    /// Packets a client may fall behind before it drops to the next keyframe.
    public var clientQueueCapacity: Int

    public init(
        listen: ListenAddress, username: String? = nil, password: String? = nil, realm: String = "kuzet",
        udpRTPPort: Int = 0, udpRTCPPort: Int = 0, clientQueueCapacity: Int = 512
    ) {
        self.listen = listen
        self.username = username
        self.password = password
        self.realm = realm
        self.udpRTPPort = udpRTPPort
        self.udpRTCPPort = udpRTCPPort
        self.clientQueueCapacity = clientQueueCapacity
    }

    /// From the agent's `relay:` section.
    public init(_ relay: AgentConfiguration.Relay) {
        self.init(listen: relay.listen, username: relay.username, password: relay.password)
    }
}
