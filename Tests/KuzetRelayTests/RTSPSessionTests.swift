import KuzetRelay
import Testing

@Suite struct RTSPSessionTests {
    static let sdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=entrance\r\nm=video 0 RTP/AVP 96\r\na=control:streamid=0\r\n"

    func session(auth: RTSPDigestAuthenticator? = nil, availability: RelayAvailability = .live(sdp: sdp, trackCount: 1))
        -> RTSPSession
    {
        RTSPSession(id: "5e55", authenticator: auth, serverPorts: (7000, 7001)) { path in
            path.camera == "entrance" ? availability : .unknown
        }
    }

    func request(_ method: String, _ uri: String, _ headers: [(String, String)] = []) -> RTSPRequest {
        RTSPRequest(method: method, uri: uri, headers: [("CSeq", "1")] + headers.map { (name: $0.0, value: $0.1) })
    }

    @Test func answersOptionsWithTheMethodsItSupports() {
        var session = session()
        let (response, action) = session.handle(request("OPTIONS", "rtsp://box/entrance"))
        #expect(response.status == 200)
        #expect(response[header: "Public"]?.contains("GET_PARAMETER") == true)
        #expect(action == nil)
    }

    @Test func describesALiveCameraWithItsSDPAndContentBase() {
        var session = session()
        let (response, _) = session.handle(request("DESCRIBE", "rtsp://box:8554/entrance"))
        #expect(response.status == 200)
        #expect(response.body == Self.sdp)
        #expect(response[header: "Content-Base"] == "rtsp://box:8554/entrance/")
        #expect(response[header: "Content-Type"] == "application/sdp")
    }

    @Test func answersNotFoundForAnUnknownCamera() {
        var session = session()
        #expect(session.handle(request("DESCRIBE", "rtsp://box:8554/garage")).0.status == 404)
    }

    @Test func answersServiceUnavailableWhileTheCameraIsOffline() {
        var session = session(availability: .offline)
        #expect(session.handle(request("DESCRIBE", "rtsp://box:8554/entrance")).0.status == 503)
    }

    @Test func challengesAClientWithoutCredentials() {
        var session = session(auth: RTSPDigestAuthenticator(username: "cou", password: "pw", nonce: "n1"))
        let (response, _) = session.handle(request("DESCRIBE", "rtsp://box:8554/entrance"))
        #expect(response.status == 401)
        #expect(response[header: "WWW-Authenticate"] == #"Digest realm="kuzet", nonce="n1", algorithm="MD5""#)
    }

    @Test func setupThenPlayStartsSendingOverTheChosenTransport() {
        var session = session()
        let setup = session.handle(
            request(
                "SETUP", "rtsp://box:8554/entrance/streamid=0", [("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1")]))
        #expect(setup.0.status == 200)
        #expect(setup.0[header: "Transport"] == "RTP/AVP/TCP;unicast;interleaved=0-1")
        #expect(setup.0[header: "Session"] == "5e55;timeout=60")
        let play = session.handle(request("PLAY", "rtsp://box:8554/entrance/", [("Session", "5e55")]))
        #expect(play.0.status == 200)
        #expect(play.1 == .play(RelayPath(camera: "entrance"), [0: .interleaved(rtp: 0, rtcp: 1)]))
        #expect(session.state == .playing)
    }

    @Test func refusesPlayForAnotherSession() {
        var session = session()
        _ = session.handle(
            request("SETUP", "rtsp://box/entrance/streamid=0", [("Transport", "RTP/AVP;unicast;client_port=5000-5001")])
        )
        #expect(session.handle(request("PLAY", "rtsp://box/entrance/", [("Session", "other")])).0.status == 454)
    }

    @Test func refusesPlayBeforeSetup() {
        var session = session()
        #expect(session.handle(request("PLAY", "rtsp://box/entrance/", [("Session", "5e55")])).0.status == 455)
    }

