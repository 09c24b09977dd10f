import Foundation
import KuzetRegistry
import KuzetTestKit
import Testing

/// deploy/prometheus/kuzet-rules.yml, checked and unit-tested with Debian's promtool, then loaded by
/// a real Prometheus on loopback that scrapes a real registry.
@Suite("Prometheus rules", .serialized, .timeLimit(.minutes(3)))
struct PrometheusRulesTests {
    static var rules: String { PostgresTestServer.repositoryRoot + "/deploy/prometheus/kuzet-rules.yml" }

    @Test("promtool check rules accepts kuzet-rules.yml, and promtool test rules passes kuzet-rules.test.yml")
    func promtoolChecksAndTestsTheRules() throws {
        let check = try KuzetTestKit.run("promtool", ["check", "rules", Self.rules])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("SUCCESS: 8 rules found"), "\(check.output)")
        let test = try KuzetTestKit.run(
            "promtool",
            ["test", "rules", PostgresTestServer.repositoryRoot + "/deploy/prometheus/kuzet-rules.test.yml"])
        #expect(test.status == 0, "\(test.output)")
        #expect(test.output.contains("SUCCESS"), "\(test.output)")
    }

    @Test(
        "a real Prometheus scraping a real registry: one of Astana's two schools stops reporting, the OFFLINE gauge shows it and KuzetRegionOnlineShareDropped fires for Astana only"
    )
    func prometheusSeesASchoolGoOfflineAndTheRuleFires() async throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-prometheus")
        let database = "sqlite:" + directory.file("registry.sqlite")
        func school(_ id: String, _ region: String) throws -> HeartbeatLoad.School {
            HeartbeatLoad.School(
                id: id,
                token: try RegistryExecutable.createToken([
                    "--role", "school", "--school", id, "--region", region, "--database", database,
                ]))
        }
        let leaving = try school("KZ-PRM-0001", "Astana")
        let staying = [try school("KZ-PRM-0002", "Astana"), try school("KZ-PRM-0003", "Almaty")]
        let viewer = try RegistryExecutable.createToken(["--role", "viewer", "--database", database])
        // Offline after 2 s without a heartbeat (1 s interval × 2); counted every half second.
        let server = try RegistryProcess([
            "--database", database, "--offline-after-intervals", "2", "--census-interval", "0.5",
        ])
        let port = RawConnection.port(of: server.url)

        // The shipped rules with every `for:` cut to 1 s; the expressions are the shipped ones.
        let shipped = try String(contentsOfFile: Self.rules, encoding: .utf8)
        let quick = shipped.replacingOccurrences(of: #"for: \d+m"#, with: "for: 1s", options: .regularExpression)
        #expect(quick != shipped)
        try quick.write(toFile: directory.file("rules.yml"), atomically: true, encoding: .utf8)
        try viewer.write(toFile: directory.file("token"), atomically: true, encoding: .utf8)
        try """
        global: {scrape_interval: 1s, evaluation_interval: 1s}
        rule_files: [\(directory.file("rules.yml"))]
        scrape_configs:
          - job_name: kuzet-registry
            authorization: {credentials_file: \(directory.file("token"))}
            static_configs: [{targets: ["127.0.0.1:\(port)"]}]
        """.write(toFile: directory.file("prometheus.yml"), atomically: true, encoding: .utf8)
        let prometheusPort = freeLoopbackPort()
        let prometheus = try ExternalProcess(
            "prometheus",
            [
                "--config.file=" + directory.file("prometheus.yml"), "--storage.tsdb.path=" + directory.file("data"),
                "--web.listen-address=127.0.0.1:\(prometheusPort)", "--log.level=warn",
            ],
            logDirectory: directory.path)
        defer { prometheus.stop() }
        let api = "http://127.0.0.1:\(prometheusPort)/api/v1"
        func query(_ expression: String) throws -> [String: Any] {
            // Refused while Prometheus starts: nothing yet.
            guard let (status, body) = try? curl(["-G", "\(api)/query", "--data-urlencode", "query=\(expression)"]),
                status == 200
            else { return [:] }
            return try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] ?? [:]
        }
        func values(_ expression: String) throws -> [String: String] {
            let data = try query(expression)["data"] as? [String: Any]
            var found: [String: String] = [:]
            for result in data?["result"] as? [[String: Any]] ?? [] {
                let region = (result["metric"] as? [String: String])?["region"] ?? ""
                found[region] = (result["value"] as? [Any])?.last as? String
            }
            return found
        }
        func firing() throws -> [[String: String]] {
            guard let (status, body) = try? curl(["\(api)/alerts"]), status == 200,
                let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
                let alerts = (json["data"] as? [String: Any])?["alerts"] as? [[String: Any]]
            else { return [] }
            return alerts.filter { $0["state"] as? String == "firing" }.compactMap { $0["labels"] as? [String: String] }
        }

        let load = HeartbeatLoad()
        load.start(staying, port: port, perSecond: 2, interval: 1)
        let leavingLoad = HeartbeatLoad()
        leavingLoad.start([leaving], port: port, perSecond: 2, interval: 1)
        defer {
            load.stop()
            leavingLoad.stop()
        }

        // Every school online as Prometheus sees it, and nothing firing.
        let allOnline = try await waitUntil(timeout: 60) {
            try values("kuzet_registry_schools_online_ratio") == ["Astana": "1", "Almaty": "1"]
        }
        let ratios = try values("kuzet_registry_schools_online_ratio")
        #expect(
            allOnline, "Prometheus never saw both regions fully online: \(ratios); \(prometheus.output.suffix(2000))")
        try await Task.sleep(for: .seconds(3))
        let early = try firing()
        #expect(early.filter { $0["alertname"] == "KuzetRegionOnlineShareDropped" }.isEmpty, "\(early)")

        leavingLoad.stop()
        let wentOffline = Date()
        let fired = try await waitUntil(timeout: 60) {
            try firing().contains { $0["alertname"] == "KuzetRegionOnlineShareDropped" && $0["region"] == "Astana" }
        }
        print(
            "prometheus: KuzetRegionOnlineShareDropped firing \(String(format: "%.1f", Date().timeIntervalSince(wentOffline))) s after KZ-PRM-0001's last heartbeat"
        )
        let alerts = try firing()
        #expect(fired, "alerts: \(alerts)")
        let offline = try values(#"kuzet_registry_schools_flagged{flag="OFFLINE"}"#)
        #expect(offline == ["Astana": "1", "Almaty": "0"])
        let share = try values("kuzet_registry_schools_online_ratio")
        #expect(share == ["Astana": "0.5", "Almaty": "1"])
        #expect(alerts.allSatisfy { $0["region"] != "Almaty" }, "\(alerts)")
    }
}
