import Foundation
import KuzetDiscovery
import KuzetTestKit
import Testing

/// The RTSP prober against a real gst-rtsp-server mounted under vendor paths with Digest auth.
@Suite(.serialized)
struct RTSPProberTests {
    static let credentials = DeviceCredentials(username: "admin", password: "Kz-test-42")

    func startServer(hikvision: Int = 0, dahua: Int = 0) throws -> (ExternalProcess, Int) {
        let port = freeLoopbackPort()
        let server = try ExternalProcess(
            "/usr/bin/python3",
            [
                TestSupport.script("rtsp_vendor_server.py"), "--port", "\(port)", "--user", Self.credentials.username,
                "--password", Self.credentials.password,
                "--hikvision", "\(hikvision)", "--dahua", "\(dahua)",
            ], name: "rtsp-vendor-server")
        try TestSupport.waitUntilReady(server)
        return (server, port)
    }

    @Test func findsEveryChannelOfAHikvisionStyleRecorder() async throws {
        let (server, port) = try startServer(hikvision: 3)
        defer { server.stop() }
        let channels = try await RTSPProber(credentials: Self.credentials).probe(host: "127.0.0.1", port: port)
        #expect(channels.count == 3)
        #expect(channels.map(\.vendor) == ["hikvision", "hikvision", "hikvision"])
        #expect(channels.last?.mainURL == "rtsp://127.0.0.1:\(port)/Streaming/Channels/301")
        #expect(channels.last?.subURL == "rtsp://127.0.0.1:\(port)/Streaming/Channels/302")
        #expect(channels.first?.main?.codec == "H264")
        #expect(channels.first?.main?.width == 640)
        #expect(channels.first?.main?.height == 360)
        #expect(channels.first?.sub?.width == 320)
    }

    @Test func findsEveryChannelOfADahuaStyleRecorder() async throws {
        let (server, port) = try startServer(dahua: 4)
        defer { server.stop() }
        let channels = try await RTSPProber(credentials: Self.credentials).probe(host: "127.0.0.1", port: port)
        #expect(channels.count == 4)
        #expect(channels.allSatisfy { $0.vendor == "dahua" })
        #expect(channels[3].mainURL == "rtsp://127.0.0.1:\(port)/cam/realmonitor?channel=4&subtype=0")
        #expect(channels[3].subURL == "rtsp://127.0.0.1:\(port)/cam/realmonitor?channel=4&subtype=1")
    }

    @Test func wrongPasswordIsReportedAsAnAuthenticationProblem() async throws {
        let (server, port) = try startServer(hikvision: 1)
        defer { server.stop() }
        let prober = RTSPProber(credentials: DeviceCredentials(username: "admin", password: "wrong"))
        let error = await #expect(throws: DiscoveryError.self) { try await prober.probe(host: "127.0.0.1", port: port) }
        #expect(error?.description.contains("401") == true)
        #expect(error?.description.contains("wrong") == false)
    }

    @Test func describeOfAnRTSPURLGivesCodecAndSize() async throws {
        let (server, port) = try startServer(hikvision: 1)
        defer { server.stop() }
        let description = try await RTSPClient(credentials: Self.credentials).describe(
            "rtsp://127.0.0.1:\(port)/Streaming/Channels/101")
        #expect(description.status == 200)
        #expect(description.session?.video?.codec == "H264")
        #expect(description.session?.video?.width == 640)
        #expect(description.session?.video?.frameRate == 25)
    }
}
