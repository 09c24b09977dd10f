import Foundation
import KuzetConfiguration
import KuzetProtocol
import KuzetTestKit
import KuzetUplink
import Synchronization
import Testing

/// What the channel handed over, split into fresh runs and runs taken up after a restart; a
/// command of camera `hang` runs until the channel stops, then reports failure as an executor
/// cut by a shutdown does ("agent stopping").
final class ResumedCommands: CommandExecutor {
    let executed = Mutex<[String]>([])
    let resumed = Mutex<[(id: String, startedAt: Date)]>([])
    func execute(_ command: AgentCommand, reporter: CommandReporter) async {
        executed.withLock { $0.append(command.id) }
        if command.camera == "hang" {
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(50)) }
            return await reporter.final(.failed, "agent stopping: live view ended early")
        }
        await reporter.final(.done, "ran in the channel test")
    }
    func resume(_ command: AgentCommand, startedAt: Date, reporter: CommandReporter) async {
        resumed.withLock { $0.append((command.id, startedAt)) }
        await reporter.final(.done, "taken up again in the channel test")
    }
}

/// The command channel takes up, at start, what an earlier run left cut — against the real
/// `kuzet-registry`, whose command stays open until the agent reports.
@Suite(.enabled(if: RealRegistry.isAvailable, "kuzet-registry is the skeleton's placeholder: build the real one"))
struct CommandChannelResumeTests {
    let world: RegistryWorld
    init() throws { world = try RegistryWorld() }

    func channel(registry: RealRegistry, executor: ResumedCommands) -> (CommandChannel, CommandLedger) {
        let configuration = world.registry(url: registry.heartbeatsURL)
        let ledger = CommandLedger(folder: configuration.outbox)
        return (
            CommandChannel(client: CommandClient(registry: configuration), ledger: ledger, executor: executor), ledger
        )
    }

    /// The command as the agent got it, for writing it down as an earlier run would have.
    func command(_ id: String, camera: String = "entrance", issued: Date = Date()) -> AgentCommand {
        AgentCommand(
            id: id, kind: .live, camera: camera, durationSeconds: 30, issuedAt: issued,
            expiresAt: issued.addingTimeInterval(600), issuedBy: "admin")
    }

    func state(_ registry: RealRegistry, _ id: String) async -> String? {
        await registry.command(world: world, id)?["state"] as? String
    }

    @Test(.timeLimit(.minutes(2)))
    func aCommandAnEarlierRunLeftCutIsTakenUpOnceAtStartAndItsOutcomeReachesTheRegistry() async throws {
        let registry = try RealRegistry.start(world: world, mutualTLS: false)
        let id = try await registry.issue(world: world, #"{"kind":"live","camera":"entrance","duration_seconds":30}"#)
        // The earlier run claimed it and died before reporting anything.
        let startedAt = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let earlier = CommandLedger(folder: world.registry(url: registry.heartbeatsURL).outbox)
        #expect(earlier.claim(command(id), now: startedAt) == .claimed)

        let executor = ResumedCommands()
        let (channel, ledger) = channel(registry: registry, executor: executor)
        let running = Task { try await channel.run() }
        defer { running.cancel() }
        #expect(await waitUntil(timeout: 20) { await state(registry, id) == "done" })
        // The registry still offers it on the long-poll (nothing was reported): it is not run twice.
        try await Task.sleep(for: .seconds(2))
        #expect(executor.resumed.withLock { $0.map(\.id) } == [id])
        #expect(executor.resumed.withLock { $0.first?.startedAt } == startedAt)
        #expect(executor.executed.withLock { $0 }.isEmpty)
        #expect(ledger.state(id) == .finished)
    }

    @Test(.timeLimit(.minutes(2)))
    func aCommandCutByTheAgentStoppingReportsNothingAndIsTakenUpAtTheNextStart() async throws {
        let registry = try RealRegistry.start(world: world, mutualTLS: false)
        let id = try await registry.issue(world: world, #"{"kind":"live","camera":"hang","duration_seconds":30}"#)
        let executor = ResumedCommands()
        let (first, _) = channel(registry: registry, executor: executor)
        let running = Task { try await first.run() }
        #expect(await waitUntil(timeout: 20) { executor.executed.withLock { $0 } == [id] })
        #expect(await waitUntil(timeout: 10) { await state(registry, id) == "accepted" })
        running.cancel()
        _ = await running.result
        try await Task.sleep(for: .seconds(1))
        #expect(await state(registry, id) == "accepted", "the stopping agent reported an outcome")

        let (second, ledger) = channel(registry: registry, executor: executor)
        #expect(ledger.state(id) == .started)
        let again = Task { try await second.run() }
        defer { again.cancel() }
        #expect(await waitUntil(timeout: 20) { await state(registry, id) == "done" })
        #expect(executor.resumed.withLock { $0.map(\.id) } == [id])
    }

    @Test(.timeLimit(.minutes(2)))
    func aCommandCutByThreeRestartsIsReportedFailedWithTheReasonAndNotRun() async throws {
        let registry = try RealRegistry.start(world: world, mutualTLS: false)
        let id = try await registry.issue(world: world, #"{"kind":"live","camera":"entrance","duration_seconds":30}"#)
        let folder = world.registry(url: registry.heartbeatsURL).outbox
        #expect(CommandLedger(folder: folder).claim(command(id)) == .claimed)
        for _ in 1...CommandLedger.maxRestarts { _ = CommandLedger(folder: folder).retake(id) }

        let executor = ResumedCommands()
        let (channel, ledger) = channel(registry: registry, executor: executor)
        let running = Task { try await channel.run() }
        defer { running.cancel() }
        #expect(await waitUntil(timeout: 20) { await state(registry, id) == "failed" })
        let message = await registry.command(world: world, id)?["message"] as? String
        #expect(message?.contains("restarted 3 times") == true, "\(message ?? "no message")")
        #expect(executor.resumed.withLock { $0 }.isEmpty && executor.executed.withLock { $0 }.isEmpty)
        #expect(ledger.state(id) == .finished)
    }
}
