import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetDiscovery
import KuzetTestKit
import Testing

/// What `discover` hands to the integrator: a `cameras:` block that the agent accepts, and
/// `--write-config` that adds to a configuration without losing what is there.
@Suite(.serialized)
struct ConfigurationOutputTests {
    static let baseConfiguration = """
        # Kuzet agent — School No. 42 (hand-written, keep these comments)
        school: { id: KZ-AST-0042, name: "School No. 42", region: Astana }
        storage:
          root: /var/lib/kuzet/recordings   # the 8 TB disk
        retention:
          days: 30
        cameras:
          # entrance, installed 2025-09
          - id: entrance
            url: rtsp://127.0.0.1:554/cam/realmonitor?channel=1&subtype=0&unicast=true&proto=Onvif
        status:
          listen: 127.0.0.1:8080
        """

    /// The Dahua NVR found over a --subnet sweep, as `discover` sees it.
    func discoverRecorder() async throws -> DiscoveryReport {
        let server = try ReplayServer(device: "dahua-nvr4104hs")
        defer { server.stop() }
        let options = DiscoveryOptions(
            timeout: 0.3, multicast: false, subnets: [try SubnetRange(parsing: "127.0.0.1/32")],
            credentials: ReplayServer.credentials,
            scanner: SubnetScanner(onvifPorts: [server.port], rtspPorts: []))
        return try await Discovery(options: options).run()
    }

    @Test func theYAMLBlockPastedIntoAConfigurationPassesValidation() async throws {
        let report = try await discoverRecorder()
        #expect(report.cameras.count == 4)
        let block = CameraYAML.block(report.cameras, credentials: ReplayServer.credentials)
        let pasted = """
            school: { id: KZ-AST-0042 }
            storage: { root: /var/lib/kuzet/recordings }
            \(block)
            """
        let configuration = try AgentConfiguration.parse(yaml: pasted)
        #expect(configuration.cameras.map(\.id) == report.cameras.map(\.id))
        #expect(configuration.cameras.allSatisfy { CameraID.isValid($0.id) })
        #expect(
            configuration.cameras[2].url
                == "rtsp://127.0.0.1:554/cam/realmonitor?channel=3&subtype=0&unicast=true&proto=Onvif")
        #expect(
            configuration.cameras[2].subURL
                == "rtsp://127.0.0.1:554/cam/realmonitor?channel=3&subtype=1&unicast=true&proto=Onvif")
        #expect(configuration.cameras[2].username == ReplayServer.username)
        #expect(configuration.cameras[2].password == ReplayServer.password)
    }

    @Test func writeConfigAddsOnlyNewCamerasAndKeepsCommentsAndOrder() async throws {
        let report = try await discoverRecorder()
        let folder = try TemporaryDirectory()
        let path = folder.file("agent.yaml")
        try Self.baseConfiguration.write(toFile: path, atomically: true, encoding: .utf8)

        let outcome = try ConfigurationAppender.append(
            report.cameras, credentials: ReplayServer.credentials, toFile: path)
        #expect(outcome.added == ["dhi-nvr4104hs-4ks2-ch2", "dhi-nvr4104hs-4ks2-ch3", "dhi-nvr4104hs-4ks2-ch4"])
        #expect(outcome.skipped == ["dhi-nvr4104hs-4ks2-ch1"]) // its URL is the configured `entrance`

        let text = try String(contentsOfFile: path, encoding: .utf8)
        for line in Self.baseConfiguration.split(separator: "\n") { #expect(text.contains(line), "lost: \(line)") }
        // New cameras sit inside the cameras block, before `status:`, which stays last.
        let statusAt = try #require(text.range(of: "status:")).lowerBound
        let addedAt = try #require(text.range(of: "- id: dhi-nvr4104hs-4ks2-ch4")).lowerBound
        #expect(addedAt < statusAt)
        let configuration = try AgentConfiguration.load(path: path)
        #expect(
            configuration.cameras.map(\.id) == [
                "entrance", "dhi-nvr4104hs-4ks2-ch2", "dhi-nvr4104hs-4ks2-ch3", "dhi-nvr4104hs-4ks2-ch4",
            ])
        #expect(configuration.status.listen.port == 8080)

        // A second run finds nothing new and leaves the file alone.
        let again = try ConfigurationAppender.append(
            report.cameras, credentials: ReplayServer.credentials, toFile: path)
        #expect(again.added.isEmpty)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }

    @Test func aTakenIdGetsASuffixInsteadOfReplacingTheKnownCamera() throws {
        let camera = DiscoveredCamera(
            id: "entrance", host: "10.0.0.9", method: "onvif", url: "rtsp://10.0.0.9/Streaming/Channels/101")
        let (text, outcome) = try ConfigurationAppender.append([camera], credentials: nil, to: Self.baseConfiguration)
        #expect(outcome.added == ["entrance-2"])
        #expect(try AgentConfiguration.parse(yaml: text).cameras.map(\.id) == ["entrance", "entrance-2"])
    }

    @Test func aConfigurationWithoutCamerasGetsABlockAppended() throws {
        let base = "school: { id: KZ-AST-0042 }\nstorage: { root: /srv/kuzet }\n# cameras come later\n"
        let camera = DiscoveredCamera(
            id: "gym", host: "10.0.0.9", method: "rtsp-probe", url: "rtsp://10.0.0.9/Streaming/Channels/101")
        let (text, outcome) = try ConfigurationAppender.append([camera], credentials: nil, to: base)
        #expect(outcome.added == ["gym"])
        #expect(text.hasPrefix(base))
        #expect(try AgentConfiguration.parse(yaml: text).cameras.first?.url == "rtsp://10.0.0.9/Streaming/Channels/101")
    }

    @Test func anInvalidConfigurationIsLeftAloneWithAMessageToFixItFirst() throws {
        let camera = DiscoveredCamera(id: "gym", host: "10.0.0.9", method: "onvif", url: "rtsp://10.0.0.9/x")
        let error = #expect(throws: DiscoveryError.self) {
            try ConfigurationAppender.append(
                [camera], credentials: nil, to: "storage: { root: /srv }\n", file: "agent.yaml")
        }
        #expect(error?.description.contains("kuzet-agent check --config agent.yaml") == true)
    }
}
