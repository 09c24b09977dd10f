import Foundation
import KuzetConfiguration
import KuzetCore
import Testing

@Suite struct AgentConfigurationTests {
    let valid = """
        school: { id: KZ-AST-0042, name: "School No. 42", region: Astana }
        storage:
          root: /var/lib/kuzet/recordings
          segment_seconds: 60
        retention:
          days: 30
        registry:
          url: https://registry.example/api/v1/heartbeats
          token_file: /etc/kuzet/token
        centre:
          push: rtmp://cou.example/live/{school}/{camera}
          max_kbps: 8000
        relay:
          listen: 0.0.0.0:8554
          username: cou
          password: relay-pw
        cameras:
          - id: entrance
            url: rtsp://192.168.1.64:554/Streaming/Channels/101
            sub_url: rtsp://192.168.1.64:554/Streaming/Channels/102
            username: admin
            password: "p@ss:word"
            push: sub
          - id: yard
            url: rtsp://192.168.1.65/stream1
            record: false
        """

    @Test func theContractExampleLoads() throws {
        let configuration = try AgentConfiguration.parse(yaml: valid)
        #expect(configuration.school.id == "KZ-AST-0042")
        #expect(configuration.storage.format == .fmp4)
        #expect(configuration.retention.days == 30)
        #expect(configuration.cameras.map(\.id) == ["entrance", "yard"])
        #expect(configuration.cameras[0].push == .sub)
        #expect(configuration.cameras[1].record == nil)
        #expect(configuration.relay?.listen == ListenAddress(host: "0.0.0.0", port: 8554))
        #expect(
            configuration.centre?.pushURL(school: "KZ-AST-0042", camera: "entrance")
                == "rtmp://cou.example/live/KZ-AST-0042/entrance")
        #expect(
            configuration.cameras[0].authenticatedURL(of: .main)
                == "rtsp://admin:p%40ss%3Aword@192.168.1.64:554/Streaming/Channels/101")
    }

    @Test func aRelayReachableFromTheNetworkWithoutCredentialsIsRefusedWithTheFix() {
        for listen in ["0.0.0.0:8554", ":8554", "192.168.1.10:8554", "[::]:8554"] {
            let yaml = valid.replacingOccurrences(
                of: "  listen: 0.0.0.0:8554\n  username: cou\n  password: relay-pw", with: "  listen: \"\(listen)\"")
            #expect(yaml != valid)
            do {
                _ = try AgentConfiguration.parse(yaml: yaml)
                Issue.record("relay on \(listen) without credentials was accepted")
            } catch {
                #expect(error.problems.map(\.key) == ["relay.listen"], "\(listen): \(error.description)")
                #expect(error.description.contains("relay.listen: "), "\(error.description)")
                #expect(error.description.contains("reachable from the network"), "\(error.description)")
                #expect(
                    error.description.contains("— set relay.username and relay.password_file"), "\(error.description)")
            }
        }
    }

    @Test func aRelayOnLoopbackNeedsNoCredentials() throws {
        for listen in ["127.0.0.1:8554", "[::1]:8554", "localhost:8554"] {
            let yaml = valid.replacingOccurrences(
                of: "  listen: 0.0.0.0:8554\n  username: cou\n  password: relay-pw", with: "  listen: \"\(listen)\"")
            let relay = try #require(try AgentConfiguration.parse(yaml: yaml).relay)
            #expect(relay.username == nil && relay.password == nil)
        }
    }

    @Test func relayCapsHaveDefaultsAndAreRead() throws {
        let defaults = try #require(try AgentConfiguration.parse(yaml: valid).relay)
        #expect(defaults.maxClients == 100 && defaults.maxClientsPerCamera == 20 && defaults.maxConnections == 200)
        let yaml = valid.replacingOccurrences(
            of: "  password: relay-pw", with: "  password: relay-pw\n  max_clients: 600\n  max_clients_per_camera: 550")
        let read = try #require(try AgentConfiguration.parse(yaml: yaml).relay)
        #expect(read.maxClients == 600 && read.maxClientsPerCamera == 550 && read.maxConnections == 700)
        let broken = valid.replacingOccurrences(
            of: "  password: relay-pw", with: "  password: relay-pw\n  max_clients: 0\n  max_connections: lots")
        #expect {
            try AgentConfiguration.parse(yaml: broken)
        } throws: { error in
            let keys: [String] = (error as? ConfigurationError)?.problems.map(\.key).sorted() ?? []
            return keys == ["relay.max_clients", "relay.max_connections"]
        }
    }

    @Test func relayPerAddressCapAndRequestTimeoutHaveDefaultsAndAreChecked() throws {
        let defaults = try #require(try AgentConfiguration.parse(yaml: valid).relay)
        #expect(defaults.maxConnectionsPerAddress == 32 && defaults.requestTimeoutSeconds == 10)
        let yaml = valid.replacingOccurrences(
            of: "  password: relay-pw",
            with: "  password: relay-pw\n  max_connections_per_address: 64\n  request_timeout_seconds: 5")
        let read = try #require(try AgentConfiguration.parse(yaml: yaml).relay)
        #expect(read.maxConnectionsPerAddress == 64 && read.requestTimeoutSeconds == 5)
        let broken = valid.replacingOccurrences(
            of: "  password: relay-pw",
            with: "  password: relay-pw\n  max_connections_per_address: 0\n  request_timeout_seconds: forever")
        #expect {
            try AgentConfiguration.parse(yaml: broken)
        } throws: { error in
            let keys: [String] = (error as? ConfigurationError)?.problems.map(\.key).sorted() ?? []
            return keys == ["relay.max_connections_per_address", "relay.request_timeout_seconds"]
        }
    }

    @Test func theSampleConfigurationsRelayPassesTheRule() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let sample = try String(contentsOf: root.appendingPathComponent("deploy/config/agent.yaml"), encoding: .utf8)
        let relay = try #require(
            sample.components(separatedBy: "\nrelay:\n").last?.components(separatedBy: "\n\n").first)
        #expect(relay.contains("listen: 0.0.0.0:8554"))
        // Only the relay section of the sample, with its password file where a test can write one.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kuzet-sample-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let passwordFile = directory.appendingPathComponent("relay.pass").path
        try "sample-pw\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let yaml =
            "school: { id: KZ-1 }\nstorage: { root: /r }\nrelay:\n"
            + relay.replacingOccurrences(of: "/etc/kuzet/relay.pass", with: passwordFile)
        let parsed = try #require(try AgentConfiguration.parse(yaml: yaml).relay)
        #expect(parsed.username == "cou" && parsed.password == "sample-pw")
    }

    @Test func retentionBelowTheLegalMinimumIsRefusedWithTheReason() {
        let yaml = valid.replacingOccurrences(of: "days: 30", with: "days: 7")
        #expect {
            try AgentConfiguration.parse(yaml: yaml)
        } throws: { error in
            let problems = (error as? ConfigurationError)?.problems ?? []
            return problems.count == 1 && problems[0].key == "retention.days"
                && problems[0].problem.contains("legal minimum")
        }
    }

    @Test func everyProblemIsReportedAtOnce() {
        let yaml = """
            school: { name: x }
            storage: { root: /r, format: avi, segment_seconds: 0 }
            retention: { days: 10, min_free_percent: 90 }
            centre: { push: http://x }
            status: { listen: nowhere }
            colour: blue
            cameras:
              - id: Entrance Hall
                url: http://cam/
                transport: quic
                push: sub
              - id: yard
                url: rtsp://admin:secret@cam/
              - id: yard
                url: rtsp://cam2/
                record: sideways
            """
        do {
            _ = try AgentConfiguration.parse(yaml: yaml)
            Issue.record("a broken configuration was accepted")
        } catch {
            let keys = Set(error.problems.map(\.key))
            for key in [
                "school.id", "storage.format", "storage.segment_seconds", "retention.days",
                "retention.min_free_percent",
                "centre.push", "status.listen", "colour", "cameras[Entrance Hall].id", "cameras[Entrance Hall].url",
                "cameras[Entrance Hall].transport", "cameras[Entrance Hall].push", "cameras[yard].url",
                "cameras[yard].record",
            ] {
                #expect(keys.contains(key), "missing a problem for \(key)")
            }
            #expect(!error.description.contains("secret"))
            #expect(error.problems.count >= 15)
        }
    }
}

