import Foundation
import KuzetCore
import KuzetProtocol
import KuzetTestKit
import KuzetUplink
import Logging
import Testing

/// The uplink against the real `kuzet-registry` (SQLite, HTTPS with certificates the test made).
/// Enabled once the package's `kuzet-registry` is the real one (see ``RealRegistry/isAvailable``);
/// `KUZET_REGISTRY_BINARY` points the tests at another build of it.
@Suite(.enabled(if: RealRegistry.isAvailable, "kuzet-registry is the skeleton's placeholder: build the real one"))
struct RealRegistryTests {
    let world: RegistryWorld
    init() throws { world = try RegistryWorld() }

    @Test func heartbeatsReachTheRealRegistryOverMutualTLS() async throws {
        let registry = try RealRegistry.start(world: world, mutualTLS: true)
        let logs = LogRecorder()
        let runner = try ServiceRunner(
            registry: world.registry(url: registry.heartbeatsURL, mutualTLS: true), interval: .milliseconds(300),
            logs: logs)
        #expect(
            await waitUntil(timeout: 30) { (await registry.lastSequence(world: world) ?? 0) >= 5 },
            "registry log: \(registry.process.output.suffix(2000))")
        await runner.stop()
        let last = try #require(await registry.lastSequence(world: world))
        let totals = logs.receiptTotals()
        #expect(totals.accepted == Int(last))
        #expect(totals.duplicates == 0)
        let history = try await registry.historySequences(world: world)
        #expect(history == Array((last - UInt64(history.count) + 1)...last))
        let school = try await registry.school(world: world)["school"] as? [String: Any]
        #expect(school?["online"] as? Bool == true)
    }

    @Test func theRealRegistryEnforcesMutualTLS() async throws {
        let registry = try RealRegistry.start(world: world, mutualTLS: true)
        let logs = LogRecorder()
        let runner = try ServiceRunner(
            registry: world.registry(url: registry.heartbeatsURL, mutualTLS: false), interval: .milliseconds(300),
            logs: logs)
        #expect(
            await waitUntil(timeout: 20) {
                logs.entries(atLeast: .warning).contains { $0.message.contains("client certificate") }
            })
        await runner.stop()
        #expect(await registry.lastSequence(world: world) == nil)
        #expect(runner.outbox.count >= 1)
    }

    @Test func aWrongCAForTheRealRegistryIsRefusedWithAClearError() async throws {
        let registry = try RealRegistry.start(world: world, mutualTLS: false)
        let stranger = try TestCertificateAuthority(name: "stranger-ca", in: world.folder.path)
        let logs = LogRecorder()
        let runner = try ServiceRunner(
            registry: world.registry(url: registry.heartbeatsURL, caFile: stranger.certificate),
            interval: .milliseconds(300), logs: logs)
        #expect(
            await waitUntil(timeout: 20) {
                logs.entries(atLeast: .warning).contains { $0.message.contains("not trusted") }
            })
        await runner.stop()
        let warning = try #require(logs.entries(atLeast: .warning).first)
        #expect(warning.message.contains("TLS: the server's certificate is not trusted"))
        #expect(warning.message.contains(stranger.certificate))
        #expect(warning.message.contains("registry.ca_file"))
        #expect(await registry.lastSequence(world: world) == nil)
    }

    /// Ten minutes of outage on an ``AcceleratedClock`` (×40: 30 s intervals take 0.75 s): the
    /// real registry process is stopped, and started again on the same port and database after
    /// ten virtual minutes.
    @Test func aTenMinuteRealRegistryOutageIsDeliveredInOrderOnce() async throws {
        var registry = try RealRegistry.start(world: world, mutualTLS: true)
        let port = registry.port
        let clock = AcceleratedClock(factor: 40)
        let logs = LogRecorder()
        let runner = try ServiceRunner(
            registry: world.registry(url: registry.heartbeatsURL, mutualTLS: true), interval: .seconds(30), logs: logs,
            clock: clock,
            now: { clock.date() }, backoffCap: .seconds(60), stateChangeDelay: .seconds(1))
        let registryBefore = registry
        #expect(
            await waitUntil(timeout: 30) {
                (await registryBefore.lastSequence(world: world) ?? 0) >= 2 && runner.outbox.count == 0
            })
        registry.stop()
        let outageStart = clock.now
        try await clock.sleep(for: .seconds(300))
        try await runner.service.record([Fixtures.event("camera entrance stopped during the outage")])
        try await clock.sleep(for: .seconds(300))
        let queued = runner.outbox.count
        let lastQueued = runner.outbox.nextSequence - 1
        #expect(outageStart.duration(to: clock.now) >= .seconds(600))

        registry = try RealRegistry.start(world: world, mutualTLS: true, port: port, database: registry.database)
        let registryAfter = registry
        #expect(await waitUntil(timeout: 40) { (await registryAfter.lastSequence(world: world) ?? 0) >= lastQueued })
        await runner.stop()

        #expect(queued >= 19, "about 20 heartbeats queued in 10 minutes of 30 s intervals, got \(queued)")
        let totals = logs.receiptTotals()
        let delivered = totals.delivered.flatMap { Array($0) }
        #expect(delivered == Array(1...UInt64(delivered.count)), "delivered in order, each once")
        #expect(totals.duplicates == 0)
        #expect(totals.accepted == delivered.count)
        #expect((await registry.lastSequence(world: world) ?? 0) == delivered.last)
        #expect(logs.entries(atLeast: .warning).count <= 3)
        print(
            "figure: real registry outage: \(queued) heartbeats queued in 10 virtual minutes; \(delivered.count) delivered in \(totals.delivered.count) POSTs, accepted \(totals.accepted), duplicates \(totals.duplicates)"
        )
    }

    /// `kill -9` of a real uplink process with heartbeats queued (registry stopped), then a
    /// restart with the real registry back: everything arrives, nothing twice.
    @Test func killMinus9WithQueuedHeartbeatsAgainstTheRealRegistry() async throws {
        var registry = try RealRegistry.start(world: world, mutualTLS: false)
        let port = registry.port
        registry.stop()
        let outbox = world.folder.file("outbox")
        let config = world.folder.file("agent.yaml")
        try Harness.writeConfig(
            to: config, registryURL: "https://127.0.0.1:\(port)/api/v1/heartbeats", tokenFile: world.tokenFile,
            caFile: world.authority.certificate,
            outbox: outbox)
        let first = try Harness.start(
            config: config, intervalMilliseconds: 100, backoffCapMilliseconds: 300, logDirectory: world.folder.path)
        #expect(await waitUntil(timeout: 30) { journalLines(outbox) >= 15 }, "harness output: \(first.output)")
        kill(first.pid, SIGKILL)
        _ = first.waitForExit(timeout: 5)
        let queued = journalLines(outbox)

        registry = try RealRegistry.start(world: world, mutualTLS: false, port: port, database: registry.database)
        let second = try Harness.start(
            config: config, intervalMilliseconds: 60_000, backoffCapMilliseconds: 300, logDirectory: world.folder.path)
        let live = registry
        #expect(
            await waitUntil(timeout: 30) { (await live.lastSequence(world: world) ?? 0) == UInt64(queued + 1) },
            "harness: \(second.output)")
        second.stop()
        #expect(second.output.contains("READY next_sequence=\(queued + 1) queued=\(queued)"))
        #expect(!second.output.contains("already had"), "the registry reported duplicates: \(second.output)")
        print(
            "figure: real registry kill -9: \(queued) queued at the kill; registry's last sequence \(queued + 1) after restart"
        )
        let history = try await registry.historySequences(world: world)
        #expect(history == Array((UInt64(queued + 1) - UInt64(history.count) + 1)...UInt64(queued + 1)))
    }

    func journalLines(_ outbox: String) -> Int {
        ((try? String(contentsOfFile: outbox + "/journal.jsonl", encoding: .utf8)) ?? "").split(separator: "\n").count
    }
}
