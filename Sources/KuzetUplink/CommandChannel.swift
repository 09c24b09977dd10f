import Foundation
import KuzetCore
import KuzetProtocol
import Logging
import ServiceLifecycle
import Synchronization

/// Runs one police command (live, clip, snapshot) and reports it through `reporter`.
public protocol CommandExecutor: Sendable {
    func execute(_ command: AgentCommand, reporter: CommandReporter) async
    /// Takes up a command an earlier run of the agent started at `startedAt` and did not finish:
    /// a live view for the rest of its duration, an upload from the registry's offset.
    func resume(_ command: AgentCommand, startedAt: Date, reporter: CommandReporter) async
    /// Removes what a cut command left behind (its file) when it is not taken up again.
    func abandon(_ command: AgentCommand)
}

extension CommandExecutor {
    public func resume(_ command: AgentCommand, startedAt: Date, reporter: CommandReporter) async {
        await execute(command, reporter: reporter)
    }
    public func abandon(_ command: AgentCommand) {}
}

/// The command channel (issue 22): an outbound long-poll to the registry
/// (`GET /api/v1/agent/commands?wait=25`) that needs no inbound port, with the heartbeat
/// receipt's `commands` as the fallback (``offer(_:)``). Each command id runs once (the
/// ``CommandLedger`` on disk); an expired command or one beyond the wire format's limits is
/// answered `expired` / `refused` and not run. At most ``maxRunning`` commands run at once;
/// another one is refused with that reason. At start, the commands an earlier run took on and
/// did not finish (a crash, a restart) are taken up again (``takeUp(_:)``); at shutdown a running
/// command reports nothing and stays unfinished, to be taken up at the next start.
public final class CommandChannel: Service, Sendable {
    public static let maxRunning = 8
    public static let pollWait = 25

    let client: CommandClient
    let ledger: CommandLedger
    let executor: any CommandExecutor
    let now: @Sendable () -> Date
    let logger: Logger
    let running = Mutex(0)
    private let incoming: AsyncStream<AgentCommand>
    private let incomingContinuation: AsyncStream<AgentCommand>.Continuation
    /// Whether the long-poll is answering (for the status page).
    private let pollState = Mutex<String>("starting")

