import Foundation
import KuzetDiscovery
import KuzetTestKit
import Testing

/// Discovery never leaks a password: nothing in plain text (WS-Security PasswordText, HTTP Basic)
/// unless `--allow-plaintext-auth`, checked on what the replay server received.
@Suite(.serialized)
struct PlaintextAuthTests {
    @Test func aDeviceTakingOnlyPasswordTextIsNotSentItWithoutTheFlag() async throws {
        let server = try ReplayServer(device: "hikvision-ds-2cd2043g0-i", auth: "ws-text")
        defer { server.stop() }
        let client = ONVIFClient(deviceURL: server.deviceURL, credentials: ReplayServer.credentials)
        let error = await #expect(throws: ONVIFError.self) { try await client.inspect() }
        #expect(error?.kind == .notAuthorized)
        #expect(error?.description.contains("pass --allow-plaintext-auth") == true, "\(String(describing: error))")
        #expect(
            server.seen.contains { $0.contains("GetDeviceInformation") && $0.contains("wsse=PasswordDigest") },
            "\(server.seen)")
        #expect(!server.receivedPlaintextPassword, "\(server.seen)")
    }

    @Test func withTheFlagPasswordTextIsSentWhenTheDeviceRefusesBothDigests() async throws {
        let server = try ReplayServer(device: "hikvision-ds-2cd2043g0-i", auth: "ws-text")
        defer { server.stop() }
        let report = try await ONVIFClient(
            deviceURL: server.deviceURL, credentials: ReplayServer.credentials, allowPlaintextAuth: true
        ).inspect()
        #expect(report.authentication == .wsSecurityText)
        #expect(report.profiles.count == 2)
    }

    @Test func aDeviceOfferingOnlyHTTPBasicIsNotSentItWithoutTheFlag() async throws {
        let server = try ReplayServer(device: "hikvision-ds-2cd2043g0-i", auth: "http-basic")
        defer { server.stop() }
        let client = ONVIFClient(deviceURL: server.deviceURL, credentials: ReplayServer.credentials)
        let error = await #expect(throws: ONVIFError.self) { try await client.inspect() }
        #expect(error?.kind == .plaintextOnly("HTTP Basic authentication"), "\(String(describing: error))")
        #expect(error?.description.contains("sends the password in plain text — not sent") == true)
        #expect(error?.description.contains("--allow-plaintext-auth") == true)
        #expect(error?.description.contains(ReplayServer.password) == false)
        #expect(!server.seen.isEmpty)
        #expect(!server.receivedPlaintextPassword, "\(server.seen)")
    }

    @Test func withTheFlagHTTPBasicIsSentToADeviceOfferingOnlyBasic() async throws {
        let server = try ReplayServer(device: "hikvision-ds-2cd2043g0-i", auth: "http-basic")
        defer { server.stop() }
        let report = try await ONVIFClient(
            deviceURL: server.deviceURL, credentials: ReplayServer.credentials, allowPlaintextAuth: true
        ).inspect()
        #expect(report.authentication == .httpBasic)
        #expect(report.profiles.count == 2)
        #expect(server.seen.contains { $0.contains("authorization=Basic") })
    }

    @Test func evenWithTheFlagADigestDeviceNeverSeesAPlainTextPassword() async throws {
        for auth in ["ws-digest", "http-digest"] {
            let server = try ReplayServer(device: "dahua-nvr4104hs", auth: auth)
            defer { server.stop() }
            let report = try await ONVIFClient(
                deviceURL: server.deviceURL, credentials: ReplayServer.credentials, allowPlaintextAuth: true
            ).inspect()
            #expect(report.streamsPerSource.count == 4)
            #expect(!report.authentication.sendsPlaintextPassword, "\(auth): \(report.authentication)")
            #expect(!server.receivedPlaintextPassword, "\(auth): \(server.seen)")
        }
    }

    @Test func probeOfABasicOnlyDeviceSaysToPassTheFlagAndSendsNoPassword() throws {
        let server = try ReplayServer(device: "axis-p3265-lve", auth: "http-basic")
        defer { server.stop() }
        let refused = try AgentRun([
            "probe", server.deviceURL, "--username", ReplayServer.username, "--password", ReplayServer.password,
        ])
        #expect(refused.exitStatus == 1, "\(refused)")
        #expect(refused.problemLines.count == 1, "\(refused)")
        #expect(
            refused.stderr.contains("HTTP Basic authentication, which sends the password in plain text — not sent"),
            "\(refused)")
        #expect(refused.stderr.contains("--allow-plaintext-auth"))
        #expect(!refused.stderr.contains(ReplayServer.password))
        #expect(!server.receivedPlaintextPassword, "\(server.seen)")

        let allowed = try AgentRun([
            "probe", server.deviceURL, "--username", ReplayServer.username, "--password", ReplayServer.password,
            "--allow-plaintext-auth",
        ])
        #expect(allowed.exitStatus == 0, "\(allowed)")
        #expect(allowed.stdout.contains("AXIS"), "\(allowed)")
        #expect(server.seen.contains { $0.contains("authorization=Basic") })
    }

    @Test func discoverOfAPasswordTextDeviceGivesOneProblemLineAndSendsNoPassword() throws {
        let server = try ReplayServer(device: "hikvision-ds-2cd2043g0-i", auth: "ws-text")
        defer { server.stop() }
        let run = try AgentRun([
            "discover", "--subnet", "127.0.0.1/32", "--onvif-port", "\(server.port)", "--rtsp-port",
            "\(freeLoopbackPort())", "--interface", "lo",
            "--timeout", "0.5", "--username", ReplayServer.username, "--password", ReplayServer.password,
        ])
        #expect(run.exitStatus == 0, "\(run)")
        let lines = run.problemLines.filter { $0.contains("127.0.0.1:\(server.port)") }
        #expect(lines.count == 1, "\(run)")
        #expect(lines.first?.contains("pass --allow-plaintext-auth") == true)
        #expect(!server.receivedPlaintextPassword, "\(server.seen)")
    }

    /// An RTSP camera that takes only Basic (scripts/testing/hostile_device_server.py --mode basic-only).
    func startBasicOnlyCamera() throws -> (ExternalProcess, Int) {
        let port = freeLoopbackPort()
        let camera = try ExternalProcess(
            "python3",
            [
                TestSupport.script("hostile_device_server.py"), "--port", "\(port)", "--mode", "basic-only", "--user",
                ReplayServer.username, "--password", ReplayServer.password,
            ], name: "rtsp-basic-only")
        try TestSupport.waitUntilReady(camera)
        return (camera, port)
    }

    @Test func probeOfAnRTSPCameraTakingOnlyBasicSaysToPassTheFlagAndSendsNoPassword() throws {
        let (camera, port) = try startBasicOnlyCamera()
        defer { camera.stop() }
        let url = "rtsp://127.0.0.1:\(port)/Streaming/Channels/101"
        let refused = try AgentRun([
            "probe", url, "--username", ReplayServer.username, "--password", ReplayServer.password,
        ])
        #expect(refused.exitStatus == 1, "\(refused)")
        #expect(
            refused.problemLines == [
                "\(url): asks for RTSP Basic authentication, which sends the password in plain text — not sent — enable Digest authentication on the device, or pass --allow-plaintext-auth"
            ], "\(refused)")
        #expect(camera.output.contains("AUTHORIZATION none"))
        #expect(!camera.output.contains("AUTHORIZATION Basic"), "\(camera.output)")

        let allowed = try AgentRun([
            "probe", url, "--username", ReplayServer.username, "--password", ReplayServer.password,
            "--allow-plaintext-auth",
        ])
        #expect(allowed.exitStatus == 0, "\(allowed)")
        #expect(allowed.stdout.contains("H264"), "\(allowed)")
        #expect(camera.output.contains("AUTHORIZATION Basic"))
    }

    @Test func discoverOfAnRTSPRecorderTakingOnlyBasicGivesOneProblemLineAndSendsNoPassword() throws {
        let (camera, port) = try startBasicOnlyCamera()
        defer { camera.stop() }
        let run = try AgentRun([
            "discover", "--subnet", "127.0.0.1/32", "--onvif-port", "\(freeLoopbackPort())", "--rtsp-port", "\(port)",
            "--interface", "lo",
            "--timeout", "0.5", "--username", ReplayServer.username, "--password", ReplayServer.password,
        ])
        #expect(run.exitStatus == 0, "\(run)")
        let lines = run.problemLines.filter { $0.contains("127.0.0.1:\(port)") }
        #expect(lines.count == 1, "\(run)")
        #expect(
            lines.first?.contains("RTSP Basic authentication, which sends the password in plain text — not sent")
                == true, "\(lines)")
        #expect(camera.output.contains("REQUEST DESCRIBE"))
        #expect(!camera.output.contains("AUTHORIZATION Basic"), "\(camera.output)")
    }
}
