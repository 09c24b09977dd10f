import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetTestKit
import Testing

/// TLS wherever it is offered: plain http:// to the registry only on this box, and the ЦОУ's
/// rtmps:// certificate checked against `centre.ca_file` (a file that must exist).
@Suite struct AgentConfigurationTLSTests {
    func yaml(registry: String, centre: String = "") -> String {
        """
        school: { id: KZ-AST-0042, region: Astana }
        storage: { root: /var/lib/kuzet/recordings }
        registry: { url: "\(registry)", token_file: /etc/kuzet/token }
        \(centre)
        cameras:
          - id: entrance
            url: rtsp://192.168.1.64/stream1
        """
    }

    func problems(_ text: String) -> [ConfigurationProblem] {
        do {
            _ = try AgentConfiguration.parse(yaml: text)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func plainHTTPToAnotherMachineIsRefusedWithTheFix() {
        let found = problems(yaml(registry: "http://registry.example/api/v1/heartbeats"))
        #expect(found.count == 1)
        #expect(found.first?.key == "registry.url")
        #expect(found.first?.problem.contains("plain http://") == true)
        #expect(found.first?.fix.contains("https://") == true)
    }

    @Test func plainHTTPToANameThatIsNotLocalhostIsRefused() {
        #expect(problems(yaml(registry: "http://10.0.0.1:8080/api/v1/heartbeats")).map(\.key) == ["registry.url"])
        #expect(problems(yaml(registry: "http://localhost.example/api/v1/heartbeats")).map(\.key) == ["registry.url"])
    }

    @Test(arguments: [
        "http://127.0.0.1:8080/api/v1/heartbeats", "http://127.0.0.2/api/v1/heartbeats",
        "http://localhost/api/v1/heartbeats",
        "http://[::1]:8080/api/v1/heartbeats", "https://registry.example/api/v1/heartbeats",
    ])
    func plainHTTPOnThisBoxAndHTTPSAnywhereAreAccepted(url: String) {
        #expect(problems(yaml(registry: url)).isEmpty)
    }

    @Test func anRTMPSPushTakesTheCentresCAFile() throws {
        let folder = try TemporaryDirectory(prefix: "kuzet-config-tls")
        try "-----BEGIN CERTIFICATE-----\n".write(toFile: folder.file("cou-ca.pem"), atomically: true, encoding: .utf8)
        let text = yaml(
            registry: "https://registry.example/api/v1/heartbeats",
            centre: "centre: { push: \"rtmps://cou.example/live/{camera}\", ca_file: cou-ca.pem }")
        let configuration = try AgentConfiguration.parse(yaml: text, baseDirectory: folder.path)
        #expect(configuration.centre?.caFile == folder.file("cou-ca.pem"))
    }

    @Test func aCentreCAFileThatCannotBeReadIsRefused() {
        let text = yaml(
            registry: "https://registry.example/api/v1/heartbeats",
            centre: "centre: { push: \"rtmps://cou.example/live/{camera}\", ca_file: /nonexistent/cou-ca.pem }")
        let found = problems(text)
        #expect(found.map(\.key) == ["centre.ca_file"])
        #expect(found.first?.problem.contains("/nonexistent/cou-ca.pem cannot be read") == true)
    }

    @Test func aCentreCAFileWithAPushItCannotVerifyIsRefused() throws {
        let folder = try TemporaryDirectory(prefix: "kuzet-config-tls")
        try "x".write(toFile: folder.file("ca.pem"), atomically: true, encoding: .utf8)
        let text = yaml(
            registry: "https://registry.example/api/v1/heartbeats",
            centre: "centre: { push: \"rtsps://cou.example/live/{camera}\", ca_file: \(folder.file("ca.pem")) }")
        let found = problems(text)
        #expect(found.map(\.key) == ["centre.ca_file"])
        #expect(found.first?.fix.contains("rtmps://") == true)
    }

    @Test func aRegistryCAFileThatCannotBeReadIsRefused() {
        let text = yaml(registry: "https://registry.example/api/v1/heartbeats").replacingOccurrences(
            of: "token_file: /etc/kuzet/token", with: "token_file: /etc/kuzet/token, ca_file: /nonexistent/ca.pem")
        #expect(problems(text).map(\.key) == ["registry.ca_file"])
    }

    @Test(arguments: [
        ("127.0.0.1", true), ("127.255.0.9", true), ("::1", true), ("[::1]", true), ("localhost", true),
        ("::ffff:127.0.0.1", true),
        ("10.0.0.1", false), ("128.0.0.1", false), ("::2", false), ("0.0.0.0", false), ("::", false),
        ("registry.example", false),
        ("localhost.example", false),
    ])
    func loopbackIsThisMachineOnly(host: String, loopback: Bool) {
        #expect(LoopbackHost.contains(host) == loopback)
    }
}