@Suite struct CredentialRedactionTests {
    @Test func passwordsInURLsAreMasked() {
        #expect(CredentialRedaction.redact("rtsp://admin:hunter2@10.0.0.5/x") == "rtsp://admin:***@10.0.0.5/x")
        #expect(CredentialRedaction.redact("open rtsp://a:b@h/1 failed") == "open rtsp://a:***@h/1 failed")
        #expect(CredentialRedaction.redact("rtsp://10.0.0.5/x") == "rtsp://10.0.0.5/x")
    }
}

@Suite struct ConfigurationRedactionTests {
    @Test func printingAWholeConfigurationNeverShowsAPassword() throws {
        let configuration = try AgentConfiguration.parse(
            yaml: """
                school: { id: KZ-1 }
                storage: { root: /r }
                relay: { listen: 127.0.0.1:8554, username: cou, password: relay-secret-1 }
                status: { listen: 127.0.0.1:8080, password: status-secret-2 }
                cameras:
                  - id: gate
                    url: rtsp://10.0.0.5/stream
                    username: admin
                    password: camera-secret-3
                """)
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in [
            String(describing: configuration), String(reflecting: configuration), "\(configuration.cameras)", dumped,
        ] {
            for secret in ["relay-secret-1", "status-secret-2", "camera-secret-3"] {
                #expect(!text.contains(secret), "\(secret) shown in: \(text.prefix(200))")
            }
        }
        #expect(String(describing: configuration).contains("***"))
    }
}