    @Test func refusesMulticastOnlyTransports() {
        var session = session()
        let response = session.handle(
            request("SETUP", "rtsp://box/entrance/streamid=0", [("Transport", "RTP/AVP;multicast")])
        ).0
        #expect(response.status == 461)
    }

    @Test func teardownStopsAPlayingSession() {
        var session = session()
        _ = session.handle(
            request("SETUP", "rtsp://box/entrance/streamid=0", [("Transport", "RTP/AVP;unicast;client_port=5000-5001")])
        )
        _ = session.handle(request("PLAY", "rtsp://box/entrance/", [("Session", "5e55")]))
        let (response, action) = session.handle(request("TEARDOWN", "rtsp://box/entrance/", [("Session", "5e55")]))
        #expect(response.status == 200)
        #expect(action == .stop)
        #expect(session.state == .initial)
    }

    @Test func keepsTheSessionAliveOnGetParameter() {
        var session = session()
        _ = session.handle(
            request("SETUP", "rtsp://box/entrance/streamid=0", [("Transport", "RTP/AVP;unicast;client_port=5000-5001")])
        )
        let (response, _) = session.handle(request("GET_PARAMETER", "rtsp://box/entrance/", [("Session", "5e55")]))
        #expect(response.status == 200)
        #expect(response[header: "Session"] == "5e55;timeout=60")
    }

    @Test func refusesAnotherRTSPVersion() {
        var session = session()
        #expect(session.handle(RTSPRequest(method: "OPTIONS", uri: "*", version: "RTSP/2.0")).0.status == 505)
    }
}

extension RTSPSessionTests {
    @Test func afterFiveWrongAuthorizationsTheSixthIsForbiddenAndClosesTheConnection() {
        let auth = RTSPDigestAuthenticator(username: "cou", password: "pw", nonce: "n1")
        var session = RTSPSession(authenticator: auth, serverPorts: (7000, 7001), maximumFailedAuthorizations: 5) { _ in
            .unknown
        }
        // No Authorization at all is Digest's first step, however often: never counted.
        for _ in 0..<10 { #expect(session.handle(request("DESCRIBE", "rtsp://box/entrance")).0.status == 401) }
        let wrong = #"Digest username="cou", realm="kuzet", nonce="n1", uri="rtsp://box/entrance", response="0""#
        var results: [(Int, RTSPSession.Action?)] = []
        for _ in 0..<6 {
            let (response, action) = session.handle(
                request("DESCRIBE", "rtsp://box/entrance", [("Authorization", wrong)]))
            results.append((response.status, action))
        }
        #expect(results.map(\.0) == [401, 401, 401, 401, 401, 403])
        #expect(results.map(\.1) == [nil, nil, nil, nil, nil, .close])
        #expect(session.failedAuthorizations == 6)
    }

    @Test func theSessionHeaderAnnouncesTheConfiguredTimeout() {
        var session = RTSPSession(id: "5e55", authenticator: nil, serverPorts: (7000, 7001), timeoutSeconds: 17) { _ in
            .live(sdp: Self.sdp, trackCount: 1)
        }
        let setup = session.handle(
            request("SETUP", "rtsp://box/entrance/streamid=0", [("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1")])
        ).0
        #expect(setup[header: "Session"] == "5e55;timeout=17")
    }

    @Test func aRefusedPlayLeavesTheSessionReadyToPlayLater() {
        var session = session()
        _ = session.handle(
            request("SETUP", "rtsp://box/entrance/streamid=0", [("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1")]))
        let (_, action) = session.handle(request("PLAY", "rtsp://box/entrance/", [("Session", "5e55")]))
        #expect(action != nil)
        let refused = session.refusePlay(status: 453)
        #expect(refused.status == 453 && refused.reason == "Not Enough Bandwidth")
        #expect(session.state == .ready)
        let (again, play) = session.handle(request("PLAY", "rtsp://box/entrance/", [("Session", "5e55")]))
        #expect(again.status == 200)
        if case .play = play {
        } else {
            Issue.record("a second PLAY after the refusal starts playing: \(String(describing: play))")
        }
    }
}
