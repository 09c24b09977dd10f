import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetRetention
import KuzetTestKit
import Testing

/// Must-show 5 and 6 (config): `kuzet-agent check`'s storage projection and sub-stream plan,
/// on a real mounted disk, real recordings and a real RTSP camera for the sub streams.
@Suite(.serialized) struct CheckTests {
    @Test func retentionDaysBelowTheLegalMinimumIsRefusedWithTheReason() throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-retention-check")
        let config = directory.file("agent.yaml")
        try writeAgentConfig(
            to: config, root: directory.file("recordings"),
            cameras: [("entrance", "rtsp://127.0.0.1:554/main", nil, "main")], retentionDays: 7)
        let result = try RetentionFixtures.runSeparately(
            try RetentionFixtures.agentExecutable(), ["check", "--config", config])
        #expect(result.status == 2)
        #expect(
            result.stderr.contains(
                "retention.days: 7 is below the legal minimum of 30 days of footage a school must keep — set retention.days to 30 or more"
            ), "\(result.stderr)")
    }

    @Test func aDiskHoldingTwelveDaysGetsASubStreamPlanAndApplyingItMakesCheckPass() throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-retention-plan")
        let camera = try RetentionTestCamera(mainKbps: 600, subKbps: 48)
        defer { camera.stop() }
        // Main-stream recordings of four cameras: two minutes each, at ~400 kbit/s.
        let main = try RetentionFixtures.makeSegment(
            in: directory.path, seconds: 60, size: "640x360", rate: 10, kbps: 400)
        let segmentBytes = Double(try FileManager.default.attributesOfItem(atPath: main)[.size] as! UInt64)
        let cameras = ["entrance", "yard", "hall", "gym"]
        // A disk sized to hold 12 days at the recorded rate (usable = total − 5 %; the hour of writing is smaller).
        let bitsPerSecond = Double(cameras.count) * segmentBytes * 8 / 60
        let diskBytes = Int64(12 * 86_400 * bitsPerSecond / 8 / 0.95)
        let disk = try RetentionFixtures.Mount(bytes: diskBytes)
        defer { disk.unmount() }
        let root = (disk.path as NSString).appendingPathComponent("recordings")
        let recorded = Date().addingTimeInterval(-600)
        for id in cameras {
            for minute in 0..<2 {
                try RetentionFixtures.place(
                    main, root: root, camera: id, start: recorded.addingTimeInterval(Double(minute) * 60), seconds: 60)
            }
        }
        let config = directory.file("agent.yaml")
        let agent = try RetentionFixtures.agentExecutable()
        try writeAgentConfig(
            to: config, root: root, cameras: cameras.map { ($0, camera.url("main"), camera.url("sub"), "main") })

        let before = try RetentionFixtures.runSeparately(
            agent, ["check", "--config", config, "--format", "json", "--probe-seconds", "3"])
        #expect(before.status == 1, "\(before.stderr)")
        #expect(camera.isRunning, "the test camera exited during the check; its output: \(camera.output)")
        let report = try JSONSerialization.jsonObject(with: Data(before.stdout.utf8)) as? [String: Any]
        let storage = try #require(report?["storage"] as? [String: Any], "stdout: \(before.stdout)")
        #expect(storage["compliant"] as? Bool == false)
        let projected = try #require((storage["projection"] as? [String: Any])?["projected_days"] as? Double)
        #expect(projected > 11.5 && projected < 12.5, "projected \(projected) days")
        let plan = try #require(storage["plan"] as? [String: Any])
        let switches = try #require(plan["switches"] as? [[String: Any]])
        let planned = switches.compactMap { $0["camera"] as? String }
        #expect(!planned.isEmpty, "no sub stream was planned: \(before.stdout)")
        for change in switches {
            let sub = try #require(change["sub_kbps"] as? Double)
            #expect(sub > 20 && sub < 120, "the sub stream measured \(sub) kbit/s (served at 48)")
        }
        let planDays = try #require((plan["projection"] as? [String: Any])?["projected_days"] as? Double)
        #expect(planDays >= 30, "\(before.stdout)")

        // Apply the plan: the planned cameras record their sub stream.
        try writeAgentConfig(
            to: config, root: root,
            cameras: cameras.map { ($0, camera.url("main"), camera.url("sub"), planned.contains($0) ? "sub" : "main") })
        let after = try RetentionFixtures.runSeparately(agent, ["check", "--config", config, "--probe-seconds", "3"])
        #expect(after.stdout.contains("— compliant"))
        if KernelClockState.read()?.synchronised == true {
            #expect(after.status == 0, "stdout: \(after.stdout) stderr: \(after.stderr)")
        } else {
            // This machine's clock is not NTP-synchronised and no registry is configured: check
            // must refuse for the clock (issue 26) — and for nothing else now the plan is applied.
            #expect(after.status == 1, "stdout: \(after.stdout) stderr: \(after.stderr)")
            #expect(after.stderr.contains("not compliant (clock)"), "\(after.stderr)")
        }
    }

    /// A 64 MB disk holding a minute of camera `entrance` at 200 kbit/s: far short of 30 days.
    func shortBox(_ prefix: String) throws -> (disk: RetentionFixtures.Mount, root: String) {
        let directory = try TemporaryDirectory(prefix: prefix)
        let main = try RetentionFixtures.makeSegment(in: directory.path, seconds: 60, kbps: 200)
        let disk = try RetentionFixtures.Mount(bytes: 64 * 1024 * 1024)
        let root = (disk.path as NSString).appendingPathComponent("recordings")
        do {
            try RetentionFixtures.place(
                main, root: root, camera: "entrance", start: Date().addingTimeInterval(-120), seconds: 60)
        } catch {
            disk.unmount()
            throw error
        }
        return (disk, root)
    }

    @Test func aShortBoxWithoutSubStreamsIsToldHowMuchDiskToAdd() async throws {
        let (disk, root) = try shortBox("kuzet-retention-disk")
        defer { disk.unmount() }
        var configuration = try AgentConfiguration.parse(
            yaml: """
                school: { id: KZ-AST-0042 }
                storage: { root: \(root) }
                cameras:
                  - id: entrance
                    url: rtsp://127.0.0.1:9/main
                """)
        configuration.storage.root = root
        let report = try await StorageCheck(configuration: configuration, probe: nil).run()
        #expect(!report.compliant)
        let plan = try #require(report.plan)
        #expect(plan.switches.isEmpty)
        #expect(plan.additionalBytes == report.projection.missingBytes)
        #expect(report.lines[0].contains("NOT compliant: 30 days need"))
        #expect(report.lines.contains { $0.hasPrefix("plan: add ") })
    }

    @Test func aSubStreamThatCannotBeReachedIsNamedWithTheReason() async throws {
        let (disk, root) = try shortBox("kuzet-retention-unreachable")
        defer { disk.unmount() }
        // A loopback port nothing listens on: the camera's sub stream refuses the connection.
        let closed = freeLoopbackPort()
        var configuration = try AgentConfiguration.parse(
            yaml: """
                school: { id: KZ-AST-0042 }
                storage: { root: \(root) }
                cameras:
                  - id: entrance
                    url: rtsp://127.0.0.1:\(closed)/main
                    sub_url: rtsp://127.0.0.1:\(closed)/sub
                    username: admin
                    password: secret
                    record: main
                """)
        configuration.storage.root = root
        let started = Date()
        let report = try await StorageCheck(configuration: configuration, probe: StorageCheck.liveProbe(seconds: 1))
            .run()
        let line = try #require(report.cameras.first)
        #expect(line.subKbps == nil)
        let failure = try #require(line.subProbeFailure)
        #expect(failure.contains("127.0.0.1:\(closed)/sub") && failure.contains("refused"), "\(failure)")
        #expect(!failure.contains("secret"), "the password leaked: \(failure)")
        #expect(
            report.lines.contains { $0.contains("camera entrance") && $0.contains("sub not measured (") },
            "\(report.lines)")
        // Two attempts a second apart, each refused at once.
        #expect(Date().timeIntervalSince(started) < 10)
    }
}
