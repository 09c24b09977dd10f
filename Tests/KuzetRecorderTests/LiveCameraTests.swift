import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetMedia
import KuzetRecorder
import KuzetTestKit
import Testing

/// The supervisor and the recorder against a real gst-rtsp-server camera.
@Suite(.serialized) struct LiveCameraTests {
    @Test(.timeLimit(.minutes(2)))
    func udpTransportIsUsedWhenAsked() throws {
        let cameras = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1")])
        let supervisor = StreamSupervisor(
            configuration: .init(camera: "cam1", stream: .main, url: cameras.url(for: "/cam1"), transport: .udp))
        supervisor.start()
        defer { supervisor.stop() }
        #expect(eventually(timeout: 20) { supervisor.state.phase == .online && supervisor.state.bitrateKbps > 100 })
        #expect((supervisor.state.lastPacketAge ?? 99) < 1)
        #expect(try cameras.sessionCount("/cam1") == 1)
    }

    /// Our RTSP-over-TCP reader keeps the camera's session alive (every half session timeout),
    /// so a camera with a short timeout never drops the stream.
    @Test(.timeLimit(.minutes(2)))
    func theSessionIsKeptAliveBeyondTheCamerasSessionTimeout() throws {
        let cameras = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1")], sessionTimeout: 4)
        let supervisor = StreamSupervisor(
            configuration: .init(camera: "cam1", stream: .main, url: cameras.url(for: "/cam1")))
        supervisor.start()
        defer { supervisor.stop() }
        #expect(eventually(timeout: 20) { supervisor.state.phase == .online })
        Thread.sleep(forTimeInterval: 10)
        let mount = try #require(try cameras.status().mounts["/cam1"])
        #expect(mount.keepalivesTotal >= 3, "one keep-alive every 2 s")
        #expect(mount.sessionsTotal == 1, "the session was never lost")
        #expect(supervisor.state.reconnects == 0)
        #expect(supervisor.state.phase == .online && (supervisor.state.lastPacketAge ?? 99) < 1)
    }

    @Test(.timeLimit(.minutes(2)))
    func aCameraWithG711AudioIsRecordedVideoOnly() throws {
        let cameras = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1", audio: .pcmu)])
        let storage = try TemporaryDirectory()
        let supervisor = StreamSupervisor(
            configuration: .init(camera: "cam1", stream: .main, url: cameras.url(for: "/cam1")))
        let recorder = SegmentRecorder(
            configuration: .init(camera: "cam1", root: storage.path, segmentSeconds: 2), fanout: supervisor.fanout)
        recorder.start()
        supervisor.start()
        #expect(eventually(timeout: 30) { recorder.state.segmentsWritten >= 2 })
        supervisor.stop()
        recorder.stop()
        #expect(supervisor.state.codec == "h264")
        let segments = RecorderFixtures.segments(root: storage.path, camera: "cam1")
        #expect(segments.count >= 2)
        for segment in segments {
            let probe = try FFprobe.probe(segment)
            #expect(probe.streams.map(\.codecType) == ["video"])
            #expect(try FFprobe.decodesCleanly(segment))
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aacAudioFromACameraIsKept() throws {
        let cameras = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1", codec: .h265, audio: .aac)])
        let storage = try TemporaryDirectory()
        let supervisor = StreamSupervisor(
            configuration: .init(camera: "cam1", stream: .main, url: cameras.url(for: "/cam1")))
        let recorder = SegmentRecorder(
            configuration: .init(camera: "cam1", root: storage.path, segmentSeconds: 2), fanout: supervisor.fanout)
        recorder.start()
        supervisor.start()
        #expect(eventually(timeout: 30) { recorder.state.segmentsWritten >= 2 })
        supervisor.stop()
        recorder.stop()
        let segments = RecorderFixtures.segments(root: storage.path, camera: "cam1")
        #expect(segments.count >= 2)
        for segment in segments {
            #expect(try FFprobe.probe(segment).streams.map(\.codecName).sorted() == ["aac", "hevc"])
        }
    }
}
