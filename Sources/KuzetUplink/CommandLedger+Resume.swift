import Foundation
import KuzetProtocol
import Logging
import Synchronization

/// Taking up, after a restart, the commands an earlier run of the agent started and did not
/// finish (a kill -9, a power cut, a package upgrade in the middle of a clip's upload).
extension CommandLedger {
    /// A command cut by a restart.
    public struct Unfinished: Sendable, Equatable {
        public var command: AgentCommand
        /// When its first run started.
        public var startedAt: Date
        /// Runs begun so far (1: only the first).
        public var attempts: Int
    }

    /// What taking a cut command up again gave.
    public enum Retake: Sendable, Equatable {
        /// Run it again (this is run number `attempt`); written down first.
        case run(startedAt: Date, attempt: Int)
        /// Its time is over (expired, or a live view's end passed): marked finished, not run.
        case over(String)
        /// Cut by ``maxRestarts`` restarts already: marked finished, not run.
        case exhausted(restarts: Int)
        /// The attempt could not be written down, so it must not run.
        case unwritable(String)
        /// Not an unfinished command of this ledger.
        case unknown
    }

    /// The commands started and not finished, oldest first (what an earlier run left cut).
    public func unfinished() -> [Unfinished] {
        entries.withLock { entries in
            entries.values.filter(\.isUnfinished).compactMap { entry in
                entry.command.map {
                    Unfinished(command: $0, startedAt: entry.startedAt ?? $0.issuedAt, attempts: entry.attempts ?? 1)
                }
            }
            .sorted { ($0.startedAt, $0.command.id) < ($1.startedAt, $1.command.id) }
        }
    }

    /// Until when a command cut by a restart is taken up again: a live view for the rest of its
    /// duration; a clip's upload while the ledger remembers it (the registry keeps a started
    /// command open and takes the rest of its upload); a snapshot until the command expires.
    public static func resumableUntil(_ command: AgentCommand, startedAt: Date) -> Date {
        switch command.kind {
        case .live: startedAt.addingTimeInterval(Double(command.durationSeconds ?? 0))
        case .clip: command.expiresAt.addingTimeInterval(memory)
        case .snapshot: command.expiresAt
        }
    }

    /// Takes unfinished command `id` up again: counts the attempt on disk before it runs, or
    /// marks the command finished when its time is over or it was cut too often.
    public func retake(_ id: String, now: Date = Date()) -> Retake {
        entries.withLock { entries in
            guard var entry = entries[id], entry.isUnfinished, let command = entry.command else { return .unknown }
            let attempts = entry.attempts ?? 1
            let startedAt = entry.startedAt ?? command.issuedAt
            let until = Self.resumableUntil(command, startedAt: startedAt)
            let verdict: Retake
            if now >= until {
                let at = ISO8601DateFormatter().string(from: until)
                verdict = .over(
                    command.kind == .live ? "its live view was to end at \(at)" : "it expired for the agent at \(at)")
            } else if attempts > Self.maxRestarts {
                verdict = .exhausted(restarts: attempts - 1)
            } else {
                verdict = .run(startedAt: startedAt, attempt: attempts + 1)
            }
            if case .run = verdict {
                entry.attempts = attempts + 1
            } else {
                entry.state = .finished
                entry.command = nil
            }
            var next = entries
            next[id] = entry
            if let problem = write(next) {
                return .unwritable("\(problem) — make the registry.outbox folder writable by the agent")
            }
            entries = next
            return verdict
        }
    }

    /// Marks command `id` finished: it is not taken up again after a restart. A failure to write
    /// it is logged (the command may then be taken up once more, within ``maxRestarts``).
    public func finish(_ id: String) {
        entries.withLock { entries in
            guard var entry = entries[id], entry.state != .finished else { return }
            entry.state = .finished
            entry.command = nil
            var next = entries
            next[id] = entry
            if let problem = write(next) {
                logger.error(
                    "command finished but not written down: it may be taken up again after a restart",
                    metadata: ["command.id": "\(id)", "error": "\(problem)"])
                return
            }
            entries = next
        }
    }
}
