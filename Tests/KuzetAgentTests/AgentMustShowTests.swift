import Foundation
import KuzetAgent
import KuzetConfiguration
import KuzetCore
import KuzetRecorder
import KuzetSegmentStore
import KuzetTestKit
import Testing

/// The must-show behaviours against real parts: gst-rtsp-server cameras, nginx-rtmp
/// ingest, ffprobe on what was written and what arrived. Serialized: they share 2 cores.
@Suite(.serialized) struct AgentMustShowTests {
    static func tuning() -> AgentRuntime.Tuning {
        var tuning = AgentRuntime.Tuning()
        tuning.openTimeout = 3
        tuning.stallTimeout = 3
        tuning.backoffCap = 1
        tuning.pushOpenTimeout = 2
        return tuning
    }

    @Test(.timeLimit(.minutes(3)))
    func twoCamerasAreRecordedAndPushedWithOneSessionPerCameraStream() throws {
        let cameras = try RTSPCameraServer(mounts: [
            CameraMount(path: "/cam1", credentials: .init(username: "admin", password: "secret")),
            CameraMount(path: "/cam2", codec: .h265), CameraMount(path: "/cam2sub"),
        ])
        let ingest = try RTMPIngest()
        let storage = try TemporaryDirectory()
        let configuration = AgentConfiguration(
            school: .init(id: "KZ-TEST-1"), storage: .init(root: storage.path, segmentSeconds: 2),
            centre: .init(push: "rtmp://127.0.0.1:\(ingest.port)/live/{school}-{camera}"),
            cameras: [
                .init(id: "cam1", url: cameras.url(for: "/cam1"), username: "admin", password: "secret", push: .main),
                .init(id: "cam2", url: cameras.url(for: "/cam2"), subURL: cameras.url(for: "/cam2sub"), push: .sub),
            ])
        let runtime = AgentRuntime(configuration: configuration, tuning: Self.tuning())
        runtime.start()
        defer { runtime.stop() }
        // Four segment files per camera: the first three are complete.
        #expect(
            eventually(timeout: 30) {
                RecordingChecks.fileNames(root: storage.path, camera: "cam1").count >= 4
                    && RecordingChecks.fileNames(root: storage.path, camera: "cam2").count >= 4
            })
        // The ЦОУ side sees both streams (cam2 pushes its H.264 sub stream).
        let pushed1 = try FFprobe.probe(ingest.url("KZ-TEST-1-cam1"), timeout: 15)
        let pushed2 = try FFprobe.probe(ingest.url("KZ-TEST-1-cam2"), timeout: 15)
        #expect(pushed1.video?.codecName == "h264")
        #expect(pushed2.video?.codecName == "h264")
        // One session per camera stream on the camera side, although each feeds a recorder and a push.
        #expect(try ["/cam1", "/cam2", "/cam2sub"].map(cameras.sessionCount) == [1, 1, 1])
        let state = runtime.snapshot()
        #expect(state.cameras.map { $0.streams.keys.sorted() } == [["main"], ["main", "sub"]])
        #expect(state.cameras.allSatisfy { $0.push?.connected == true && ($0.push?.bitrateKbps ?? 0) > 0 })
        runtime.stop()

