import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetDiscovery
import KuzetTestKit
import Testing

/// `kuzet-agent discover` and `probe` as the integrator runs them (the built executable).
@Suite(.serialized)
struct DiscoverCommandTests {
    func passwordFile(_ folder: TemporaryDirectory) throws -> String {
        let path = folder.file("camera.pass")
        try (ReplayServer.password + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func discoverArguments(_ server: ReplayServer, _ passwordPath: String) -> [String] {
        [
            "discover", "--subnet", "127.0.0.1/32", "--onvif-port", "\(server.port)", "--rtsp-port",
            "\(freeLoopbackPort())", "--interface", "lo",
            "--timeout", "0.5", "--username", ReplayServer.username, "--password-file", passwordPath,
        ]
    }

    @Test func discoverYAMLOutputPastedIntoAConfigurationPassesValidation() throws {
        let server = try ReplayServer(device: "dahua-nvr4104hs")
        defer { server.stop() }
        let folder = try TemporaryDirectory()
        let (status, stdout, stderr) = try RetentionFixtures.runSeparately(
            try RetentionFixtures.agentExecutable(),
            discoverArguments(server, try passwordFile(folder)) + ["--format", "yaml"], timeout: 60)
        #expect(status == 0, "\(stderr)")
        let configuration = try AgentConfiguration.parse(
            yaml: "school: { id: KZ-AST-0042 }\nstorage: { root: /var/lib/kuzet/recordings }\n" + stdout)
        #expect(configuration.cameras.count == 4)
        #expect(configuration.cameras.map(\.subURL).allSatisfy { $0?.contains("subtype=1") == true })
        #expect(configuration.cameras.allSatisfy { $0.password == ReplayServer.password })
    }

    @Test func discoverWriteConfigAddsTheCamerasToTheFile() throws {
        let server = try ReplayServer(device: "hikvision-ds-2cd2043g0-i")
        defer { server.stop() }
        let folder = try TemporaryDirectory()
        let config = folder.file("agent.yaml")
        try "# school 42\nschool: { id: KZ-AST-0042 }\nstorage: { root: /var/lib/kuzet/recordings }\ncameras: []\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let (status, stdout, stderr) = try RetentionFixtures.runSeparately(
            try RetentionFixtures.agentExecutable(),
            discoverArguments(server, try passwordFile(folder)) + ["--write-config", config], timeout: 60)
        #expect(status == 0, "\(stderr)")
        #expect(stdout.contains("DS-2CD2043G0-I")) // the table
        #expect(!stdout.contains(ReplayServer.password))
        #expect(stderr.contains("added 1 camera(s)"))
        let written = try AgentConfiguration.load(path: config)
        #expect(
            written.cameras.map(\.url) == [
                "rtsp://127.0.0.1:554/Streaming/Channels/101?transportmode=unicast&profile=Profile_1"
            ])
        #expect(try String(contentsOfFile: config, encoding: .utf8).hasPrefix("# school 42\n"))
    }

    @Test func probeOfAnONVIFDeviceListsItsStreamsAsJSON() throws {
        let server = try ReplayServer(device: "axis-p3265-lve")
        defer { server.stop() }
        let (status, stdout, stderr) = try RetentionFixtures.runSeparately(
            try RetentionFixtures.agentExecutable(),
            [
                "probe", server.deviceURL, "--username", ReplayServer.username, "--password", ReplayServer.password,
                "--format", "json",
            ], timeout: 60)
        #expect(status == 0, "\(stderr)")
        let streams = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [[String: Any]])
        #expect(streams.count == 3)
        #expect(streams.first?["codec"] as? String == "H264")
        #expect(streams.first?["width"] as? Int == 1920)
        #expect(streams.first?["fps"] as? Double == 30)
    }

    @Test func probeWithAWrongPasswordExitsOneWithoutShowingIt() throws {
        let server = try ReplayServer(device: "axis-p3265-lve")
        defer { server.stop() }
        let (status, stdout, stderr) = try RetentionFixtures.runSeparately(
            try RetentionFixtures.agentExecutable(),
            ["probe", server.deviceURL, "--username", "admin", "--password", "Wr0ng-Secret"], timeout: 60)
        #expect(status == 1)
        #expect(stdout.isEmpty)
        #expect(stderr.contains("not authorized"))
        #expect(stderr.contains("check --username/--password"))
        #expect(!stderr.contains("Wr0ng-Secret"))
    }

    @Test func aSubnetThatIsTooBigIsAUsageError() throws {
        let (status, _, stderr) = try RetentionFixtures.runSeparately(
            try RetentionFixtures.agentExecutable(), ["discover", "--subnet", "10.0.0.0/8"], timeout: 30)
        #expect(status == 2)
        #expect(
            stderr.contains(
                "--subnet 10.0.0.0/8: has 16777216 addresses, more than a /20 — scan the camera VLANs in /24 blocks"))
    }

    @Test func probeRefusesATimeoutItCouldNotWaitForInsteadOfTrapping() throws {
        for timeout in ["1e30", "nan", "0", "-3"] {
            let run = try AgentRun(
                ["probe", "http://127.0.0.1:\(freeLoopbackPort())/onvif/device_service", "--timeout=\(timeout)"],
                timeout: 30)
            #expect(run.exitStatus == 2, "\(timeout): \(run)")
            #expect(run.stderr.contains("must be between 0 and 60 seconds"), "\(timeout): \(run)")
        }
    }

    @Test func discoverRefusesAPortOutsideTheTCPRange() throws {
        let run = try AgentRun(
            ["discover", "--subnet", "127.0.0.1/32", "--onvif-port", "70000", "--rtsp-port=-1"], timeout: 30)
        #expect(run.exitStatus == 2, "\(run)")
        #expect(
            run.problemLines == [
                "--onvif-port/--rtsp-port 70000: is not a TCP port — give 1 to 65535",
                "--onvif-port/--rtsp-port -1: is not a TCP port — give 1 to 65535",
            ], "\(run)")
    }
}
