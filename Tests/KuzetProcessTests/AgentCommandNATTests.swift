import Foundation
import KuzetTestKit
import Testing

/// Issue 22's must-show 1 in network namespaces: the agent and its camera in a school behind a
/// masquerading router that lets nothing in, the registry and the ЦОУ's RTMP ingest (nginx-rtmp)
/// in a centre that cannot reach the school. Everything the agent does is outbound.
@Suite(.serialized, .enabled(if: NATLab.isAvailable, "needs root, ip and iptables (scripts/install-deps.sh)"))
struct AgentCommandNATTests {
    let folder: TemporaryDirectory
    init() throws { folder = try TemporaryDirectory() }

    /// The agent inside the school: camera on the school's loopback, status page on every address
    /// (so that "nothing connects in" is about the NAT, not about a loopback-only listener).
    func startAgent(
        lab: NATLab, registry: RegistryProcess, ingest: RTMPIngest, camera: RTSPCameraServer, statusPort: Int
    )
        throws -> ExternalProcess
    {
        let config = folder.file("agent.yaml")
        try """
        school: { id: \(registry.school), region: Astana }
        storage: { root: \(folder.file("rec")), segment_seconds: 10 }
        registry:
          url: \(registry.heartbeatsURL)
          token_file: \(registry.schoolTokenFile)
          ca_file: \(registry.caFile ?? "")
          interval_seconds: 5
          outbox: \(folder.file("outbox"))
        centre: { push: "\(ingest.pushURLTemplate)", max_kbps: 16000 }
        status: { listen: 0.0.0.0:\(statusPort), password: nat-test-status }
        cameras:
          - id: cam1
            url: \(camera.url(for: "/cam1"))
        """.write(toFile: config, atomically: true, encoding: .utf8)
        return try lab.start(
            lab.school, BuiltExecutable.agent, ["run", "--config", config, "--log-level", "debug"], name: "agent",
            logDirectory: folder.path)
    }

    @Test(.timeLimit(.minutes(3)))
    func anOperatorsLiveCommandReachesASchoolBehindNATAndTheStreamIsAtTheIngestWithinFiveSeconds() async throws {
        let lab = try NATLab()
        // No namespace has a route anywhere but the lab's own 10.22.x subnets.
        for namespace in [lab.school, lab.router, lab.centre] {
            for route in try lab.routes(namespace) {
                #expect(route.contains("10.22."), "\(namespace) has a route out of the lab: \(route)")
            }
        }
        let camera = try RTSPCameraServer(
            mounts: [CameraMount(path: "/cam1", bitrateKbps: 1000, gopSeconds: 1)], namespace: lab.school)
        let ingest = try RTMPIngest(namespace: lab.centre, address: lab.centreAddress)
        // HTTPS as in production: a plain-HTTP registry is refused on an address other than loopback.
        let authority = try TestCertificateAuthority(in: folder.path)
        let certificate = try authority.issueServer("registry", hosts: [lab.centreAddress])
        let registry = try RegistryProcess(
            folder: folder.file("registry"), school: "KZ-TEST-N1", namespace: lab.centre, address: lab.centreAddress,
            tls: (certificate, authority.certificate))
        let statusPort = freeLoopbackPort()
        let agent = try startAgent(lab: lab, registry: registry, ingest: ingest, camera: camera, statusPort: statusPort)
        defer { agent.stop() }
        try #require(
            await waitUntil(timeout: 40) {
                !RecordingChecks.fileNames(root: folder.file("rec"), camera: "cam1").isEmpty
                    && agent.output.contains("command channel started")
            }, "agent: \(agent.output.suffix(3000))")