    public init(
        client: CommandClient, ledger: CommandLedger, executor: any CommandExecutor,
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "kuzet.commands")
    ) {
        self.client = client
        self.ledger = ledger
        self.executor = executor
        self.now = now
        self.logger = logger
        (incoming, incomingContinuation) = AsyncStream.makeStream(
            of: AgentCommand.self, bufferingPolicy: .bufferingNewest(CommandClient.maxCommandsPerAnswer))
    }

    /// `polling`, `failing: …`, `receipts only` — how commands reach the agent now.
    public var channelState: String { pollState.withLock { $0 } }

    /// Commands from wherever they came (long-poll, heartbeat receipt); duplicates are dropped.
    public func offer(_ commands: [AgentCommand]) {
        for command in commands.prefix(CommandClient.maxCommandsPerAnswer) where !ledger.contains(command.id) {
            incomingContinuation.yield(command)
        }
    }

    public func run() async throws {
        logger.info("command channel started", metadata: ["registry.api": "\(client.base)"])
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for unfinished in self.ledger.unfinished() { group.addTask { await self.takeUp(unfinished) } }
                group.addTask { await self.pollLoop() }
                for await command in self.incoming {
                    if Task.isCancelled { break }
                    group.addTask { await self.take(command) }
                }
            }
        }
        incomingContinuation.finish()
    }

    func pollLoop() async {
        var backoff = Backoff(initial: .seconds(1), cap: .seconds(60))
        var failing: String?
        while !Task.isCancelled {
            do {
                let commands = try await client.poll(wait: Self.pollWait)
                if failing != nil { logger.info("command channel answering again") }
                failing = nil
                pollState.withLock { $0 = "polling" }
                backoff.reset()
                offer(commands)
            } catch {
                if Task.isCancelled { return } // shutting down: the poll was cut on purpose
                let reason = error.description
                if reason != failing {
                    logger.warning(
                        "command channel failing; commands still come with heartbeat answers",
                        metadata: ["error": "\(reason)"])
                    failing = reason
                }
                // A registry without the channel (404): heartbeat receipts only, asked again every 5 minutes.
                let delay: Duration = error.status == 404 ? .seconds(300) : backoff.next(retryAfter: error.retryAfter)
                pollState.withLock { $0 = error.status == 404 ? "receipts only" : "failing: \(reason)" }
                do { try await Task.sleep(for: delay) } catch { return }
            }
        }
    }

    /// Checks, claims and runs one command.
    func take(_ command: AgentCommand) async {
        let reporter = CommandReporter(client: client, id: command.id, logger: logger)
        guard AgentCommand.isValidID(command.id) else {
            logger.warning("command with an unusable id ignored", metadata: ["command.id": "\(command.id.prefix(80))"])
            return
        }
        switch ledger.claim(command, now: now()) {
        case .seen: return
        case .full:
            await reporter.final(
                .refused, "agent: \(CommandLedger.capacity) unexpired commands already taken — try again later")
            return
        case .unwritable(let reason):
            logger.error("command not run: its id cannot be written down", metadata: ["error": "\(reason)"])
            await reporter.final(.failed, "agent: cannot record the command (\(reason))")
            return
        case .claimed: break
        }
        let metadata: Logger.Metadata = [
            "command.id": "\(command.id)", "command.kind": "\(command.kind.rawValue)", "camera.id": "\(command.camera)",
            "command.issued_by": "\(command.issuedBy)",
        ]
        if let problem = command.problem(now: now()) {
            let expired = now() >= command.expiresAt
            logger.notice(
                expired ? "command expired: not run" : "command refused",
                metadata: metadata.merging(["reason": "\(problem)"]) { $1 })
            await reporter.final(expired ? .expired : .refused, problem)
            return finish(command.id)
        }
        guard admit() else {
            await reporter.final(
                .refused, "agent: \(Self.maxRunning) commands already running — try again when one ends")
            return finish(command.id)
        }
        defer { running.withLock { $0 -= 1 } }
        logger.info("command accepted", metadata: metadata)
        await reporter.send(.init(state: .accepted))
        await executor.execute(command, reporter: reporter)
        finish(command.id)
    }

    /// One more running command, if fewer than ``maxRunning`` run.
    func admit() -> Bool {
        running.withLock { count in
            guard count < Self.maxRunning else { return false }
            count += 1
            return true
        }
    }

    /// Marks a command finished in the ledger — unless the agent is stopping: then it was cut,
    /// reported nothing, and is taken up again at the next start.
    func finish(_ id: String) {
        if Task.isCancelled {
            logger.notice(
                "command cut by the agent stopping: taken up again at its next start", metadata: ["command.id": "\(id)"]
            )
            return
        }
        ledger.finish(id)
    }
}

/// Sends a command's progress and outcome to the registry. Progress is best effort (one try);
/// the outcome is retried with backoff for up to 15 minutes (a cut link, a registry restart).
public struct CommandReporter: Sendable {
    let client: CommandClient
    public let id: String
    let logger: Logger

    public func send(_ status: AgentCommandStatus) async {
        do { try await client.report(id, status) } catch {
            logger.info(
                "command status not delivered", metadata: ["command.id": "\(id)", "error": "\(error.description)"])
        }
    }

    /// Reports the outcome — except while the agent stops: a command cut by the shutdown
    /// ("agent stopping") has no outcome yet; it stays unfinished and is taken up at the next start.
    public func final(_ state: AgentCommandStatus.State, _ message: String? = nil, bytes: Int? = nil) async {
        if Task.isCancelled {
            logger.info(
                "command outcome not reported: the agent is stopping",
                metadata: ["command.id": "\(id)", "command.state": "\(state.rawValue)"])
            return
        }
        let status = AgentCommandStatus(state: state, message: message, bytes: bytes)
        var backoff = Backoff(initial: .seconds(1), cap: .seconds(60))
        let deadline = ContinuousClock.now + .seconds(900)
        while ContinuousClock.now < deadline {
            do {
                try await client.report(id, status)
                return
            } catch {
                if let code = error.status, (400..<500).contains(code), code != 408, code != 429 {
                    logger.warning(
                        "command outcome refused by the registry",
                        metadata: ["command.id": "\(id)", "error": "\(error.description)"])
                    return
                }
                do { try await Task.sleep(for: backoff.next(retryAfter: error.retryAfter)) } catch { return }
            }
        }
        logger.warning(
            "command outcome not delivered in 15 minutes",
            metadata: ["command.id": "\(id)", "command.state": "\(state.rawValue)"])
    }
}
