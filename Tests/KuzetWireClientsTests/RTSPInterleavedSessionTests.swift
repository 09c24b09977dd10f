import Testing

@testable import KuzetWireClients

/// What our RTSP-over-TCP reader sets up from a camera's DESCRIBE answer.
struct RTSPInterleavedSessionTests {
    /// In the form Hikvision cameras answer (video, audio and an ONVIF metadata track, absolute
    /// control URLs); typed from public examples, not a byte capture.
    static let hikvisionStyle = """
        v=0\r
        o=- 1109162014219182 1109162014219192 IN IP4 x.y.z.w\r
        s=Media Presentation\r
        e=NONE\r
        b=AS:5050\r
        t=0 0\r
        a=control:rtsp://10.0.0.64:554/Streaming/Channels/101/?transportmode=unicast\r
        m=video 0 RTP/AVP 96\r
        c=IN IP4 0.0.0.0\r
        b=AS:5000\r
        a=recvonly\r
        a=x-dimensions:1920,1080\r
        a=control:rtsp://10.0.0.64:554/Streaming/Channels/101/trackID=1?transportmode=unicast\r
        a=rtpmap:96 H264/90000\r
        a=fmtp:96 profile-level-id=420029; packetization-mode=1; sprop-parameter-sets=Z00AKp2oHgCJ+WbgICAoAAADAAgAAAMBlCA=,aO48gA==\r
        m=audio 0 RTP/AVP 8\r
        c=IN IP4 0.0.0.0\r
        b=AS:50\r
        a=recvonly\r
        a=control:rtsp://10.0.0.64:554/Streaming/Channels/101/trackID=2?transportmode=unicast\r
        a=rtpmap:8 PCMA/8000\r
        m=application 0 RTP/AVP 107\r
        c=IN IP4 0.0.0.0\r
        b=AS:50\r
        a=recvonly\r
        a=control:rtsp://10.0.0.64:554/Streaming/Channels/101/trackID=3?transportmode=unicast\r
        a=rtpmap:107 isapi.metadata/90000\r

        """

    @Test func onlyVideoAndAudioMediaAreSetUpAndHandedToTheDemuxer() throws {
        let description = try SessionDescriptionText(Self.hikvisionStyle)
        #expect(description.media.map(\.payloadType) == [96, 8])
        #expect(
            description.media.map(\.control) == [
                "rtsp://10.0.0.64:554/Streaming/Channels/101/trackID=1?transportmode=unicast",
                "rtsp://10.0.0.64:554/Streaming/Channels/101/trackID=2?transportmode=unicast",
            ])
        #expect(description.control == "rtsp://10.0.0.64:554/Streaming/Channels/101/?transportmode=unicast")
        #expect(!description.text.contains("m=application"))
        #expect(!description.text.contains("isapi.metadata"))
        #expect(description.text.contains("a=rtpmap:8 PCMA/8000\r\n"))
        #expect(description.text.hasPrefix("v=0\r\n"))
    }

    @Test func relativeControlsResolveAgainstTheContentBase() {
        #expect(
            RTSPInterleavedSession.controlURL("stream=0", base: "rtsp://127.0.0.1:8554/cam1/")
                == "rtsp://127.0.0.1:8554/cam1/stream=0")
        #expect(
            RTSPInterleavedSession.controlURL("trackID=1", base: "rtsp://10.0.0.5/live")
                == "rtsp://10.0.0.5/live/trackID=1")
        #expect(RTSPInterleavedSession.controlURL("*", base: "rtsp://10.0.0.5/live/") == "rtsp://10.0.0.5/live/")
        #expect(
            RTSPInterleavedSession.controlURL("rtsp://10.0.0.5/other", base: "rtsp://10.0.0.5/live/")
                == "rtsp://10.0.0.5/other")
    }

    @Test func aDescriptionWithoutVideoOrAudioHasNoMedia() throws {
        let description = try SessionDescriptionText(
            "v=0\r\ns=metadata only\r\nm=application 0 RTP/AVP 107\r\na=control:trackID=3\r\n")
        #expect(description.media.isEmpty)
    }
}
