import Foundation
import KuzetMedia
import NIOConcurrencyHelpers
import NIOCore

/// One playing RTSP client, as its camera stream's ``RelayStreamPump`` sees it: where its packets
/// go, and how much of them its connection still holds.
///
/// The client's own bounded buffer is its connection's outbound buffer: the pump hands it a frame
/// only while the connection is writable and holds less than ``bufferLimit`` bytes not yet on the
/// socket; otherwise the frame is dropped for this client alone (counted) and it resumes at the
/// next keyframe. No thread of its own, and nothing anyone else waits for.
final class RelayClient: Sendable {
    struct Target: Sendable {
        var control: any Channel
        var transports: [Int: RTSPTransport]
        /// The relay's UDP sockets and the client's address, for UDP transports.
        var udp: (rtp: any Channel, rtcp: any Channel)?
        var clientAddress: SocketAddress?
    }

    let camera: String
    let payload: RTPPacketizer.Payload
    let target: Target
    let bufferLimit: Int
    /// Bytes written to the connection and not yet on its socket.
    private let pending = NIOLockedValueBox(0)
    private let stopped = NIOLockedValueBox(false)

    init(camera: String, payload: RTPPacketizer.Payload, target: Target, bufferLimit: Int) {
        self.camera = camera
        self.payload = payload
        self.target = target
        self.bufferLimit = bufferLimit
    }

    var isStopped: Bool { stopped.withLockedValue { $0 } || !target.control.isActive }
    func stop() { stopped.withLockedValue { $0 = true } }

    /// True when the client uses interleaved TCP for some track (then its connection's
    /// back-pressure decides), false for UDP only.
    var isInterleaved: Bool {
        target.transports.values.contains { if case .interleaved = $0 { true } else { false } }
    }

    /// Whether the client can take another frame now.
    var canTakeMore: Bool {
        if isInterleaved {
            return target.control.isWritable && pending.withLockedValue { $0 } < bufferLimit
        }
        return target.udp?.rtp.isWritable ?? false
    }

    /// Hands `interleaved` (already framed) to the connection, counting it until it is written.
    func write(_ interleaved: ByteBuffer) {
        let bytes = interleaved.readableBytes
        pending.withLockedValue { $0 += bytes }
        target.control.writeAndFlush(interleaved).whenComplete { [pending] _ in pending.withLockedValue { $0 -= bytes }
        }
    }

    /// Sends datagrams through the relay's UDP sockets (UDP never waits: a full socket buffer
    /// drops the frame for this client).
    func send(datagrams: [(rtcp: Bool, envelope: AddressedEnvelope<ByteBuffer>)]) {
        guard let udp = target.udp, !datagrams.isEmpty else { return }
        udp.rtp.eventLoop.execute {
            for datagram in datagrams {
                (datagram.rtcp ? udp.rtcp : udp.rtp).write(datagram.envelope, promise: nil)
            }
            udp.rtp.flush()
            udp.rtcp.flush()
        }
    }
}