        // Nothing connects in: the status page answers inside the school, not from the centre —
        // neither at the school's address (no route) nor at the router's outside address (no
        // port forwarded), nor with a route to the school's subnet through the router (FORWARD drops).
        #expect(
            lab.connects(from: lab.school, to: lab.schoolAddress, port: statusPort), "status page on the school's side")
        #expect(!lab.connects(from: lab.centre, to: lab.schoolAddress, port: statusPort))
        #expect(!lab.connects(from: lab.centre, to: lab.routerOutsideAddress, port: statusPort))
        try lab.run(lab.centre, ["ip", "route", "add", lab.schoolSubnet, "via", lab.routerOutsideAddress])
        #expect(!lab.connects(from: lab.centre, to: lab.schoolAddress, port: statusPort))
        try lab.run(lab.centre, ["ip", "route", "del", lab.schoolSubnet])
        // The centre sees the school only as the router's address (masqueraded long-poll).
        let connections = try lab.run(lab.centre, ["ss", "-Htn", "state", "established"])
        #expect(connections.contains("\(lab.routerOutsideAddress):"), "centre connections: \(connections)")
        #expect(!connections.contains(lab.schoolAddress), "centre connections: \(connections)")
        #expect(!ingest.isPublishing("cam1"), "nothing is pushed before the command")

        let issued = Date()
        let id = try registry.issue(#"{"kind":"live","camera":"cam1","stream":"main","duration_seconds":8}"#)
        #expect(await waitUntil(timeout: 10) { ingest.isPublishing("cam1") }, "agent: \(agent.output.suffix(3000))")
        let latency = Date().timeIntervalSince(issued)
        let probe = try ingest.probe("cam1")
        #expect(await waitUntil(timeout: 20) { !ingest.isPublishing("cam1") })
        let pushedFor = Date().timeIntervalSince(issued)
        print(
            "issue 22 live behind NAT: command → stream at the centre's ingest in \(String(format: "%.2f", latency)) s; "
                + "ffprobe: \(probe.video?.codecName ?? "?") \(probe.video?.width ?? 0)x\(probe.video?.height ?? 0); "
                + "push ended \(String(format: "%.1f", pushedFor)) s after the command (duration 8 s)")
        #expect(latency < 5)
        #expect(probe.video?.codecName == "h264")
        #expect(pushedFor >= 8 && pushedFor < 8 + latency + 4, "ended \(pushedFor) s after the command")
        #expect(await waitUntil(timeout: 15) { registry.state(id) == "done" }, "\(registry.command(id) ?? [:])")
    }

    /// Must-show 3: the school's uplink shaped to 20 Mbit/s (`tc tbf` on the school's veth),
    /// `centre.max_kbps: 16000`, two key cameras pushing 4 Mbit/s while a clip of an 8 Mbit/s
    /// camera uploads in the rest; a live view of that camera would break the budget and is refused.
    @Test(.timeLimit(.minutes(5)))
    func underATwentyMegabitUplinkTheBudgetHoldsKeyPushesKeepTheirRateAndALiveBeyondItIsRefused() async throws {
        let lab = try NATLab()
        try lab.run(
            lab.school,
            [
                "tc", "qdisc", "add", "dev", lab.schoolInterface, "root", "tbf", "rate", "20mbit", "burst", "64kb",
                "latency", "200ms",
            ])
        let camera = try RTSPCameraServer(
            mounts: [
                CameraMount(path: "/cam1", bitrateKbps: 4000, gopSeconds: 1),
                CameraMount(path: "/cam2", bitrateKbps: 4000, gopSeconds: 1),
                CameraMount(path: "/cam3", bitrateKbps: 8000, gopSeconds: 1),
            ], namespace: lab.school)
        let ingest = try RTMPIngest(namespace: lab.centre, address: lab.centreAddress)
        let authority = try TestCertificateAuthority(in: folder.path)
        let certificate = try authority.issueServer("registry", hosts: [lab.centreAddress])
        let registry = try RegistryProcess(
            folder: folder.file("registry"), school: "KZ-TEST-N3", namespace: lab.centre, address: lab.centreAddress,
            tls: (certificate, authority.certificate))
        let root = folder.file("rec")
        let config = folder.file("agent.yaml")
        try """
        school: { id: \(registry.school), region: Astana }
        storage: { root: \(root), segment_seconds: 10 }
        registry:
          url: \(registry.heartbeatsURL)
          token_file: \(registry.schoolTokenFile)
          ca_file: \(registry.caFile ?? "")
          interval_seconds: 5
          outbox: \(folder.file("outbox"))
        centre: { push: "\(ingest.pushURLTemplate)", max_kbps: 16000 }
        status: { listen: 127.0.0.1:\(freeLoopbackPort()) }
        cameras:
          - { id: cam1, url: "\(camera.url(for: "/cam1"))", push: main }
          - { id: cam2, url: "\(camera.url(for: "/cam2"))", push: main }
          - { id: cam3, url: "\(camera.url(for: "/cam3"))" }
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let agent = try lab.start(
            lab.school, BuiltExecutable.agent, ["run", "--config", config, "--log-level", "debug"], name: "agent",
            logDirectory: folder.path)
        defer { agent.stop() }
        let started = Date()
        try #require(
            await waitUntil(timeout: 40) {
                ingest.isPublishing("cam1") && ingest.isPublishing("cam2")
                    && agent.output.contains("command channel started")
            }, "agent: \(agent.output.suffix(3000))")
        // About 40 s of the 8 Mbit/s camera recorded (≈ 40 MB): the clip is its finished segments.
        try await Task.sleep(for: .seconds(45))
        let format = ISO8601DateFormatter()
        let from = started.addingTimeInterval(2)
        let to = Date().addingTimeInterval(-12)
        let clip = try registry.issue(
            #"{"kind":"clip","camera":"cam3","from":"\#(format.string(from: from))","to":"\#(format.string(from: to))"}"#
        )

        // Once a second: bytes the school sent (its veth) and bytes the ingest got per key camera.
        struct Sample {
            var time: Date
            var sent: Int
            var packets: Int
            var pushed: [String: Int]
        }
        func sample() throws -> Sample {
            let streams = try ingest.streams()
            let sent = try lab.sent(lab.school, interface: lab.schoolInterface)
            return Sample(
                time: Date(), sent: sent.bytes, packets: sent.packets,
                pushed: Dictionary(streams.map { ($0.name, $0.bytesIn) }) { max($0, $1) })
        }
        var samples = [try sample()]
        var refusal: [String: Any]?
        var live: String?
        while Date().timeIntervalSince(samples[0].time) < 150 {
            try await Task.sleep(for: .seconds(1))
            samples.append(try sample())
            let state = registry.state(clip) ?? ""
            if live == nil && samples.count == 10 {
                live = try registry.issue(#"{"kind":"live","camera":"cam3","stream":"main","duration_seconds":30}"#)
            }
            if let live, refusal == nil, registry.state(live) == "refused" { refusal = registry.command(live) }
            if ["done", "failed", "refused", "expired"].contains(state) { break }
        }
        #expect(
            registry.state(clip) == "done", "clip: \(registry.command(clip) ?? [:]) agent: \(agent.output.suffix(2000))"
        )
        let (status, _) = try registry.call("GET", "/api/v1/clips/\(clip)", output: folder.file("clip.mp4"))
        #expect(status == 200)
        let clipBytes = (try? FileManager.default.attributesOfItem(atPath: folder.file("clip.mp4"))[.size] as? Int) ?? 0

        // Every 5-s window of what the school sent, and each key camera's rate at the ingest.
        // The wire rate counts every frame's headers; what the agent sends is the TCP payload:
        // the wire bytes less 66 per packet (Ethernet 14, IPv4 20, TCP with timestamps 32).
        var worst = 0.0
        var worstWire = 0.0
        var worstSplit = ""
        var slowestPush = Double.infinity
        for index in samples.indices.dropFirst(5) {
            let first = samples[index - 5]
            let last = samples[index]
            let seconds = last.time.timeIntervalSince(first.time)
            let wire = last.sent - first.sent
            worstWire = max(worstWire, Double(wire) * 8 / 1000 / seconds)
            let payload = Double(wire - 66 * (last.packets - first.packets)) * 8 / 1000 / seconds
            let pushes =
                ["cam1", "cam2"].map { Double((last.pushed[$0] ?? 0) - (first.pushed[$0] ?? 0)) }
                .reduce(0, +) * 8 / 1000 / seconds
            if payload > worst {
                worstSplit = String(
                    format:
                        "%.0f s into sampling: key pushes at the ingest %.0f kbit/s, the rest (upload, heartbeats) %.0f",
                    first.time.timeIntervalSince(samples[0].time), pushes, payload - pushes)
            }
            worst = max(worst, payload)
            for name in ["cam1", "cam2"] {
                let pushed = Double((last.pushed[name] ?? 0) - (first.pushed[name] ?? 0)) * 8 / 1000 / seconds
                slowestPush = min(slowestPush, pushed)
            }
        }
        let uploadSeconds = samples.last!.time.timeIntervalSince(samples[0].time)
        print(
            "issue 22 budget under tc 20mbit: clip \(clipBytes) bytes uploaded in \(String(format: "%.0f", uploadSeconds)) s "
                + "beside two 4 Mbit/s key pushes; worst 5-s window sent by the school \(String(format: "%.0f", worst)) kbit/s "
                + "TCP payload, \(String(format: "%.0f", worstWire)) kbit/s on the wire (budget 16000) [\(worstSplit)]; slowest 5-s key push at the ingest \(String(format: "%.0f", slowestPush)) kbit/s; "
                + "third live: \(refusal ?? [:])")
        #expect(clipBytes > 20_000_000)
        #expect(samples.count > 10, "the upload outlasted the sampling start")
        #expect(worst <= 16000)
        #expect(slowestPush > 3500)
        let reason = refusal.flatMap { try? JSONSerialization.data(withJSONObject: $0) }.map {
            String(decoding: $0, as: UTF8.self)
        }
        #expect(reason?.contains("max_kbps") == true, "third live: \(live.flatMap { registry.command($0) } ?? [:])")
    }
}
