import Foundation
import KuzetProtocol
import Logging
import Synchronization

/// Taking up, at start, the commands an earlier run of the agent took on and did not finish.
extension CommandChannel {
    /// Runs `unfinished` again (an upload from the registry's offset, a live view for the rest
    /// of its duration, a snapshot taken again), or reports why not: its time is over, or it
    /// was cut by ``CommandLedger/maxRestarts`` restarts already (a command that crashes the
    /// agent must not crash it for ever).
    func takeUp(_ unfinished: CommandLedger.Unfinished) async {
        let command = unfinished.command
        let reporter = CommandReporter(client: client, id: command.id, logger: logger)
        let metadata: Logger.Metadata = [
            "command.id": "\(command.id)", "command.kind": "\(command.kind.rawValue)", "camera.id": "\(command.camera)",
            "command.attempts": "\(unfinished.attempts)",
        ]
        switch ledger.retake(command.id, now: now()) {
        case .unknown: return
        case .over(let reason):
            logger.notice(
                "command cut by a restart is over: not taken up again",
                metadata: metadata.merging(["reason": "\(reason)"]) { $1 })
            executor.abandon(command)
            await reporter.final(
                .failed, "agent: restarted in the middle of this command and \(reason) — not taken up again")
        case .exhausted(let restarts):
            logger.error(
                "command cut by restarts too often: given up",
                metadata: metadata.merging(["command.restarts": "\(restarts)"]) { $1 })
            executor.abandon(command)
            await reporter.final(
                .failed,
                "agent: restarted \(restarts) times in the middle of this command — not tried again; check the agent's log, then ask again"
            )
        case .unwritable(let reason):
            logger.error(
                "command cut by a restart not taken up: it cannot be written down", metadata: ["error": "\(reason)"])
            await reporter.final(.failed, "agent: cannot record the command (\(reason))")
        case .run(let startedAt, let attempt):
            // Checked as when it first started (a crash may have come between its claim and its refusal).
            if let problem = command.problem(now: startedAt) {
                ledger.finish(command.id)
                executor.abandon(command)
                return await reporter.final(.refused, problem)
            }
            guard admit() else {
                // Eight commands already run: this one is reported like any command beyond that.
                ledger.finish(command.id)
                executor.abandon(command)
                return await reporter.final(
                    .refused, "agent: \(Self.maxRunning) commands already running — try again when one ends")
            }
            defer { running.withLock { $0 -= 1 } }
            logger.notice(
                "command taken up again after a restart",
                metadata: metadata.merging(["command.attempt": "\(attempt)"]) { $1 })
            await reporter.send(
                .init(state: .running, message: "taken up again after the agent restarted (run \(attempt))"))
            await executor.resume(command, startedAt: startedAt, reporter: reporter)
            finish(command.id)
        }
    }
}
