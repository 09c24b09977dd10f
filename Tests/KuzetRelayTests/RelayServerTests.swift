import Foundation
import KuzetCore
import KuzetMedia
import KuzetRelay
import KuzetTestKit
import Logging
import Testing

@Suite(.serialized, .timeLimit(.minutes(3)))
struct RelayServerTests {
    /// VLC as Debian builds it has no live555, so its only RTSP client is the SAT>IP one: plain
    /// SETUP/PLAY without DESCRIBE or authentication, MPEG-TS over RTP/UDP. The relay serves that
    /// form at `/<camera>/ts`, so this relay runs without credentials (they are tested below).
    @Test func ffmpegGStreamerAndVLCPullTheSameCameraAtOnce() async throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-camera")
        let camera = try await offPool {
            try RelayCameraServer(directory: directory, mount: "/cam1;user=admin;password=cam-pw-31")
        }
        defer { camera.stop() }
        // The relay's one upstream session (a libavformat RTSP reader, as the agent's ingest).
        let relay = try await RelayHarness(
            username: nil, password: nil, sourceURL: "rtsp://admin:cam-pw-31@127.0.0.1:\(camera.port)/cam1")
        defer { relay.stop() }
        chmod(relay.directory.path, 0o777)
        let seconds = 8
        let url = relay.url(credentials: nil)
        let ffmpegOut = relay.directory.file("ffmpeg.ts")
        let gstOut = relay.directory.file("gst.ts")
        let vlcOut = relay.directory.file("vlc.ts")
        let ffmpeg = try RelayClients.ffmpeg(url: url, transport: "udp", seconds: seconds, output: ffmpegOut)
        let gst = try RelayClients.gstreamer(url: url, output: gstOut)
        let vlc = try RelayClients.vlc(url: url + "/ts", seconds: seconds, output: vlcOut)
        defer { for process in [ffmpeg, gst, vlc] { process.stop(signal: SIGKILL) } }

        #expect(
            await waitUntil(timeout: 30) { relay.server.statistics.camera("entrance").clients == 3 },
            "three relay clients playing")
        #expect(relay.fanout.subscriberCount == 1, "one queue for all relay clients on the camera's single fan-out")
        #expect(relay.server.pumpThreads == 1, "one thread feeds the three clients")
        #expect(camera.sessions(mount: "/cam1") == 1, "the camera sees exactly one session")
        try await Task.sleep(for: .seconds(seconds))
        #expect(camera.sessions(mount: "/cam1") == 1, "still exactly one session at the camera")
        gst.stop(signal: SIGINT, timeout: 10)
        #expect(try await offPool { ffmpeg.waitForExit(timeout: 20) } == 0, "ffmpeg: \(ffmpeg.output)")
        #expect(try await offPool { vlc.waitForExit(timeout: 20) } != nil, "vlc: \(vlc.output)")

        // 25 fps for ~8 s each; every client starts at a keyframe and has its own start-up.
        for (name, path) in [("ffmpeg", ffmpegOut), ("gstreamer", gstOut), ("vlc", vlcOut)] {
            let (frames, errors) = try await offPool { try RelayClients.decode(path) }
            print("\(name) decoded \(frames) frames (ffmpeg/vlc: \(seconds) s each; gstreamer: until stopped)")
            #expect(frames >= 120, "\(name) decoded \(frames) frames")
            #expect(errors.isEmpty, "\(name)'s recording decodes without errors: \(errors.prefix(5))")
            #expect(try await offPool { try FFprobe.probe(path) }.video?.codecName == "h264")
        }
        #expect(!relay.logs.text.contains("cam-pw-31"))
    }

    @Test func wrongRelayCredentialsAreRefusedWith401() async throws {
        let relay = try await RelayHarness()
        defer { relay.stop() }
        let client = try RawRTSPClient(port: relay.port)
        let first = try await offPool { try client.request("DESCRIBE", relay.url(credentials: nil)) }
        #expect(first.status == 401)
        let challenge = try #require(first.headers["www-authenticate"])
        #expect(challenge.hasPrefix("Digest realm=\"kuzet\""))
        let wrong =
            #"Digest username="cou", realm="kuzet", nonce="0", uri="\#(relay.url(credentials: nil))", response="00000000000000000000000000000000""#
        #expect(
            try await offPool {
                try client.request("DESCRIBE", relay.url(credentials: nil), headers: ["Authorization": wrong])
            }.status == 401)

        let (status, output) = try await offPool {
            try run(
                "ffprobe", ["-v", "error", "-rtsp_transport", "tcp", relay.url(credentials: "cou:guess")], timeout: 20)
        }
        #expect(status != 0)
        #expect(output.contains("401"), "ffprobe said: \(output)")
        #expect(
            try await offPool {
                try run("ffprobe", ["-v", "error", "-rtsp_transport", "tcp", relay.url()], timeout: 20)
            }.status == 0)
    }

    @Test func unknownCameraIsNotFound() async throws {
        let relay = try await RelayHarness(username: nil, password: nil)
        defer { relay.stop() }
        let client = try RawRTSPClient(port: relay.port)
        #expect(
            try await offPool { try client.request("DESCRIBE", "rtsp://127.0.0.1:\(relay.port)/garage") }.status == 404)
    }
}

extension RelayServerTests {
    /// A port clash must not take the agent (and its recording) down: the relay says what to fix
    /// and waits for shutdown instead of throwing.
    @Test func aTakenPortIsReportedWithoutStoppingTheAgent() async throws {
        let first = try await RelayHarness(username: nil, password: nil)
        defer { first.stop() }
        let logs = CapturedLogs()
        let second = RelayServer(
            configuration: .init(listen: .init(host: "127.0.0.1", port: first.port)),
            catalog: RelayCatalog(fanouts: [:]),
            logger: Logger(label: "kuzet.relay") { _ in logs.handler() })
        let task = Task { try await second.run() }
        #expect(
            await waitUntil(timeout: 10) {
                logs.text.contains("relay.listen: cannot listen on 127.0.0.1:\(first.port)")
            }, "\(logs.text)")
        #expect(second.port == nil)
        task.cancel()
        _ = await task.result
    }
}
