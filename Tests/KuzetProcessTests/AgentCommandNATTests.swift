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
}
