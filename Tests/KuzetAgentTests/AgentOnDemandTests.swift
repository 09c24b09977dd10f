import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetMedia
import KuzetProtocol
import KuzetRecorder
import KuzetTestKit
import Testing

@testable import KuzetAgent

/// Issue 22: ``AgentRuntime/demand(camera:stream:)``, the hold an on-demand push (a `live`
/// command) takes on a `record: false` camera, against a real gst-rtsp-server camera.
@Suite(.serialized) struct AgentOnDemandTests {
    static func tuning() -> AgentRuntime.Tuning {
        var tuning = AgentRuntime.Tuning()
        tuning.openTimeout = 3
        tuning.stallTimeout = 3
        tuning.backoffCap = 1
        return tuning
    }

    @Test(.timeLimit(.minutes(2)))
    func aHoldOpensARecordFalseCameraAndItClosesTheCloseDelayAfterTheRelease() async throws {
        let cameras = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1"), CameraMount(path: "/cam2")])
        let storage = try TemporaryDirectory()
        let configuration = AgentConfiguration(
            school: .init(id: "KZ-TEST-OD2"), storage: .init(root: storage.path, segmentSeconds: 2),
            cameras: [
                .init(id: "cam1", url: cameras.url(for: "/cam1"), record: nil, onDemandCloseSeconds: 2),
                .init(id: "cam2", url: cameras.url(for: "/cam2")),
            ])
        let runtime = AgentRuntime(configuration: configuration, tuning: Self.tuning())
        runtime.start()
        defer { runtime.stop() }
        func phase(_ camera: String) -> StreamState.Phase? {
            runtime.snapshot().cameras.first { $0.id == camera }?.streams["main"]?.phase
        }
        #expect(await waitUntil(timeout: 15) { (try? cameras.sessionCount("/cam2")) == 1 })
        #expect(try cameras.totalSessions("/cam1") == 0)
        #expect(phase("cam1") == .idle)

        // The push's hold opens it; packets flow to a consumer of its fan-out.
        let hold = try #require(runtime.demand(camera: "cam1", stream: .main))
        #expect(await waitUntil(timeout: 10) { (try? cameras.sessionCount("/cam1")) == 1 })
        let fanout = try #require(runtime.fanout(camera: "cam1", stream: .main))
        let queue = fanout.subscribe(name: "test push", replayingLastGOP: true)
        var packets = 0
        let deadline = Date().addingTimeInterval(10)
        while packets < 25 && Date() < deadline {
            if case .packet? = queue.pop(timeout: 0.5) { packets += 1 }
        }
        fanout.unsubscribe(queue)
        #expect(packets >= 25)
        #expect(phase("cam1") == .online)

        // Released: still open within the close delay, closed after it; idle again.
        hold.release()
        let released = Date()
        try await Task.sleep(for: .seconds(1))
        #expect(try cameras.sessionCount("/cam1") == 1)
        #expect(await waitUntil(timeout: 10) { (try? cameras.sessionCount("/cam1")) == 0 })
        let closedAfter = Date().timeIntervalSince(released)
        #expect(closedAfter >= 1.9 && closedAfter < 6, "closed \(closedAfter) s after the release")
        #expect(await waitUntil(timeout: 3) { phase("cam1") == .idle })

        // A hold on a recorded camera changes nothing: its one session stays.
        let recordedHold = try #require(runtime.demand(camera: "cam2", stream: .main))
        recordedHold.release()
        #expect(runtime.demand(camera: "cam2", stream: .sub) == nil) // no sub stream configured
        try await Task.sleep(for: .seconds(3))
        #expect(try cameras.sessionCount("/cam2") == 1)
        #expect(try cameras.totalSessions("/cam2") == 1)
    }

    @Test func anIdleOnDemandCameraIsIdleOnTheStatusPageAndInTheHeartbeat() {
        let configured = AgentConfiguration.Camera(id: "cam1", url: "rtsp://127.0.0.1:9/cam1", record: nil)
        let idle = AgentState.Camera(id: "cam1", streams: ["main": StreamState(phase: .idle)])
        #expect(StatusRuntimeSource.facts(idle, configured: configured, now: Date()).upstream == .idle)
        let report = AgentHeartbeatSource.report(
            configured: configured, state: idle, centre: nil, relayClients: 0, retention: nil)
        #expect(report.idleOnDemand == true && !report.online)
        // Failing is still failing.
        let failing = AgentState.Camera(id: "cam1", streams: ["main": StreamState(phase: .offline)])
        #expect(StatusRuntimeSource.facts(failing, configured: configured, now: Date()).upstream == .offline)
        #expect(
            AgentHeartbeatSource.report(
                configured: configured, state: failing, centre: nil, relayClients: 0, retention: nil
            )
            .idleOnDemand == nil)
    }
}
