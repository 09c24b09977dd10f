import Foundation
import KuzetCore
import KuzetMedia
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The agent's RTSP server (`relay.listen`): `rtsp://box:8554/<camera-id>[/sub]`, every client fed
/// from the camera's one upstream session through its own queue. Runs until graceful shutdown.
public final class RelayServer: Service, Sendable {
    /// What every connection of this server shares.
    struct Shared: Sendable {
        var configuration: RelayServerConfiguration
        var catalog: RelayCatalog
        var statistics: RelayStatistics
        var logger: Logger
        var udpChannels: (rtp: any Channel, rtcp: any Channel)
        var udpPorts: (rtp: Int, rtcp: Int)
        var admission: RelayAdmission
        var pumps: RelayStreamPumps
    }

    public let configuration: RelayServerConfiguration
    public let catalog: RelayCatalog
    public let statistics: RelayStatistics
    private let logger: Logger
    private let group: any EventLoopGroup
    private let boundPort = NIOLockedValueBox<Int?>(nil)
    private let pumps: RelayStreamPumps
    private let connections: RelayConnections
    private let admission: RelayAdmission

    public init(
        configuration: RelayServerConfiguration, catalog: RelayCatalog, statistics: RelayStatistics = RelayStatistics(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger = Logger(label: "kuzet.relay")
    ) {
        self.configuration = configuration
        self.catalog = catalog
        self.statistics = statistics
        self.group = group
        self.logger = logger
        self.pumps = RelayStreamPumps(
            capacity: configuration.streamQueueCapacity, slowClientTimeout: configuration.slowClientTimeout, statistics: statistics, logger: logger)
        self.connections = RelayConnections(limit: configuration.maxConnections)
        self.admission = RelayAdmission(maxClients: configuration.maxClients, maxClientsPerCamera: configuration.maxClientsPerCamera)
    }

    /// Clients holding a place under `relay.max_clients` now.
    public var playingClients: Int { admission.playing }

    /// Threads feeding clients now: one per camera stream being played, whatever the number of clients.
    public var pumpThreads: Int { pumps.count }
    /// RTSP connections open now (playing or not).
    public var openConnections: Int { connections.count }

    /// The TCP port once listening (useful when configured with port 0).
    public var port: Int? { boundPort.withLockedValue { $0 } }

    public func run() async throws {
        let host = configuration.listen.host
        let rtp: any Channel, rtcp: any Channel
        do {
            rtp = try await DatagramBootstrap(group: group).bind(host: host, port: configuration.udpRTPPort).get()
            do {
                rtcp = try await DatagramBootstrap(group: group).bind(host: host, port: configuration.udpRTCPPort).get()
            } catch {
                try? await rtp.close()
                throw error
            }
        } catch {
            logger.error("relay.listen: cannot open UDP ports on \(host) (\(error)) — check the address; the agent keeps recording without the relay")
            try? await gracefulShutdown()
            return
        }
        let shared = Shared(
            configuration: configuration, catalog: catalog, statistics: statistics, logger: logger, udpChannels: (rtp, rtcp),
            udpPorts: (rtp.localAddress?.port ?? 0, rtcp.localAddress?.port ?? 0),
            admission: admission, pumps: pumps)
        let connections = connections
        let statistics = statistics
        let logger = logger
        let server: any Channel
        do {
            server = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(
                    .writeBufferWaterMark, value: .init(low: configuration.clientBufferBytes / 2, high: max(configuration.clientBufferBytes, 2)))
                .childChannelInitializer { channel in
                    let admitted = connections.add(channel)
                    if !admitted.accepted {
                        statistics.record(.maxConnections)
                        if admitted.firstRefusal {
                            logger.warning(
                                "relay.max_connections: \(connections.limit) RTSP connections are open; more are answered 503 and closed — raise relay.max_connections if they are legitimate")
                        }
                        return channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(RelayRefusingHandler()) }
                    }
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RTSPMessageDecoder()))
                        try channel.pipeline.syncOperations.addHandler(RelayConnectionHandler(server: shared, remoteAddress: channel.remoteAddress))
                    }
                }
                .bind(host: host, port: configuration.listen.port).get()
        } catch {
            try? await rtp.close()
            try? await rtcp.close()
            // The relay is not worth losing footage for: say what to fix, keep the agent recording.
            logger.error("relay.listen: cannot listen on \(configuration.listen) (\(error)) — choose a free port or address; the agent keeps recording without the relay")
            try? await gracefulShutdown()
            return
        }
        boundPort.withLockedValue { $0 = server.localAddress?.port }
        logger.info(
            "relay listening",
            metadata: ["relay.listen": "\(configuration.listen)", "relay.udp_ports": "\(shared.udpPorts.rtp)-\(shared.udpPorts.rtcp)", "relay.auth": "\(configuration.username != nil)"])
        try? await gracefulShutdown()
        try? await server.close()
        await connections.closeAll()
        pumps.stopAll()
        try? await rtp.close()
        try? await rtcp.close()
        logger.info("relay stopped")
    }
}

/// The open client connections, at most `limit` (`relay.max_connections`), closed at shutdown.
final class RelayConnections: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var refusalLogged = false
    }
    let limit: Int
    private let state = NIOLockedValueBox(State())

    init(limit: Int) { self.limit = limit }

    /// Counts `channel` in, unless `limit` connections are open (then it is to be refused;
    /// `firstRefusal` says whether this is the first refusal since the count was last below it).
    func add(_ channel: any Channel) -> (accepted: Bool, firstRefusal: Bool) {
        let key = ObjectIdentifier(channel)
        let result = state.withLockedValue { state -> (Bool, Bool) in
            guard state.channels.count < limit else {
                defer { state.refusalLogged = true }
                return (false, !state.refusalLogged)
            }
            state.channels[key] = channel
            return (true, false)
        }
        guard result.0 else { return result }
        channel.closeFuture.whenComplete { [state, limit] _ in
            state.withLockedValue { state in
                state.channels.removeValue(forKey: key)
                if state.channels.count < limit { state.refusalLogged = false }
            }
        }
        return result
    }

    var count: Int { state.withLockedValue { $0.channels.count } }

    func closeAll() async {
        for channel in state.withLockedValue({ Array($0.channels.values) }) { try? await channel.close() }
    }
}

public struct RelayError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
