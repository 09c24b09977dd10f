import Foundation
import KuzetCore
import KuzetSegmentStore
import KuzetTestKit
import Testing

/// The real `kuzet-agent run` process: crash safety, clean shutdown, and bad input.
@Suite(.serialized) struct AgentProcessTests {
    func writeConfig(_ yaml: String, in directory: TemporaryDirectory) throws -> String {
        let path = directory.file("agent.yaml")
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func config(root: String, cameraURL: String, segmentSeconds: Int = 4, extra: String = "") -> String {
        """
        school: { id: KZ-TEST-9 }
        storage: { root: \(root), segment_seconds: \(segmentSeconds) }
        cameras:
          - id: cam1
            url: \(cameraURL)
        \(extra)
        """
    }

    @Test(.timeLimit(.minutes(3)))
    func killMinus9MidSegmentLeavesEveryFilePlayableAndARestartCarriesOn() throws {
        let cameras = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1")])
        let directory = try TemporaryDirectory()
        let root = directory.file("rec")
        let path = try writeConfig(config(root: root, cameraURL: cameras.url(for: "/cam1")), in: directory)
        let agent = try ExternalProcess(
            BuiltExecutable.agent, ["run", "--config", path], name: "agent", logDirectory: directory.path)
        // Two complete 4 s segments, then about 3 s into the third.
        #expect(eventually(timeout: 30) { RecordingChecks.fileNames(root: root, camera: "cam1").count >= 3 })
        Thread.sleep(forTimeInterval: 3)
        let openedAt = try #require(SegmentName(fileName: RecordingChecks.fileNames(root: root, camera: "cam1").last!))
            .start
        agent.stop(signal: SIGKILL)
        let killedAt = Date()

        let segments = try RecordingChecks.segments(root: root, camera: "cam1") // throws if any file is unplayable
        #expect(segments.count >= 3)
        let last = try #require(segments.last)
        let lost = killedAt.timeIntervalSince(openedAt) - last.duration
        #expect(lost <= 2.5, "the killed segment lost \(lost) s (holds \(last.duration) s)")
        for segment in segments { #expect(try FFprobe.decodesCleanly(segment.path), "\(segment.path)") }

        // A restart leaves earlier footage alone and carries on in new files.
        let before = try segments.map { ($0.path, try Data(contentsOf: URL(fileURLWithPath: $0.path))) }
        let restarted = try ExternalProcess(
            BuiltExecutable.agent, ["run", "--config", path], name: "agent2", logDirectory: directory.path)
        #expect(
            eventually(timeout: 20) {
                RecordingChecks.fileNames(root: root, camera: "cam1").count >= segments.count + 2
            })
        restarted.stop()
        for (file, data) in before {
            #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == data, "\(file) changed")
        }
        withExtendedLifetime(agent) {}
    }

    @Test(.timeLimit(.minutes(2)))
    func sigtermFinishesTheOpenSegmentAndExitsZero() throws {
        let cameras = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1")])
        let directory = try TemporaryDirectory()
        let root = directory.file("rec")
        let path = try writeConfig(
            config(root: root, cameraURL: cameras.url(for: "/cam1"), segmentSeconds: 60), in: directory)
        let agent = try ExternalProcess(
            BuiltExecutable.agent, ["run", "--config", path], name: "agent", logDirectory: directory.path)
        #expect(eventually(timeout: 20) { RecordingChecks.fileNames(root: root, camera: "cam1").count == 1 })
        Thread.sleep(forTimeInterval: 3)
        kill(agent.pid, SIGTERM)
        #expect(agent.waitForExit(timeout: 10) == 0, "\(agent.output)")
        let segments = try RecordingChecks.segments(root: root, camera: "cam1")
        #expect(segments.count == 1)
        #expect(segments[0].duration >= 2)
        #expect(try FFprobe.decodesCleanly(segments[0].path))
        // A finished fragmented MP4 ends with its index (mfra): the trailer was written.
        let data = try Data(contentsOf: URL(fileURLWithPath: segments[0].path))
        #expect(data.suffix(16).range(of: Data("mfro".utf8)) != nil)
    }

    @Test(.timeLimit(.minutes(1)))
    func aWrongPasswordNamesTheCameraAndTheKeyAndNeverShowsThePassword() throws {
        let cameras = try RTSPCameraServer(mounts: [
            CameraMount(path: "/cam1", credentials: .init(username: "admin", password: "right-one"))
        ])
        let directory = try TemporaryDirectory()
        let yaml =
            config(root: directory.file("rec"), cameraURL: cameras.url(for: "/cam1"))
            + "\n    username: admin\n    password: wrong-one\n"
        let path = try writeConfig(yaml, in: directory)
        let agent = try ExternalProcess(
            BuiltExecutable.agent, ["run", "--config", path], name: "agent", logDirectory: directory.path)
        #expect(eventually(timeout: 15) { agent.output.contains("401") })
        agent.stop()
        let output = agent.output
        #expect(
            output.contains(
                "cameras[cam1].password: RTSP 401 Unauthorized at rtsp://admin:***@127.0.0.1:\(cameras.port)/cam1 — check cameras[cam1].username and password"
            ), "\(output)")
        #expect(!output.contains("wrong-one"))
        #expect(agent.waitForExit(timeout: 1) == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func anUnreachableCameraIsReportedAndRetriedWithoutCrashing() throws {
        let directory = try TemporaryDirectory()
        // 192.0.2.1 is TEST-NET-1: never routed (depending on the network, the connect is refused or hangs until our timeout).
        let path = try writeConfig(
            config(root: directory.file("rec"), cameraURL: "rtsp://192.0.2.1:554/stream"), in: directory)
        let agent = try ExternalProcess(
            BuiltExecutable.agent, ["run", "--config", path], name: "agent", logDirectory: directory.path)
        #expect(eventually(timeout: 20) { agent.output.contains("cameras[cam1].url: rtsp://192.0.2.1:554/stream") })
        #expect(agent.isRunning)
        agent.stop()
        let line =
            agent.output.split(separator: "\n").first { $0.contains("cameras[cam1].url: rtsp://192.0.2.1:554/stream") }
            ?? ""
        #expect(line.contains(" — check the "), "\(agent.output)")
    }

