import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetProtocol
import KuzetTestKit
import KuzetUplink
import Logging
import Synchronization
import Testing

/// What the channel handed over to run, and when. (The channel is what these tests look at; the
/// agent's executor has its own tests against the real processes.)
final class ExecutedCommands: CommandExecutor {
    let taken = Mutex<[(id: String, at: Date)]>([])
    func execute(_ command: AgentCommand, reporter: CommandReporter) async {
        taken.withLock { $0.append((command.id, Date())) }
        await reporter.final(.done, "ran in the channel test")
    }
    func count(_ id: String) -> Int { taken.withLock { $0.filter { $0.id == id }.count } }
    func at(_ id: String) -> Date? { taken.withLock { $0.first { $0.id == id }?.at } }
}

/// The command channel against the real `kuzet-registry`: the long-poll, once-only, expiry.
@Suite(.enabled(if: RealRegistry.isAvailable, "kuzet-registry is the skeleton's placeholder: build the real one"))
struct CommandChannelTests {
    let world: RegistryWorld
    init() throws { world = try RegistryWorld() }

    func channel(
        registry: RealRegistry, executor: ExecutedCommands, now: @escaping @Sendable () -> Date = { Date() }
    ) -> CommandChannel {
        let configuration = world.registry(url: registry.heartbeatsURL)
        return CommandChannel(
            client: CommandClient(registry: configuration), ledger: CommandLedger(folder: configuration.outbox),
            executor: executor, now: now)
    }

    static let live = #"{"kind":"live","camera":"entrance","duration_seconds":30}"#

    @Test(.timeLimit(.minutes(2)))
    func aCommandIssuedAtTheRegistryReachesTheAgentOnTheLongPollWithinSeconds() async throws {
        let registry = try RealRegistry.start(world: world, mutualTLS: false)
        let executor = ExecutedCommands()
        let channel = channel(registry: registry, executor: executor)
        let running = Task { try await channel.run() }
        defer { running.cancel() }
        // Let the long-poll open and sit, so the command comes on an open poll, not a new one.
        try await Task.sleep(for: .seconds(2))
        let issued = Date()
        let id = try await registry.issue(world: world, Self.live)
        #expect(await waitUntil(timeout: 10) { executor.count(id) == 1 })
        let latency = try #require(executor.at(id)).timeIntervalSince(issued)
        print("issue 22 channel: issued → taken by the agent in \(String(format: "%.3f", latency)) s (long-poll)")
        #expect(latency < 2)
        #expect(
            await waitUntil(timeout: 10) { await registry.command(world: world, id)?["state"] as? String == "done" })
    }

    @Test(.timeLimit(.minutes(2)))
    func theSameCommandRunsOnceFromThePollTheReceiptAndAfterARestart() async throws {
        let registry = try RealRegistry.start(world: world, mutualTLS: false)
        let executor = ExecutedCommands()
        let first = channel(registry: registry, executor: executor)
        let running = Task { try await first.run() }
        let id = try await registry.issue(world: world, Self.live)
        #expect(await waitUntil(timeout: 30) { executor.count(id) == 1 })
        let offered = await registry.command(world: world, id)
        let command = AgentCommand(
            id: id, kind: .live, camera: "entrance", durationSeconds: 30, issuedAt: Date(),
            expiresAt: Date().addingTimeInterval(600), issuedBy: "\(offered?["issued_by"] ?? "admin")")
        // The heartbeat receipt brings it again.
        first.offer([command])
        try await Task.sleep(for: .seconds(1))
        running.cancel()
        _ = await running.result
        // A restarted agent (same outbox folder, so the same ledger) is offered it too.
        let second = channel(registry: registry, executor: executor)
        let again = Task { try await second.run() }
        defer { again.cancel() }
        second.offer([command])
        try await Task.sleep(for: .seconds(2))
        #expect(executor.count(id) == 1)
    }

    @Test(.timeLimit(.minutes(2)))
    func anExpiredCommandIsReportedExpiredAndDoesNotRun() async throws {
        let registry = try RealRegistry.start(world: world, mutualTLS: false)
        let executor = ExecutedCommands()
        // The agent's clock 16 minutes ahead: every command it gets has expired.
        let late = channel(registry: registry, executor: executor, now: { Date().addingTimeInterval(16 * 60) })
        let running = Task { try await late.run() }
        defer { running.cancel() }
        let id = try await registry.issue(world: world, Self.live)
        #expect(
            await waitUntil(timeout: 30) { await registry.command(world: world, id)?["state"] as? String == "expired" })
        let message = await registry.command(world: world, id)?["message"] as? String
        #expect(message?.hasPrefix("expired at") == true, "\(message ?? "no message")")
        #expect(executor.count(id) == 0)
    }
}
