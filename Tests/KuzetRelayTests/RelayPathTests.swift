import KuzetCore
import KuzetMedia
import KuzetRelay
import Testing

@Suite struct RelayPathTests {
    @Test func namesTheCameraOfAnAbsoluteURL() {
        #expect(RelayPath(uri: "rtsp://10.0.0.2:8554/entrance") == RelayPath(camera: "entrance"))
    }

    @Test func namesTheSubStream() {
        #expect(RelayPath(uri: "rtsp://box:8554/entrance/sub/") == RelayPath(camera: "entrance", stream: .sub))
    }

    @Test func namesTheTrackOfASetup() {
        #expect(
            RelayPath(uri: "rtsp://box:8554/entrance/sub/streamid=1")
                == RelayPath(camera: "entrance", stream: .sub, track: 1))
    }

    @Test func refusesAPathThatIsNotACameraID() {
        #expect(RelayPath(uri: "rtsp://box:8554/../etc/passwd") == nil)
        #expect(RelayPath(uri: "rtsp://box:8554/") == nil)
        #expect(RelayPath(uri: "rtsp://box:8554/Entrance") == nil)
    }
}

extension RelayPathTests {
    @Test func namesTheTransportStreamForm() {
        #expect(
            RelayPath(uri: "rtsp://box:8554/entrance/sub/ts")
                == RelayPath(camera: "entrance", stream: .sub, payload: .transportStream))
        #expect(RelayPath(uri: "rtsp://box:8554/entrance/ts/streamid=0")?.presentation == "/entrance/ts")
    }
}
