import Foundation
import KuzetMedia
import KuzetTestKit
import Testing

@Suite struct RTPPacketizerTests {
    /// Reads the test file through a fan-out, as a relay client would, and packetizes it.
    func packetize(audio: Bool) throws -> (sdp: String, packets: [RTPPacket]) {
        let directory = try TemporaryDirectory(prefix: "kuzet-rtp")
        let fanout = PacketFanout()
        let queue = fanout.subscribe(name: "test", capacity: 10_000)
        let source = RTPPacedSource(
            url: try RelayTestMedia.make(in: directory, seconds: 2, audio: audio), fanout: fanout)
        try source.start()
        defer { source.stop() }
        var packetizer: RTPPacketizer?
        var packets: [RTPPacket] = []
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline, let item = queue.pop(timeout: 1) {
            switch item {
            case .stream(let info): packetizer = try RTPPacketizer(stream: info, title: "entrance")
            case .packet(let packet): packets += packetizer?.packetize(packet) ?? []
            default: break
            }
            if packets.count > 200 { break }
        }
        return (try #require(packetizer).sessionDescription, packets)
    }

    @Test func describesH264WithItsParameterSetsAndTrackControls() throws {
        let (sdp, _) = try packetize(audio: true)
        #expect(sdp.contains("s=entrance"))
        #expect(sdp.contains("m=video 0 RTP/AVP 96"))
        #expect(sdp.contains("a=rtpmap:96 H264/90000"))
        #expect(sdp.contains("sprop-parameter-sets="))
        #expect(sdp.contains("a=control:streamid=0"))
        #expect(sdp.contains("m=audio 0 RTP/AVP 97"))
        #expect(sdp.contains("a=control:streamid=1"))
        #expect(sdp.contains("c=IN IP4 0.0.0.0"))
    }

    @Test func writesRTPVersion2WithTheAnnouncedPayloadTypeAndSequentialNumbers() throws {
        let (_, packets) = try packetize(audio: false)
        let media = packets.filter { !$0.isControl }
        #expect(media.count > 100)
        #expect(media.allSatisfy { $0.bytes[0] >> 6 == 2 && $0.bytes[1] & 0x7f == 96 && $0.bytes.count <= 1400 })
        let sequence = media.map { UInt16($0.bytes[2]) << 8 | UInt16($0.bytes[3]) }
        #expect(zip(sequence, sequence.dropFirst()).allSatisfy { $1 == $0 &+ 1 })
        #expect(packets.contains { $0.isControl && $0.bytes[1] == 200 }, "an RTCP sender report goes out first")
    }
}
