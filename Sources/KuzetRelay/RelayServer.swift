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
    }

    public let configuration: RelayServerConfiguration
    public let catalog: RelayCatalog
    public let statistics: RelayStatistics
    private let logger: Logger
    private let group: any EventLoopGroup
    private let boundPort = NIOLockedValueBox<Int?>(nil)

    public init(
        configuration: RelayServerConfiguration, catalog: RelayCatalog, statistics: RelayStatistics = RelayStatistics(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger = Logger(label: "kuzet.relay")
    ) {
        self.configuration = configuration
        self.catalog = catalog
        self.statistics = statistics
        self.group = group
        self.logger = logger
    }

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
            udpPorts: (rtp.localAddress?.port ?? 0, rtcp.localAddress?.port ?? 0))
        let connections = RelayConnections()
        let server: any Channel
        do {
            server = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.writeBufferWaterMark, value: .init(low: 256 * 1024, high: 1024 * 1024))
                .childChannelInitializer { channel in
                    connections.add(channel)
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
        try? await rtp.close()
        try? await rtcp.close()
        logger.info("relay stopped")
    }
}

/// The open client connections, closed at shutdown (which stops their pumps).
final class RelayConnections: Sendable {
    private let channels = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        channels.withLockedValue { $0[key] = channel }
        channel.closeFuture.whenComplete { [channels] _ in _ = channels.withLockedValue { $0.removeValue(forKey: key) } }
    }

    func closeAll() async {
        for channel in channels.withLockedValue({ Array($0.values) }) { try? await channel.close() }
    }
}

public struct RelayError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
