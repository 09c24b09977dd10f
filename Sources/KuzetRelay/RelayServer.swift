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
            capacity: configuration.streamQueueCapacity, slowClientTimeout: configuration.slowClientTimeout,
            statistics: statistics, logger: logger)
        self.connections = RelayConnections(
            limit: configuration.maxConnections, perAddressLimit: configuration.maxConnectionsPerAddress)
        self.admission = RelayAdmission(
            maxClients: configuration.maxClients, maxClientsPerCamera: configuration.maxClientsPerCamera)
    }

    /// Clients holding a place under `relay.max_clients` now.
    public var playingClients: Int { admission.playing }

    /// Threads feeding clients now: one per camera stream being played, whatever the number of clients.
    public var pumpThreads: Int { pumps.count }
    /// RTSP connections open now (playing or not).
    public var openConnections: Int { connections.count }
    /// RTSP connections open now from one client address (as `SocketAddress.ipAddress` gives it).
    public func openConnections(from address: String) -> Int { connections.count(from: address) }

    /// The TCP port once listening (useful when configured with port 0).
    public var port: Int? { boundPort.withLockedValue { $0 } }

    public func run() async throws {
        let host = configuration.listen.host
        let rtp: any Channel
        let rtcp: any Channel
        do {
            rtp = try await DatagramBootstrap(group: group).bind(host: host, port: configuration.udpRTPPort).get()
            do {
                rtcp = try await DatagramBootstrap(group: group).bind(host: host, port: configuration.udpRTCPPort).get()
            } catch {
                try? await rtp.close()
                throw error
            }
        } catch {
            logger.error(
                "relay.listen: cannot open UDP ports on \(host) (\(error)) — check the address; the agent keeps recording without the relay"
            )
            try? await gracefulShutdown()
            return
        }
        let shared = Shared(
            configuration: configuration, catalog: catalog, statistics: statistics, logger: logger,
            udpChannels: (rtp, rtcp),
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
                    .writeBufferWaterMark,
                    value: .init(
                        low: configuration.clientBufferBytes / 2, high: max(configuration.clientBufferBytes, 2))
                )
                .childChannelInitializer { channel in
                    let admitted = connections.add(channel)
                    if let refusal = admitted.refusal {
                        switch refusal {
                        case .full:
                            statistics.record(.maxConnections)
                            if admitted.firstRefusal {
                                logger.warning(
                                    "relay.max_connections: \(connections.limit) RTSP connections are open; more are answered 503 and closed — raise relay.max_connections if they are legitimate"
                                )
                            }
                        case .addressFull(let address):
                            statistics.record(.maxConnectionsPerAddress)
                            if admitted.firstRefusal {
                                logger.warning(
                                    "relay.max_connections_per_address: \(address) has \(connections.perAddressLimit) RTSP connections open; more from it are answered 503 and closed — raise relay.max_connections_per_address if that client is legitimate",
                                    metadata: ["client.address": "\(address)"])
                            }
                        }
                        return channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(RelayRefusingHandler())
                        }
                    }
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RTSPMessageDecoder()))
                        try channel.pipeline.syncOperations.addHandler(
                            RelayConnectionHandler(server: shared, remoteAddress: channel.remoteAddress))
                    }
                }
                .bind(host: host, port: configuration.listen.port).get()
        } catch {
            try? await rtp.close()
            try? await rtcp.close()
            // The relay is not worth losing footage for: say what to fix, keep the agent recording.
            logger.error(
                "relay.listen: cannot listen on \(configuration.listen) (\(error)) — choose a free port or address; the agent keeps recording without the relay"
            )
            try? await gracefulShutdown()
            return
        }
        boundPort.withLockedValue { $0 = server.localAddress?.port }
        logger.info(
            "relay listening",
            metadata: [
                "relay.listen": "\(configuration.listen)",
                "relay.udp_ports": "\(shared.udpPorts.rtp)-\(shared.udpPorts.rtcp)",
                "relay.auth": "\(configuration.username != nil)",
            ])
        try? await gracefulShutdown()
        try? await server.close()
        await connections.closeAll()
        pumps.stopAll()
        try? await rtp.close()
        try? await rtcp.close()
        logger.info("relay stopped")
    }
}

/// The open client connections, at most `limit` (`relay.max_connections`) and at most
/// `perAddressLimit` (`relay.max_connections_per_address`) from one client address, closed at
/// shutdown. Both caps are checked and counted under one lock.
final class RelayConnections: Sendable {
    /// Why a connection is to be refused.
    enum Refusal: Sendable, Equatable {
        case full
        case addressFull(address: String)
    }

    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var perAddress: [String: Int] = [:]
        var refusalLogged = false
        /// Addresses at their cap whose refusal was logged (at most `limit / perAddressLimit`).
        var addressesLogged: Set<String> = []
    }
    let limit: Int
    let perAddressLimit: Int
    private let state = NIOLockedValueBox(State())

    init(limit: Int, perAddressLimit: Int) {
        self.limit = limit
        self.perAddressLimit = perAddressLimit
    }

    /// Counts `channel` in, unless its address already has `perAddressLimit` connections open or
    /// `limit` are open in all (then it is to be refused; `firstRefusal` says whether this is the
    /// first refusal of that kind, for that address, since the count was last below the cap).
    func add(_ channel: any Channel) -> (refusal: Refusal?, firstRefusal: Bool) {
        let key = ObjectIdentifier(channel)
        let address = channel.remoteAddress?.ipAddress ?? "?"
        let result = state.withLockedValue { state -> (Refusal?, Bool) in
            if state.perAddress[address, default: 0] >= perAddressLimit {
                return (.addressFull(address: address), state.addressesLogged.insert(address).inserted)
            }
            guard state.channels.count < limit else {
                defer { state.refusalLogged = true }
                return (.full, !state.refusalLogged)
            }
            state.channels[key] = channel
            state.perAddress[address, default: 0] += 1
            return (nil, false)
        }
        guard result.0 == nil else { return result }
        channel.closeFuture.whenComplete { [state, limit, perAddressLimit] _ in
            state.withLockedValue { state in
                state.channels.removeValue(forKey: key)
                let left = max(0, state.perAddress[address, default: 0] - 1)
                state.perAddress[address] = left == 0 ? nil : left
                if state.channels.count < limit { state.refusalLogged = false }
                if left < perAddressLimit { state.addressesLogged.remove(address) }
            }
        }
        return result
    }

    var count: Int { state.withLockedValue { $0.channels.count } }

    /// Connections open now from `address`.
    func count(from address: String) -> Int { state.withLockedValue { $0.perAddress[address] ?? 0 } }

    func closeAll() async {
        for channel in state.withLockedValue({ Array($0.channels.values) }) { try? await channel.close() }
    }
}

public struct RelayError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