    @Test func aURLThatIsNotRTSPIsRefusedWithExitTwo() throws {
        let directory = try TemporaryDirectory()
        let path = try writeConfig(
            config(root: directory.file("rec"), cameraURL: "http://192.168.1.64/video.mjpg"), in: directory)
        let (status, output) = try run(BuiltExecutable.agent, ["run", "--config", path], timeout: 20)
        #expect(status == 2)
        #expect(
            output.contains("cameras[0].url: \"http://192.168.1.64/video.mjpg\" is not an rtsp:// URL")
                || output.contains("is not an rtsp:// URL"), "\(output)")
    }

    @Test func fifteenKindsOfBrokenConfigurationAreAllReportedAtOnceWithExitTwo() throws {
        let directory = try TemporaryDirectory()
        let yaml = """
            school: { id: "bad id/with slash", nmae: x }
            storage: { root: "", format: avi, segment_seconds: 0 }
            retention: { days: 7, min_free_percent: 90 }
            registry: { url: ftp://registry, client_cert: /x.pem, interval_seconds: many }
            centre: { push: "http://cou/live", max_kbps: -5 }
            relay: { listen: "nowhere", username: u }
            status: { listen: "localhost" }
            cameras:
              - id: "Entrance Door"
                url: http://192.168.1.64/
                transport: sctp
                record: sometimes
              - id: yard
                url: rtsp://admin:pw@192.168.1.65/
                push: sub
                password: a
                password_file: /nonexistent/pass
              - id: yard
                url: "not a url"
            """
        let path = try writeConfig(yaml, in: directory)
        let (status, output) = try run(BuiltExecutable.agent, ["run", "--config", path], timeout: 20)
        #expect(status == 2)
        let lines = output.split(separator: "\n").filter { $0.contains(": ") && $0.contains(" — ") }
        #expect(lines.count >= 15, "\(lines.count) problems:\n\(output)")
        #expect(!output.contains(":pw@"))
        #expect(!output.contains("Fatal error"))
    }
}
