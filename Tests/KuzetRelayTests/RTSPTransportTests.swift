import KuzetRelay
import Testing

@Suite struct RTSPTransportTests {
    @Test func takesTheInterleavedChannelsTheClientAsksFor() {
        #expect(
            RTSPTransport.choose(from: "RTP/AVP/TCP;unicast;interleaved=2-3", nextChannel: 0)
                == .interleaved(rtp: 2, rtcp: 3))
    }

    @Test func assignsChannelsWhenATCPClientNamesNone() {
        #expect(RTSPTransport.choose(from: "RTP/AVP/TCP;unicast", nextChannel: 4) == .interleaved(rtp: 4, rtcp: 5))
    }

    @Test func takesTheClientPortsForUDP() {
        #expect(
            RTSPTransport.choose(from: "RTP/AVP;unicast;client_port=5000-5001", nextChannel: 0)
                == .udp(rtpPort: 5000, rtcpPort: 5001))
    }

    @Test func skipsMulticastForTheNextAlternative() {
        let header = "RTP/AVP;multicast;port=5000-5001,RTP/AVP/UDP;unicast;client_port=6000-6001"
        #expect(RTSPTransport.choose(from: header, nextChannel: 0) == .udp(rtpPort: 6000, rtcpPort: 6001))
    }

    @Test func findsNothingSupportedInMulticastOnly() {
        #expect(RTSPTransport.choose(from: "RTP/AVP;multicast;port=5000-5001", nextChannel: 0) == nil)
    }

    @Test func answersUDPWithTheServerPorts() {
        let value = RTSPTransport.udp(rtpPort: 5000, rtcpPort: 5001).headerValue(ssrc: nil, serverPorts: (7000, 7001))
        #expect(value == "RTP/AVP;unicast;client_port=5000-5001;server_port=7000-7001")
    }
}
