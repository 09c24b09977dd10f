import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Sends WS-Discovery Probes (multicast per interface, unicast to given hosts) and collects the
/// ProbeMatches that arrive until the timeout.
public struct WSDiscoveryClient: Sendable {
    public static let multicastGroup = "239.255.255.250"
    public static let port = 3702

    /// How many times each Probe is sent (UDP may drop; WS-Discovery's own repeat count is 2).
    public var repeats: Int
    /// Where unicast Probes go (3702 normally; a test responder may listen elsewhere).
    public var unicastPort: Int
    var logger = Logger(label: "kuzet.discovery")

    public init(repeats: Int = 2, unicastPort: Int = WSDiscoveryClient.port) {
        self.repeats = repeats
        self.unicastPort = unicastPort
    }

    /// Probes on `interfaces` (multicast) and `unicastHosts` (one datagram per host), then
    /// listens for `timeout` seconds. Answers are de-duplicated by endpoint reference.
    public func probe(interfaces: [IPv4Interface], unicastHosts: [String] = [], timeout: Double) async throws
        -> [DiscoveredDevice]
    {
        let group = MultiThreadedEventLoopGroup.singleton
        let inbox = Inbox()
        var channels: [any Channel] = []
        defer { for channel in channels { channel.close(promise: nil) } }

        let probes = [
            WSDiscoveryMessage.probe(version: .soap12),
            WSDiscoveryMessage.probe(types: "tds:Device", version: .soap12),
            WSDiscoveryMessage.probe(version: .soap11),
        ]
        for interface in interfaces {
            let channel = try await bind(group: group, host: interface.address, inbox: inbox)
            channels.append(channel)
            var outgoing = in_addr()
            if inet_pton(AF_INET, interface.address, &outgoing) == 1,
                let provider = channel as? any SocketOptionProvider
            {
                // Bound to the interface's address already; IP_MULTICAST_IF makes the choice explicit.
                _ = try? await provider.setIPMulticastIF(outgoing).get()
            }
            let destination = try SocketAddress(ipAddress: Self.multicastGroup, port: Self.port)
            for _ in 0..<repeats {
                for probe in probes { try await send(probe, to: destination, on: channel) }
            }
            logger.debug(
                "probed by multicast",
                metadata: ["net.interface": "\(interface.name)", "net.address": "\(interface.address)"])
        }
        if !unicastHosts.isEmpty {
            try await sendUnicast(
                probes: [probes[0], probes[2]], to: unicastHosts, group: group, inbox: inbox, channels: &channels,
                drainLimit: max(timeout, Double(unicastHosts.count) * 0.01))
        }
        try await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
        let devices = inbox.drain().flatMap { WSDiscoveryMessage.probeMatches($0.bytes, sender: $0.sender) }
        return WSDiscoveryMessage.deduplicated(devices)
    }

    /// Unicast Probes to every host, spread over several sockets and written without waiting for
    /// each datagram: to a host that does not exist the kernel holds the datagram until ARP gives
    /// up (~3 s), so waiting per send would take minutes for a /24. Waits for the writes to drain
    /// (at most `drainLimit` seconds) before the listening time starts.
    private func sendUnicast(
        probes: [[UInt8]], to hosts: [String], group: any EventLoopGroup, inbox: Inbox, channels: inout [any Channel],
        drainLimit: Double
    ) async throws {
        let socketCount = max(1, min(16, hosts.count / 32))
        var sockets: [any Channel] = []
        for _ in 0..<socketCount {
            let channel = try await bind(group: group, host: "0.0.0.0", inbox: inbox)
            sockets.append(channel)
            channels.append(channel)
        }
        var writes: [EventLoopFuture<Void>] = []
        for _ in 0..<repeats {
            for (index, host) in hosts.enumerated() {
                guard let destination = try? SocketAddress(ipAddress: host, port: unicastPort) else { continue }
                let channel = sockets[index % socketCount]
                for probe in probes {
                    var buffer = channel.allocator.buffer(capacity: probe.count)
                    buffer.writeBytes(probe)
                    writes.append(channel.write(AddressedEnvelope(remoteAddress: destination, data: buffer)))
                }
            }
        }
        for channel in sockets { channel.flush() }
        let drained = EventLoopFuture.whenAllComplete(writes, on: group.next())
        await withTaskGroup(of: Void.self) { race in
            race.addTask { _ = try? await drained.get() }
            race.addTask { try? await Task.sleep(for: .milliseconds(Int(drainLimit * 1000))) }
            await race.next()
            race.cancelAll()
        }
    }

    private func bind(group: any EventLoopGroup, host: String, inbox: Inbox) async throws -> any Channel {
        do {
            return try await DatagramBootstrap(group: group)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelOption(.socketOption(.so_broadcast), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(DatagramCollector(inbox: inbox))
                    }
                }
                .bind(host: host, port: 0).get()
        } catch {
            throw DiscoveryError(
                where: "WS-Discovery on \(host)", what: "cannot open a UDP socket (\(error))",
                fix: "check the interface is up and has this address")
        }
    }

    private func send(_ bytes: [UInt8], to destination: SocketAddress, on channel: any Channel) async throws {
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: destination, data: buffer))
    }
}

/// Datagrams received so far (bounded: a hostile network cannot make us hold more than 4096).
final class Inbox: Sendable {
    struct Datagram: Sendable {
        var bytes: [UInt8]
        var sender: String
    }
    private let box = Mutex<[Datagram]>([])

    func add(_ datagram: Datagram) { box.withLock { if $0.count < 4096 { $0.append(datagram) } } }
    func drain() -> [Datagram] {
        box.withLock { items in
            defer { items = [] }
            return items
        }
    }
}

private final class DatagramCollector: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let inbox: Inbox
    init(inbox: Inbox) { self.inbox = inbox }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var envelope = unwrapInboundIn(data)
        guard let bytes = envelope.data.readBytes(length: envelope.data.readableBytes),
            let sender = envelope.remoteAddress.ipAddress
        else { return }
        inbox.add(.init(bytes: bytes, sender: sender))
    }
}
