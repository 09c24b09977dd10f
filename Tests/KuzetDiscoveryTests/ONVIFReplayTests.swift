import Foundation
import KuzetDiscovery
import KuzetTestKit
import Testing

/// The ONVIF client against recorded answers of real devices (see Fixtures/README.md), served
/// over real HTTP by a server that checks authentication the way the devices do.
@Suite(.serialized)
struct ONVIFReplayTests {
    @Test func hikvisionCameraProfilesAndStreamURIsAreExtracted() async throws {
        let server = try ReplayServer(device: "hikvision-ds-2cd2043g0-i")
        defer { server.stop() }
        let report = try await ONVIFClient(deviceURL: server.deviceURL, credentials: ReplayServer.credentials).inspect()

        #expect(report.information.manufacturer == "HIKVISION")
        #expect(report.information.model == "DS-2CD2043G0-I")
        #expect(report.profiles.map(\.token) == ["Profile_1", "Profile_2"])
        #expect(report.profiles.first?.width == 2688)
        #expect(report.profiles.first?.height == 1520)
        #expect(report.profiles.first?.frameRate == 25)
        // The device names its LAN address (192.168.1.64); we reached it at 127.0.0.1.
        #expect(
            report.profiles.map(\.streamURI) == [
                "rtsp://127.0.0.1:554/Streaming/Channels/101?transportmode=unicast&profile=Profile_1",
                "rtsp://127.0.0.1:554/Streaming/Channels/102?transportmode=unicast&profile=Profile_2",
            ])
        let sources = report.streamsPerSource
        #expect(sources.count == 1)
        #expect(sources.first?.profiles.map(\.token) == ["Profile_1", "Profile_2"])
        #expect(report.usedMedia2 == false)
    }

    @Test func axisCameraIsReadThroughMedia2WithJPEGNeverChosenAsAStream() async throws {
        let server = try ReplayServer(device: "axis-p3265-lve")
        defer { server.stop() }
        let report = try await ONVIFClient(deviceURL: server.deviceURL, credentials: ReplayServer.credentials).inspect()

        #expect(report.usedMedia2)
        #expect(server.process.output.contains("REQUEST Media2.GetProfiles"))
        #expect(report.information.manufacturer == "AXIS")
        let source = try #require(report.streamsPerSource.first)
        #expect(report.streamsPerSource.count == 1)
        #expect(source.profiles.prefix(2).map(\.token) == ["profile_1_h264", "profile_2_h264"])
        #expect(
            source.profiles.first?.streamURI
                == "rtsp://127.0.0.1/onvif-media/media.amp?profile=profile_1_h264&sessiontimeout=60&streamtype=unicast")
        #expect(source.profiles.first?.frameRate == 30)
    }

    @Test func dahuaRecorderGivesOneCameraPerVideoSourceWithMainAndSubStreams() async throws {
        let server = try ReplayServer(device: "dahua-nvr4104hs")
        defer { server.stop() }
        let report = try await ONVIFClient(deviceURL: server.deviceURL, credentials: ReplayServer.credentials).inspect()

        // This firmware has no GetServices; the client falls back to GetCapabilities.
        #expect(server.process.output.contains("REQUEST GetCapabilities"))
        let sources = report.streamsPerSource
        #expect(sources.map(\.source) == ["00000", "00100", "00200", "00300"])
        for (index, source) in sources.enumerated() {
            #expect(source.profiles.count == 2)
            #expect(
                source.profiles[0].streamURI
                    == "rtsp://127.0.0.1:554/cam/realmonitor?channel=\(index + 1)&subtype=0&unicast=true&proto=Onvif")
            #expect(
                source.profiles[1].streamURI
                    == "rtsp://127.0.0.1:554/cam/realmonitor?channel=\(index + 1)&subtype=1&unicast=true&proto=Onvif")
            #expect(source.profiles[0].width == 1920)
            #expect(source.profiles[1].width == 704)
        }
    }

    @Test func aDeviceWhoseClockIsHoursOffStillAuthenticatesWithPasswordDigest() async throws {
        let server = try ReplayServer(device: "hikvision-ds-2cd2043g0-i", auth: "ws-digest", clockOffsetHours: -5)
        defer { server.stop() }
        let report = try await ONVIFClient(deviceURL: server.deviceURL, credentials: ReplayServer.credentials).inspect()

        #expect(abs(report.clockOffsetSeconds + 5 * 3600) < 5, "offset \(report.clockOffsetSeconds)")
        #expect(report.authentication == .wsSecurityDigest)
        // The server verified SHA-1(nonce+created+password) and that Created sat on *its* clock.
        let verified = server.process.output.split(separator: "\n").filter { $0.hasPrefix("DIGEST verified") }
        #expect(!verified.isEmpty)
        #expect(
            verified.allSatisfy {
                $0.contains("-18000 s from the real clock") || $0.contains("-17999 s from the real clock")
                    || $0.contains("-18001 s from the real clock")
            }, "\(verified)")
        #expect(!server.process.output.contains("AUTH refused"))
    }

    @Test func aWrongPasswordEndsInANotAuthorizedErrorThatSaysWhatToCheck() async throws {
        let server = try ReplayServer(device: "hikvision-ds-2cd2043g0-i")
        defer { server.stop() }
        let client = ONVIFClient(
            deviceURL: server.deviceURL, credentials: DeviceCredentials(username: "admin", password: "not-the-password")
        )
        let error = await #expect(throws: ONVIFError.self) { try await client.inspect() }
        #expect(error?.kind == .notAuthorized)
        #expect(error?.description.contains("--username/--password") == true)
        #expect(error?.description.contains("not-the-password") == false)
        // Both digests were tried before giving up (WS-Security digest, then HTTP Digest), nothing in plain text.
        #expect(server.process.output.components(separatedBy: "AUTH refused GetDeviceInformation").count - 1 >= 2)
        #expect(!server.receivedPlaintextPassword, "\(server.seen)")
    }

    @Test func httpDigestIsTheLastResort() async throws {
        let server = try ReplayServer(device: "dahua-nvr4104hs", auth: "http-digest")
        defer { server.stop() }
        let report = try await ONVIFClient(deviceURL: server.deviceURL, credentials: ReplayServer.credentials).inspect()
        #expect(report.authentication == .httpDigest)
        #expect(report.streamsPerSource.count == 4)
    }
}
