import Foundation
import KuzetTestKit
import Testing

@testable import KuzetDiscovery

/// Credentials go only to the host that answered: an address a device names (in a WS-Discovery
/// XAddr or a stream URI) is not sent our password when it is another host.
@Suite(.serialized)
struct CredentialDestinationTests {
    @Test func anXAddrNamingAnotherHostIsNotQuestionedAndSaysSo() async throws {
        // Device 0 answers WS-Discovery but names device 1's address as its service; device 1
        // runs an ONVIF service that records every request.
        let lan = try DeviceLAN(devices: 2)
        let other = lan.addresses[1]
        let service = try lan.start(
            device: 1, "python3",
            [
                TestSupport.script("onvif_replay_server.py"), "--address", other, "--port", "8080", "--fixtures",
                TestSupport.fixture("hikvision-ds-2cd2043g0-i"),
                "--user", ReplayServer.username, "--password", ReplayServer.password,
            ], name: "onvif-replay-other-host")
        defer { service.stop() }
        let responder = try lan.start(
            device: 0, try TestSupport.pythonWithWSDiscovery(),
            [
                TestSupport.script("wsd_responder.py"), "--device",
                "urn:uuid:6f1c2d3e-0000-4a4a-8c8c-0000000000b1|Lobby|DS-2CD2043G0-I|http://\(other):8080/onvif/device_service",
            ], name: "wsd-responder")
        defer { responder.stop() }
        try TestSupport.waitUntilReady(service)
        try TestSupport.waitUntilReady(responder)

        let options = DiscoveryOptions(timeout: 2, interface: lan.bridge, credentials: ReplayServer.credentials)
        let report = try await Discovery(options: options).run()

        #expect(report.devices.map(\.sender) == [lan.addresses[0]], "\(report.devices)")
        #expect(report.cameras.isEmpty)
        let problem = try #require(
            report.problems.first { $0.contains("urn:uuid:6f1c2d3e-0000-4a4a-8c8c-0000000000b1") }, "\(report.problems)"
        )
        #expect(problem.contains("answered WS-Discovery from \(lan.addresses[0]) but names another host"), "\(problem)")
        #expect(problem.contains("credentials go only to the address that answered"))
        #expect(!service.output.contains("REQUEST"), "the other host was contacted: \(service.output)")
    }

    @Test func aWSDiscoveryAnswerIsQuestionedOnlyOnTheAddressItCameFrom() {
        let foreign = DiscoveredDevice(
            endpointReference: "urn:uuid:1", types: [], scopes: [], xaddrs: ["http://10.9.9.9/onvif/device_service"],
            sender: "10.0.0.5")
        let own = DiscoveredDevice(
            endpointReference: "urn:uuid:2", types: [], scopes: [],
            xaddrs: ["http://10.0.0.6:8080/onvif/device_service"], sender: "10.0.0.6")
        #expect(throws: ONVIFTarget.Refusal.self) { try ONVIFTarget.announced(by: foreign).get() }
        #expect((try? ONVIFTarget.announced(by: own).get())?.endpoint == "10.0.0.6:8080")
    }

    @Test func aStreamURIOnAnotherHostIsLeftOutWithAProblemLine() async throws {
        let server = try ReplayServer(device: "hikvision-ds-2cd2043g0-i", streamHost: "10.9.9.9")
        defer { server.stop() }
        let report = try await ONVIFClient(deviceURL: server.deviceURL, credentials: ReplayServer.credentials).inspect()
        #expect(report.profiles.count == 2)
        #expect(report.profiles.allSatisfy { $0.streamURI == nil }, "\(report.profiles.map(\.streamURI))")
        #expect(report.streamsPerSource.isEmpty)
        #expect(report.problems.count == 2, "\(report.problems)")
        #expect(
            report.problems.allSatisfy { $0.contains("stream URI names another host (10.9.9.9) — left out") },
            "\(report.problems)")
    }
}
