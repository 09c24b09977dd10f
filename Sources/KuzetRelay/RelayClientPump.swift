import Foundation
import KuzetMedia
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Feeds one playing RTSP client from its own ``PacketQueue``, on its own thread: pops packets,
/// packetizes them (libavformat's `rtp` muxer) and hands them to the client's connection.
///
/// When the client does not read, its TCP connection stops being writable and this thread waits;
/// meanwhile only this client's queue overflows (dropped, counted, resumed at a keyframe). The
/// camera's ingest, the recorder and the other clients never wait for it.
final class RelayClientPump: Sendable {
    struct Target: Sendable {
        var control: any Channel
        var transports: [Int: RTSPTransport]
        /// The relay's UDP sockets and the client's address, for UDP transports.
        var udp: (rtp: any Channel, rtcp: any Channel)?
        var clientAddress: SocketAddress?
    }

    let camera: String
    private let title: String
    private let payload: RTPPacketizer.Payload
    private let fanout: PacketFanout
    private let queue: PacketQueue
    private let target: Target
    private let statistics: RelayStatistics
    private let logger: Logger
    private let stopped = NIOLockedValueBox(false)
    private let finished = DispatchSemaphore(value: 0)

    init(camera: String, title: String, payload: RTPPacketizer.Payload, fanout: PacketFanout, capacity: Int, target: Target, statistics: RelayStatistics, logger: Logger) {
        self.camera = camera
        self.title = title
        self.payload = payload
        self.fanout = fanout
        self.queue = fanout.subscribe(name: "relay \(title)", capacity: capacity)
        self.target = target
        self.statistics = statistics
        self.logger = logger
    }

    func start() {
        statistics.clientStarted(camera)
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "kuzet.relay.\(camera)"
        thread.start()
    }

    /// Stops the thread (it notices within one pop timeout) and gives back the queue.
    func stop() {
        let wasRunning = stopped.withLockedValue { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard wasRunning else { return }
        fanout.unsubscribe(queue)
    }

    private var isStopped: Bool { stopped.withLockedValue { $0 } || !target.control.isActive }

    /// Figures not yet added to ``RelayStatistics`` (reported about once a second, also while
    /// waiting for a stalled client, so its drops show up as they happen).
    struct Unreported {
        var reportedDrops = 0
        var sentBytes = 0
        var lastReport = Date()
    }

    private func report(_ unreported: inout Unreported, force: Bool = false) {
        guard force || Date().timeIntervalSince(unreported.lastReport) >= 1 else { return }
        let dropped = queue.dropped
        statistics.add(camera: camera, dropped: dropped - unreported.reportedDrops, sentBytes: unreported.sentBytes)
        unreported = Unreported(reportedDrops: dropped, sentBytes: 0, lastReport: Date())
    }

    private func run() {
        var packetizer: RTPPacketizer?
        var currentStream: MediaStreamInfo?
        var unreported = Unreported()
        while !isStopped {
            if let item = queue.pop(timeout: 0.25) {
                switch item {
                case .stream(let stream):
                    if stream !== currentStream {
                        currentStream = stream
                        do {
                            packetizer = try RTPPacketizer(stream: stream, title: title, payload: payload)
                        } catch {
                            packetizer = nil
                            logger.warning("relay cannot packetize the stream", metadata: ["camera.id": "\(camera)", "error": "\(error)"])
                        }
                    }
                case .packet(let packet):
                    guard let packetizer else { continue }
                    let packets = packetizer.packetize(packet)
                    if !packets.isEmpty { unreported.sentBytes += send(packets, &unreported) }
                case .discontinuity, .ended:
                    break
                }
            }
            report(&unreported)
        }
        report(&unreported, force: true)
        statistics.clientStopped(camera)
        if !stopped.withLockedValue({ $0 }) { stop() }
    }

    /// Sends one frame's packets; returns the bytes handed to the network.
    private func send(_ packets: [RTPPacket], _ unreported: inout Unreported) -> Int {
        var interleaved: ByteBuffer?
        var datagrams: [(rtcp: Bool, envelope: AddressedEnvelope<ByteBuffer>)] = []
        var bytes = 0
        for packet in packets {
            guard let transport = target.transports[packet.track] else { continue }
            switch transport {
            case .interleaved(let rtp, let rtcp):
                if interleaved == nil { interleaved = target.control.allocator.buffer(capacity: packets.count * 1420) }
                interleaved!.writeInteger(UInt8(ascii: "$"))
                interleaved!.writeInteger(packet.isControl ? rtcp : rtp)
                interleaved!.writeInteger(UInt16(packet.bytes.count))
                interleaved!.writeBytes(packet.bytes)
            case .udp(let rtpPort, let rtcpPort):
                guard let address = target.clientAddress, let ip = address.ipAddress,
                    let destination = try? SocketAddress(ipAddress: ip, port: packet.isControl ? rtcpPort : rtpPort)
                else { continue }
                datagrams.append((packet.isControl, AddressedEnvelope(remoteAddress: destination, data: ByteBuffer(bytes: packet.bytes))))
            }
            bytes += packet.bytes.count
        }
        if let interleaved {
            // Back-pressure: wait for this client only (its queue drops meanwhile).
            while !target.control.isWritable && !isStopped {
                usleep(5_000)
                report(&unreported)
            }
            guard !isStopped else { return 0 }
            target.control.writeAndFlush(interleaved, promise: nil)
        }
        if !datagrams.isEmpty, let udp = target.udp {
            // UDP never waits: a full socket buffer drops the frame for this client.
            guard udp.rtp.isWritable else { return 0 }
            let batch = datagrams
            udp.rtp.eventLoop.execute {
                for datagram in batch {
                    (datagram.rtcp ? udp.rtcp : udp.rtp).write(datagram.envelope, promise: nil)
                }
                udp.rtp.flush()
                udp.rtcp.flush()
            }
        }
        return bytes
    }
}
