import Foundation
import KuzetDiscovery
import KuzetTestKit
import Testing

/// Real WS-Discovery multicast between two network namespaces joined by a veth pair, against a
/// responder from the `wsdiscovery` Python package (not our code). Needs root (CI runs as root).
@Suite(.serialized)
struct MulticastDiscoveryTests {
    static let entrance = "urn:uuid:6f1c2d3e-0000-4a4a-8c8c-000000000001"
    static let corridor = "urn:uuid:6f1c2d3e-0000-4a4a-8c8c-000000000002"

    func startResponder(in lab: NetworkNamespace) throws -> ExternalProcess {
        let python = try TestSupport.pythonWithWSDiscovery()
        let responder = try lab.start(
            python,
            [
                TestSupport.script("wsd_responder.py"),
                "--device", "\(Self.entrance)|Entrance Cam|DS-2CD2043G0-I|http://{ip}/onvif/device_service",
                // A device bug seen in the field: the XAddr names 0.0.0.0 instead of the device.
                "--device", "\(Self.corridor)|Corridor 2F|IPC-HFW2431S|http://0.0.0.0:8080/onvif/device_service",
            ], name: "wsd-responder")
        try TestSupport.waitUntilReady(responder)
        return responder
    }

    @Test func findsBothTransmittersWithNameAndHardwareFromScopes() async throws {
        let lab = try NetworkNamespace()
        let responder = try startResponder(in: lab)
        defer { responder.stop() }
        let interface = IPv4Interface(name: lab.hostInterface, address: lab.hostAddress, prefixLength: 30)
        let devices = try await WSDiscoveryClient().probe(interfaces: [interface], timeout: 2.5)

        #expect(
            devices.count == 2,
            "found: \(devices.map(\.endpointReference)) — responder said: \(responder.output.suffix(2000))")
        let entrance = try #require(devices.first { $0.endpointReference == Self.entrance })
        #expect(entrance.name == "Entrance Cam")
        #expect(entrance.hardware == "DS-2CD2043G0-I")
        #expect(entrance.sender == lab.namespaceAddress)
        #expect(entrance.deviceServiceURL == "http://\(lab.namespaceAddress)/onvif/device_service")
        let corridor = try #require(devices.first { $0.endpointReference == Self.corridor })
        #expect(corridor.name == "Corridor 2F")
        #expect(corridor.hardware == "IPC-HFW2431S")
    }

    @Test func anXAddrOfAllZerosBecomesTheSendersAddress() async throws {
        let lab = try NetworkNamespace()
        let responder = try startResponder(in: lab)
        defer { responder.stop() }
        let interface = IPv4Interface(name: lab.hostInterface, address: lab.hostAddress, prefixLength: 30)
        let devices = try await WSDiscoveryClient().probe(interfaces: [interface], timeout: 2.5)
        let corridor = try #require(devices.first { $0.endpointReference == Self.corridor })
        #expect(corridor.xaddrs == ["http://\(lab.namespaceAddress):8080/onvif/device_service"])
    }

    @Test func repeatedAnswersAreDeduplicatedByEndpointReference() async throws {
        let lab = try NetworkNamespace()
        let responder = try startResponder(in: lab)
        defer { responder.stop() }
        let interface = IPv4Interface(name: lab.hostInterface, address: lab.hostAddress, prefixLength: 30)
        // Three probes (SOAP 1.2 NVT, SOAP 1.2 Device, SOAP 1.1) sent three times: many answers, two devices.
        let devices = try await WSDiscoveryClient(repeats: 3).probe(interfaces: [interface], timeout: 2.5)
        #expect(Set(devices.map(\.endpointReference)) == [Self.entrance, Self.corridor])
        #expect(devices.count == 2)
    }

    @Test func unicastProbesToASubnetFindADeviceMulticastCannotReach() async throws {
        let lab = try NetworkNamespace()
        let far = try lab.routedNeighbour()
        let python = try TestSupport.pythonWithWSDiscovery()
        let responder = try far.start(
            python,
            [
                TestSupport.script("wsd_responder.py"), "--device",
                "urn:uuid:0a0b0c0d-1111-2222-3333-444455556666|Gym|DS-7608NI-K2|http://{ip}/onvif/device_service",
            ], name: "wsd-far-responder")
        defer { responder.stop() }
        try TestSupport.waitUntilReady(responder)
        let interface = IPv4Interface(name: lab.hostInterface, address: lab.hostAddress, prefixLength: 30)

        let byMulticast = try await WSDiscoveryClient().probe(interfaces: [interface], timeout: 2)
        #expect(byMulticast.isEmpty, "multicast should not cross the router: \(byMulticast)")

        let subnet = try SubnetRange(parsing: far.subnet)
        let byUnicast = try await WSDiscoveryClient().probe(interfaces: [], unicastHosts: subnet.hosts, timeout: 2.5)
        #expect(byUnicast.map(\.name) == ["Gym"])
        #expect(byUnicast.first?.deviceServiceURL == "http://\(far.address)/onvif/device_service")
    }
}
