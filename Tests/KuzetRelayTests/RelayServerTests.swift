import Foundation
import KuzetMedia
import KuzetRelay
import KuzetTestKit
import Testing

@Suite(.serialized, .timeLimit(.minutes(3)))
struct RelayServerTests {
    @Test func ffmpegGStreamerAndVLCPullTheSameCameraAtOnce() async throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-camera")
        let camera = try RelayCameraServer(directory: directory, mount: "/cam1;user=admin;password=cam-pw-31")
        defer { camera.stop() }
        // The relay's one upstream session (a libavformat RTSP reader, as the agent's ingest).
        let relay = try await RelayHarness(sourceURL: "rtsp://admin:cam-pw-31@127.0.0.1:\(camera.port)/cam1")
        defer { relay.stop() }
        chmod(relay.directory.path, 0o777)
        let seconds = 6
        let ffmpegOut = relay.directory.file("ffmpeg.ts"), gstOut = relay.directory.file("gst.ts"), vlcOut = relay.directory.file("vlc.ts")
        let ffmpeg = try RelayClients.ffmpeg(url: relay.url(), transport: "udp", seconds: seconds, output: ffmpegOut)
        let gst = try RelayClients.gstreamer(url: relay.url(credentials: nil), user: "cou", password: "relay-pw", output: gstOut)
        let vlc = try RelayClients.vlc(url: relay.url(), seconds: seconds, output: vlcOut)
        defer { [ffmpeg, gst, vlc].forEach { $0.stop(signal: SIGKILL) } }

        #expect(eventually(timeout: 10) { relay.server.statistics.camera("entrance").clients == 3 }, "three relay clients playing")
        #expect(relay.fanout.subscriberCount == 3, "one queue per client on the camera's single fan-out")
        try await Task.sleep(for: .seconds(seconds))
        gst.stop(signal: SIGINT, timeout: 10)
        #expect(ffmpeg.waitForExit(timeout: 20) == 0, "ffmpeg: \(ffmpeg.output)")
        #expect(vlc.waitForExit(timeout: 20) != nil, "vlc: \(vlc.output)")

        #expect(camera.sessions(mount: "/cam1") == 1, "the camera sees exactly one session")
        let counts = try [ffmpegOut, gstOut, vlcOut].map { try RelayClients.decodedFrames($0) }
        // 25 fps for ~6 s each; every client starts at a keyframe, so allow for start-up.
        for (name, frames) in zip(["ffmpeg", "gstreamer", "vlc"], counts) {
            #expect(frames >= 100, "\(name) decoded \(frames) frames")
        }
        for path in [ffmpegOut, gstOut, vlcOut] {
            #expect(try FFprobe.probe(path).video?.codecName == "h264")
        }
    }

    @Test func wrongRelayCredentialsAreRefusedWith401() async throws {
        let relay = try await RelayHarness()
        defer { relay.stop() }
        let client = try RawRTSPClient(port: relay.port)
        let first = try client.request("DESCRIBE", relay.url(credentials: nil))
        #expect(first.status == 401)
        let challenge = try #require(first.headers["www-authenticate"])
        #expect(challenge.hasPrefix("Digest realm=\"kuzet\""))
        let wrong = #"Digest username="cou", realm="kuzet", nonce="0", uri="\#(relay.url(credentials: nil))", response="00000000000000000000000000000000""#
        #expect(try client.request("DESCRIBE", relay.url(credentials: nil), headers: ["Authorization": wrong]).status == 401)

        let (status, output) = try run("ffprobe", ["-v", "error", "-rtsp_transport", "tcp", relay.url(credentials: "cou:guess")], timeout: 20)
        #expect(status != 0)
        #expect(output.contains("401"), "ffprobe said: \(output)")
        #expect(try run("ffprobe", ["-v", "error", "-rtsp_transport", "tcp", relay.url()], timeout: 20).status == 0)
    }

    @Test func unknownCameraIsNotFound() async throws {
        let relay = try await RelayHarness(username: nil, password: nil)
        defer { relay.stop() }
        let client = try RawRTSPClient(port: relay.port)
        #expect(try client.request("DESCRIBE", "rtsp://127.0.0.1:\(relay.port)/garage").status == 404)
    }
}
