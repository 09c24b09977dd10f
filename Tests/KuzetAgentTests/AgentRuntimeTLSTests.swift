import Foundation
import KuzetAgent
import KuzetConfiguration
import KuzetCore
import KuzetTestKit
import Logging
import Testing

/// `rtsps://` cameras and pushes go through FFmpeg 5.1's RTSP client, which cannot check a
/// certificate: the agent says so once at start instead of leaving it silent.
@Suite struct AgentRuntimeTLSTests {
    @Test func anRTSPSCameraAndAnRTSPSPushAreNamedAsNotVerified() throws {
        let storage = try TemporaryDirectory(prefix: "kuzet-runtime-tls")
        let logs = LogRecorder()
        let configuration = AgentConfiguration(
            school: .init(id: "KZ-TEST-TLS"), storage: .init(root: storage.path),
            centre: .init(push: "rtsps://127.0.0.1:9/live/{camera}"),
            cameras: [
                .init(id: "secure", url: "rtsps://127.0.0.1:9/stream", push: .main),
                .init(id: "plain", url: "rtsp://127.0.0.1:9/stream"),
            ])
        // Built, never started: nothing connects.
        _ = AgentRuntime(configuration: configuration, logger: logs.logger(label: "kuzet.agent"))
        let warnings = logs.entries(atLeast: .warning).map(\.message)
        #expect(
            warnings.filter {
                $0.hasPrefix("cameras[secure]: rtsps:// is encrypted but the camera's certificate is not checked")
            }.count == 1)
        #expect(
            warnings.contains {
                $0.hasPrefix("centre.push: rtsps:// is encrypted but the centre's certificate is not checked")
            })
        #expect(!warnings.contains { $0.contains("cameras[plain]") })
    }

    @Test func anRTMPSPushIsNotWarnedAbout() throws {
        let storage = try TemporaryDirectory(prefix: "kuzet-runtime-tls")
        let logs = LogRecorder()
        let configuration = AgentConfiguration(
            school: .init(id: "KZ-TEST-TLS"), storage: .init(root: storage.path),
            centre: .init(push: "rtmps://127.0.0.1:9/live/{camera}"),
            cameras: [.init(id: "cam1", url: "rtsp://127.0.0.1:9/stream", push: .main)])
        _ = AgentRuntime(configuration: configuration, logger: logs.logger(label: "kuzet.agent"))
        #expect(logs.entries(atLeast: .warning).isEmpty)
    }
}
