import Foundation
import KuzetMedia
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Feeds every relay client of one camera stream from one thread: it reads the stream's fan-out
/// through one ``PacketQueue``, packetizes each frame once per payload form (libavformat's `rtp`
/// muxer; every client of the stream shares its SSRC and sequence numbers, as in MediaMTX and
/// gst-rtsp-server) and hands the packets to each client's connection without ever waiting for it.
///
/// Threads: one per camera stream that has clients, not one per client. A client that does not
/// read fills only its own connection buffer (``RelayClient/bufferLimit``); its frames are then
/// dropped for it alone (counted, resumed at a keyframe), and after ``slowClientTimeout`` seconds
/// of that it is closed. The camera's ingest, the recorder and the other clients never wait.
final class RelayStreamPump: Sendable {
    let camera: String
    private let fanout: PacketFanout
    private let queue: PacketQueue
    private let statistics: RelayStatistics
    private let logger: Logger
    private let slowClientTimeout: Double
    private let clients = NIOLockedValueBox<[ObjectIdentifier: RelayClient]>([:])
    private let stopped = NIOLockedValueBox(false)
    /// Asked when the pump has no client left: true when the pump may end (nobody was added meanwhile).
    private let retire: @Sendable (RelayStreamPump) -> Bool

    init(
        camera: String, fanout: PacketFanout, capacity: Int, statistics: RelayStatistics, logger: Logger,
        slowClientTimeout: Double,
        retire: @escaping @Sendable (RelayStreamPump) -> Bool
    ) {
        self.camera = camera
        self.fanout = fanout
        // An on-demand stream replays its last keyframe onward: the client that opened it does not
        // wait for the camera's next one.
        self.queue = fanout.subscribe(name: "relay \(camera)", capacity: capacity, replayingLastGOP: true)
        self.statistics = statistics
        self.logger = logger
        self.slowClientTimeout = slowClientTimeout
        self.retire = retire
    }

    func start() {
        let thread = Thread { [self] in
            run()
            fanout.unsubscribe(queue)
        }
        thread.name = "kuzet.relay.\(camera)"
        thread.start()
    }

    func add(_ client: RelayClient) {
        clients.withLockedValue { $0[ObjectIdentifier(client)] = client }
        statistics.clientStarted(camera)
    }

    func remove(_ client: RelayClient) {
        client.stop()
        if clients.withLockedValue({ $0.removeValue(forKey: ObjectIdentifier(client)) }) != nil {
            statistics.clientStopped(camera)
        }
    }

    var isEmpty: Bool { clients.withLockedValue { $0.isEmpty } }

    /// Ends the thread within one pop timeout (at relay shutdown).
    func stop() {
        stopped.withLockedValue { $0 = true }
        queue.close()
    }

    /// What the pump's thread keeps about one client.
    struct ClientState {
        /// Joined mid-GOP, or frames were dropped: nothing until the next video keyframe.
        var waitingForKeyframe = true
        /// Since when the client could not take a frame (nil while it keeps up).
        var stalledSince: NIODeadline?
        var closed = false
    }

    /// Figures not yet added to ``RelayStatistics`` (added about once a second).
    struct Unreported {
        var dropped = 0
        var sentBytes = 0
        var lastReport = NIODeadline.now()
    }

