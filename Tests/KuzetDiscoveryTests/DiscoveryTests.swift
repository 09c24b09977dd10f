import Foundation
import KuzetCore
import KuzetDiscovery
import KuzetTestKit
import Testing

/// The whole `discover` pipeline: WS-Discovery → ONVIF → cameras, and the subnet sweep with
/// ONVIF tries and RTSP probing, against real servers.
@Suite(.serialized)
struct DiscoveryTests {
    @Test func multicastAnswerLeadsToONVIFProfilesOfTheAnnouncedDevice() async throws {
        let lab = try NetworkNamespace()
        let port = Int.random(in: 20000...40000)
        // The recorded Dahua NVR, served inside the namespace, announced by the wsdiscovery responder.
        let onvif = try lab.start(
            "python3",
            [
                TestSupport.script("onvif_replay_server.py"), "--address", lab.namespaceAddress, "--port", "\(port)",
                "--fixtures", TestSupport.fixture("dahua-nvr4104hs"), "--user", ReplayServer.username, "--password",
                ReplayServer.password,
            ], name: "onvif-replay-ns")
        defer { onvif.stop() }
        try TestSupport.waitUntilReady(onvif)
        let responder = try lab.start(
            try TestSupport.pythonWithWSDiscovery(),
            [
                TestSupport.script("wsd_responder.py"), "--device",
                "urn:uuid:5f000000-aaaa-bbbb-cccc-000000000108|Main Hall NVR|DHI-NVR4104HS-4KS2|http://{ip}:\(port)/onvif/device_service",
            ], name: "wsd-responder")
        defer { responder.stop() }
        try TestSupport.waitUntilReady(responder)

        let options = DiscoveryOptions(
            timeout: 2.5, interface: lab.hostInterface, credentials: ReplayServer.credentials)
        let report = try await Discovery(options: options).run()

        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(
            report.cameras.map(\.id) == [
                "main-hall-nvr-ch1", "main-hall-nvr-ch2", "main-hall-nvr-ch3", "main-hall-nvr-ch4",
            ])
        #expect(
            report.cameras.first?.url
                == "rtsp://\(lab.namespaceAddress):554/cam/realmonitor?channel=1&subtype=0&unicast=true&proto=Onvif")
        #expect(
            report.cameras.first?.subURL
                == "rtsp://\(lab.namespaceAddress):554/cam/realmonitor?channel=1&subtype=1&unicast=true&proto=Onvif")
        #expect(report.cameras.first?.manufacturer == "Dahua")
    }

    @Test func subnetSweepFindsAnONVIFDeviceAndTheChannelsOfARecorderWithoutONVIF() async throws {
        let onvif = try ReplayServer(device: "hikvision-ds-2cd2043g0-i")
        defer { onvif.stop() }
        // An RTSP-only recorder on another loopback address (no ONVIF there).
        let rtspPort = freeLoopbackPort()
        let recorder = try ExternalProcess(
            "/usr/bin/python3",
            [
                TestSupport.script("rtsp_vendor_server.py"), "--address", "127.0.0.2", "--port", "\(rtspPort)",
                "--user", ReplayServer.username, "--password", ReplayServer.password, "--dahua", "2",
            ], name: "rtsp-recorder")
        defer { recorder.stop() }
        try TestSupport.waitUntilReady(recorder)

        let scanner = SubnetScanner(onvifPorts: [onvif.port], rtspPorts: [rtspPort], parallelism: 8)
        let options = DiscoveryOptions(
            timeout: 0.5, multicast: false, subnets: [try SubnetRange(parsing: "127.0.0.0/30")],
            credentials: ReplayServer.credentials, scanner: scanner)
        let report = try await Discovery(options: options).run()

        let byMethod = Dictionary(grouping: report.cameras, by: \.method)
        #expect(byMethod["onvif"]?.map(\.model) == ["DS-2CD2043G0-I"])
        #expect(byMethod["onvif"]?.first?.host == "127.0.0.1")
        #expect(byMethod["rtsp-probe"]?.count == 2)
        #expect(
            byMethod["rtsp-probe"]?.map(\.url) == [
                "rtsp://127.0.0.2:\(rtspPort)/cam/realmonitor?channel=1&subtype=0",
                "rtsp://127.0.0.2:\(rtspPort)/cam/realmonitor?channel=2&subtype=0",
            ])
        #expect(byMethod["rtsp-probe"]?.first?.main?.width == 640)
    }

    @Test func aSubnetBiggerThanASlash20IsRefusedWithAFix() {
        let error = #expect(throws: DiscoveryError.self) { try SubnetRange(parsing: "10.0.0.0/8") }
        #expect(
            error?.description
                == "--subnet 10.0.0.0/8: has 16777216 addresses, more than a /20 — scan the camera VLANs in /24 blocks (give --subnet several times)"
        )
        #expect(throws: DiscoveryError.self) { try SubnetRange(parsing: "192.168.1.300/24") }
    }

    @Test func aSubnetListsItsHostsWithoutNetworkAndBroadcastAddresses() throws {
        #expect(try SubnetRange(parsing: "192.168.10.77/30").hosts == ["192.168.10.77", "192.168.10.78"])
        #expect(try SubnetRange(parsing: "10.1.2.0/24").hosts.count == 254)
    }
}
