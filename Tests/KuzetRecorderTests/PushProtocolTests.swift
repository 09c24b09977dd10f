import Foundation
import KuzetCore
import KuzetMedia
import KuzetRecorder
import KuzetTestKit
import Testing

/// The push to the ЦОУ over the two protocols other than RTMP, each into a real receiver:
/// ffmpeg listening as an SRT server, and ffmpeg listening as an RTSP server that accepts a
/// publish (ANNOUNCE/RECORD). What arrives must be the camera's H.264 video.
@Suite(.serialized) struct PushProtocolTests {
    @Test(.timeLimit(.minutes(2)))
    func aCameraIsPushedOverSRT() throws {
        let port = freeLoopbackPort()
        try pushAndProbe(
            target: "srt://127.0.0.1:\(port)",
            // SRT drops packets that arrive later than its latency (120 ms by default): on a loaded
            // 2-core CI box that cost frames. The receiver's latency (µs) is the session's.
            receiver: ["-i", "srt://127.0.0.1:\(port)?mode=listener&latency=1000000"])
    }

    @Test(.timeLimit(.minutes(2)))
    func aCameraIsPushedAsAnRTSPPublish() throws {
        let port = freeLoopbackPort()
        try pushAndProbe(
            target: "rtsp://127.0.0.1:\(port)/live/cam1",
            receiver: ["-rtsp_flags", "listen", "-i", "rtsp://127.0.0.1:\(port)/live/cam1"])
    }

    /// Our own RTMP publisher (behind libavformat's FLV muxer) carries video and AAC audio to a
    /// real nginx-rtmp ingest; ffprobe pulls both back from it.
    @Test(.timeLimit(.minutes(2)))
    func aCameraWithAudioIsPublishedOverRTMP() throws {
        let cameras = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1", audio: .aac)])
        let ingest = try RTMPIngest()
        let supervisor = StreamSupervisor(
            configuration: .init(camera: "cam1", stream: .main, url: cameras.url(for: "/cam1")))
        let push = PushOutput(configuration: .init(camera: "cam1", url: ingest.url("cam1")), fanout: supervisor.fanout)
        push.start()
        supervisor.start()
        defer {
            push.stop()
            supervisor.stop()
        }
        #expect(eventually(timeout: 30) { ingest.isPublishing("cam1") })
        let probe = try ingest.probe("cam1")
        #expect(probe.streams.map(\.codecName).sorted() == ["aac", "h264"])
        // Packets before the first keyframe are dropped on purpose; once publishing, none are.
        let dropped = push.state.droppedPackets
        Thread.sleep(forTimeInterval: 3)
        #expect(push.state.connected && push.state.droppedPackets == dropped)
    }

    /// A real camera → supervisor → PushOutput → an ffmpeg receiver writing MPEG-TS; then ffprobe.
    private func pushAndProbe(target: String, receiver input: [String]) throws {
        let cameras = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1")])
        let directory = try TemporaryDirectory()
        let received = directory.file("received.ts")
        let receiver = try ExternalProcess(
            "ffmpeg",
            ["-hide_banner", "-loglevel", "warning", "-y", "-timeout", "20000000"] + input + [
                "-c", "copy", "-f", "mpegts", received,
            ],
            name: "ffmpeg-receiver", logDirectory: directory.path)
        defer { receiver.stop() }
        let supervisor = StreamSupervisor(
            configuration: .init(camera: "cam1", stream: .main, url: cameras.url(for: "/cam1")))
        let push = PushOutput(configuration: .init(camera: "cam1", url: target), fanout: supervisor.fanout)
        push.start()
        supervisor.start()
        #expect(
            eventually(timeout: 30) { push.state.connected && Date().timeIntervalSince(push.state.since) >= 4 },
            "\(receiver.output)")
        push.stop()
        supervisor.stop()
        // The receiver sees the end of the stream and finishes its file.
        _ = receiver.waitForExit(timeout: 10)
        let probe = try FFprobe.probe(received)
        #expect(probe.video?.codecName == "h264", "\(receiver.output)")
        #expect((probe.duration ?? 0) >= 2, "\(receiver.output)")
        let problems = try FFprobe.decodingProblems(received)
        #expect(problems.isEmpty, "decoding: \(problems) — receiver: \(receiver.output)")
    }
}