        for (camera, codec) in [("cam1", "h264"), ("cam2", "hevc")] {
            let segments = try RecordingChecks.segments(root: storage.path, camera: camera)
            #expect(segments.count >= 4)
            for segment in segments.dropLast() {
                #expect(abs(segment.duration - 2) <= 1, "\(segment.path) lasts \(segment.duration) s")
                #expect(try FFprobe.probe(segment.path).video?.codecName == codec)
            }
            #expect(
                RecordingChecks.largestGap(segments) <= 1, "\(camera): gap of \(RecordingChecks.largestGap(segments)) s"
            )
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func recordingGoesOnWhileTheIngestIsDownAndThePushResumesWithinFiveSeconds() throws {
        let cameras = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1")])
        let ingest = try RTMPIngest()
        let storage = try TemporaryDirectory()
        let configuration = AgentConfiguration(
            school: .init(id: "KZ-TEST-2"), storage: .init(root: storage.path, segmentSeconds: 2),
            centre: .init(push: "rtmp://127.0.0.1:\(ingest.port)/live/{camera}"),
            cameras: [.init(id: "cam1", url: cameras.url(for: "/cam1"), push: .main)])
        let runtime = AgentRuntime(configuration: configuration, tuning: Self.tuning())
        runtime.start()
        defer { runtime.stop() }
        #expect(eventually(timeout: 20) { runtime.snapshot().cameras[0].push?.connected == true })
        ingest.stop()
        let outageStart = Date()
        #expect(eventually(timeout: 10) { runtime.snapshot().cameras[0].push?.connected == false })
        Thread.sleep(forTimeInterval: max(0, 60 - Date().timeIntervalSince(outageStart)))
        let droppedDuringOutage = runtime.snapshot().cameras[0].push?.droppedPackets ?? 0
        try ingest.restart()
        let back = Date()
        #expect(eventually(timeout: 5) { runtime.snapshot().cameras[0].push?.connected == true })
        let resumedAfter = Date().timeIntervalSince(back)
        #expect(resumedAfter <= 5, "push resumed after \(resumedAfter) s")
        #expect(try FFprobe.probe(ingest.url("cam1"), timeout: 15).video?.codecName == "h264")
        #expect(droppedDuringOutage > 0)
        runtime.stop()

        let segments = try RecordingChecks.segments(root: storage.path, camera: "cam1")
        let during = segments.filter { $0.end > outageStart && $0.name.start < back }
        #expect(during.count >= 29, "\(during.count) segments during the 60 s outage")
        #expect(RecordingChecks.largestGap(segments) <= 1, "gap of \(RecordingChecks.largestGap(segments)) s")
        #expect(runtime.snapshot().cameras[0].recording?.droppedPackets == 0)
    }

    @Test(.timeLimit(.minutes(3)))
    func recordingResumesWithinThreeSecondsOfTheCameraServerComingBack() throws {
        let cameras = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1")])
        let storage = try TemporaryDirectory()
        let events = OpenedSegments()
        let configuration = AgentConfiguration(
            school: .init(id: "KZ-TEST-3"), storage: .init(root: storage.path, segmentSeconds: 2),
            cameras: [.init(id: "cam1", url: cameras.url(for: "/cam1"))])
        let runtime = AgentRuntime(configuration: configuration, events: events, tuning: Self.tuning())
        runtime.start()
        defer { runtime.stop() }
        #expect(eventually(timeout: 20) { events.count >= 2 })
        cameras.stop()
        #expect(eventually(timeout: 10) { runtime.snapshot().cameras[0].streams["main"]?.phase == .offline })
        Thread.sleep(forTimeInterval: 4)
        let before = events.count
        try cameras.restart()
        let back = Date()
        #expect(eventually(timeout: 3) { events.count > before }, "\(runtime.snapshot().cameras[0])")
        #expect(Date().timeIntervalSince(back) <= 3, "recording resumed after \(Date().timeIntervalSince(back)) s")
        runtime.stop()
        #expect(try RecordingChecks.segments(root: storage.path, camera: "cam1").count >= 3)
    }

    @Test(.timeLimit(.minutes(3)))
    func aCameraThatIsDownAtStartIsPickedUpWhenItAppears() throws {
        let port = freeLoopbackPort()
        let storage = try TemporaryDirectory()
        let events = OpenedSegments()
        let configuration = AgentConfiguration(
            school: .init(id: "KZ-TEST-4"), storage: .init(root: storage.path, segmentSeconds: 2),
            cameras: [.init(id: "cam1", url: RTSPCameraServer.url(port: port, path: "/cam1"))])
        let runtime = AgentRuntime(configuration: configuration, events: events, tuning: Self.tuning())
        runtime.start()
        defer { runtime.stop() }
        #expect(
            eventually(timeout: 10) {
                runtime.snapshot().cameras[0].streams["main"]?.lastError?.contains("refused the connection") == true
            })
        #expect(runtime.snapshot().cameras[0].streams["main"]?.phase == .offline)
        let cameras = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1", codec: .h265)], port: port)
        let back = Date()
        #expect(eventually(timeout: 5) { events.count >= 1 })
        #expect(Date().timeIntervalSince(back) <= 3)
        #expect(runtime.snapshot().cameras[0].streams["main"]?.codec == "hevc")
        withExtendedLifetime(cameras) {}
    }
}

/// Counts segments opened (the hook the retention cleaner uses).
final class OpenedSegments: SegmentEvents, @unchecked Sendable {
    private let lock = NSLock()
    private var opened = 0
    func segmentOpened(_ segment: SegmentFile) { lock.withLock { opened += 1 } }
    func segmentClosed(_ segment: SegmentFile, bytes: Int64, duration: Double) {}
    var count: Int { lock.withLock { opened } }
}