    private func run() {
        var stream: MediaStreamInfo?
        var packetizers: [RTPPacketizer.Payload: RTPPacketizer] = [:]
        var failedPayloads: Set<RTPPacketizer.Payload> = []
        var states: [ObjectIdentifier: ClientState] = [:]
        var unreported = Unreported()
        var lastQueueDrops = 0
        while !stopped.withLockedValue({ $0 }) {
            let snapshot = clients.withLockedValue { $0 }
            if snapshot.isEmpty && retire(self) { break }
            states = states.filter { snapshot[$0.key] != nil }
            switch queue.pop(timeout: 0.25) {
            case .stream(let info):
                stream = info
                packetizers = [:]
                failedPayloads = []
                for key in states.keys { states[key]?.waitingForKeyframe = true }
            case .packet(let packet):
                guard let stream else { break }
                // Each payload form is packetized once, and only if some client takes this frame.
                var packetized: [RTPPacketizer.Payload: [RTPPacket]] = [:]
                func packets(for payload: RTPPacketizer.Payload) -> [RTPPacket] {
                    if let done = packetized[payload] { return done }
                    var packetizer = packetizers[payload]
                    if packetizer == nil && !failedPayloads.contains(payload) {
                        do {
                            packetizer = try RTPPacketizer(stream: stream, title: camera, payload: payload)
                            packetizers[payload] = packetizer
                        } catch {
                            failedPayloads.insert(payload)
                            logger.warning(
                                "relay cannot packetize the stream",
                                metadata: ["camera.id": "\(camera)", "error": "\(error)"])
                        }
                    }
                    let result = packetizer?.packetize(packet) ?? []
                    packetized[payload] = result
                    return result
                }
                let video = stream.videoTrackIndex
                let startsGOP = video == nil || (packet.trackIndex == video && packet.isKeyframe)
                var framed: [[Int: RTSPTransport]: ByteBuffer] = [:]
                let now = NIODeadline.now()
                for (key, client) in snapshot where !client.isStopped {
                    var state = states[key] ?? ClientState()
                    defer { states[key] = state }
                    if state.closed { continue }
                    if state.waitingForKeyframe && !startsGOP {
                        unreported.dropped += 1
                        continue
                    }
                    guard client.canTakeMore else {
                        unreported.dropped += 1
                        state.waitingForKeyframe = true
                        let since = state.stalledSince ?? now
                        state.stalledSince = since
                        let stalled = Double((now - since).nanoseconds) / 1e9
                        if client.isInterleaved && stalled >= slowClientTimeout {
                            state.closed = true
                            closeSlow(client, stalledFor: stalled)
                        }
                        continue
                    }
                    state.stalledSince = nil
                    state.waitingForKeyframe = false
                    unreported.sentBytes += deliver(packets(for: client.payload), to: client, framed: &framed)
                }
            case .discontinuity, .ended:
                for key in states.keys { states[key]?.waitingForKeyframe = true }
            case nil:
                break
            }
            if now(isAtLeast: 1, after: unreported.lastReport) {
                let queueDrops = queue.dropped
                // The pump's own queue overflowing (this thread fell behind) drops for every client.
                unreported.dropped += (queueDrops - lastQueueDrops) * max(snapshot.count, 1)
                lastQueueDrops = queueDrops
                statistics.add(camera: camera, dropped: unreported.dropped, sentBytes: unreported.sentBytes)
                unreported = Unreported()
            }
        }
        statistics.add(camera: camera, dropped: unreported.dropped, sentBytes: unreported.sentBytes)
    }

    /// Timings on NIO's monotonic clock (uptime), never the wall clock, which may be stepped.
    private func now(isAtLeast seconds: Double, after instant: NIODeadline) -> Bool {
        Double((NIODeadline.now() - instant).nanoseconds) / 1e9 >= seconds
    }

    private func closeSlow(_ client: RelayClient, stalledFor seconds: Double) {
        statistics.record(.slowClient)
        logger.warning(
            "relay closed a client that stopped reading",
            metadata: [
                "camera.id": "\(camera)", "client.address": "\(client.target.clientAddress?.description ?? "?")",
                "relay.stalled_seconds": "\(Int(seconds))",
            ])
        client.target.control.close(promise: nil)
    }

    /// Sends one frame's packets to one client; returns the bytes handed to the network.
    /// `framed` keeps the interleaved form per channel mapping, so clients with the same mapping
    /// share one buffer (a `ByteBuffer` is copy-on-write).
    private func deliver(
        _ packets: [RTPPacket], to client: RelayClient, framed: inout [[Int: RTSPTransport]: ByteBuffer]
    ) -> Int {
        guard !packets.isEmpty else { return 0 }
        var bytes = 0
        var datagrams: [(rtcp: Bool, envelope: AddressedEnvelope<ByteBuffer>)] = []
        var interleaved = framed[client.target.transports]
        let frameInterleaved = interleaved == nil
        for packet in packets {
            guard let transport = client.target.transports[packet.track] else { continue }
            switch transport {
            case .interleaved(let rtp, let rtcp):
                guard frameInterleaved, packet.bytes.count <= Int(UInt16.max) else { break }
                if interleaved == nil { interleaved = ByteBuffer() }
                interleaved!.writeInteger(UInt8(ascii: "$"))
                interleaved!.writeInteger(packet.isControl ? rtcp : rtp)
                interleaved!.writeInteger(UInt16(packet.bytes.count))
                interleaved!.writeBytes(packet.bytes)
            case .udp(let rtpPort, let rtcpPort):
                guard let address = client.target.clientAddress, let ip = address.ipAddress,
                    let destination = try? SocketAddress(ipAddress: ip, port: packet.isControl ? rtcpPort : rtpPort)
                else { continue }
                datagrams.append(
                    (
                        packet.isControl,
                        AddressedEnvelope(remoteAddress: destination, data: ByteBuffer(bytes: packet.bytes))
                    ))
            }
            bytes += packet.bytes.count
        }
        if let interleaved {
            framed[client.target.transports] = interleaved
            client.write(interleaved)
        }
        client.send(datagrams: datagrams)
        return bytes
    }
}
