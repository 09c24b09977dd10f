import Foundation
import KuzetProtocol
import Logging
import Synchronization

/// The police commands this agent took on, on disk (`commands.json` in the `registry.outbox`
/// folder), so a command runs once whatever reaches the agent again — the same id on the
/// long-poll and in a heartbeat receipt, after a reconnect, after a restart — and a command cut
/// by a restart is taken up again (``unfinished()``, ``retake(_:now:)``).
///
/// An entry is written (fsync'd, atomic replace) before its command starts, `started` with the
/// command's wire JSON, and becomes `finished` (the JSON dropped) when the command reported its
/// outcome. An entry is forgotten an hour after its command expired — by then the agent refuses
/// it as expired anyway. At most ``capacity`` entries: when that many unexpired commands are held,
/// a new one is refused (the registry issues a few a minute; thousands in 15 minutes is an attack
/// or a bug).
public final class CommandLedger: Sendable {
    public static let capacity = 4096
    public static let fileName = "commands.json"
    /// How long after `expires_at` an id is still remembered.
    public static let memory: TimeInterval = 3600
    /// A command's wire JSON is kept for taking it up again up to this size; a larger one (a
    /// camera id or operator name of kilobytes) by its id only, and it is not taken up again.
    public static let maxCommandBytes = 4096
    /// How many restarts a command is taken up again after; at the next it is reported failed.
    public static let maxRestarts = 3
    /// A `commands.json` larger than this cannot be one the agent wrote: it is set aside unread.
    public static let maxFileBytes = capacity * (maxCommandBytes + 256)

    /// What claiming a command gave.
    public enum Claim: Sendable, Equatable {
        /// New: run it.
        case claimed
        /// Already taken on before (now or in an earlier run): do not run it again.
        case seen
        /// The ledger is full of unexpired commands.
        case full
        /// It could not be written down, so it must not run (it would run again after a restart).
        case unwritable(String)
    }

    /// Where a command taken on stands.
    public enum State: String, Codable, Sendable {
        /// Running, or cut by a restart before it reported its outcome.
        case started
        /// Its outcome was reported (or it ended without one to report).
        case finished
    }

    struct Entry: Codable, Sendable, Equatable {
        var id: String
        var expiresAt: Date
        /// nil in a ledger written before commands were taken up again: finished, for all we know.
        var state: State?
        var startedAt: Date?
        /// Runs begun: 1 for the first, one more each time it is taken up again.
        var attempts: Int?
        /// The command itself while it is `started` (nil when over ``maxCommandBytes``).
        var command: AgentCommand?

        enum CodingKeys: String, CodingKey {
            case id, state, attempts, command
            case expiresAt = "expires_at"
            case startedAt = "started_at"
        }

        var isUnfinished: Bool { state == .started && command != nil }
    }
    struct File: Codable { var commands: [Entry] }

    public let path: String
    let entries: Mutex<[String: Entry]>
    let logger: Logger

    /// Loads the ledger in `folder` (created if missing). A damaged file is set aside
    /// (`commands.json.damaged`) with an error in the log: the commands it named have expired
    /// within 15 minutes anyway, and the ones it held unfinished are not taken up again.
    public init(folder: String, logger: Logger = Logger(label: "kuzet.commands")) {
        path = (folder as NSString).appendingPathComponent(Self.fileName)
        self.logger = logger
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var loaded: [String: Entry] = [:]
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        if let data = size <= Self.maxFileBytes ? FileManager.default.contents(atPath: path) : Data("too large".utf8) {
            do {
                let file = try JSONDecoder.kuzetWire.decode(File.self, from: data)
                for entry in file.commands.prefix(Self.capacity) where AgentCommand.isValidID(entry.id) {
                    var entry = entry
                    // A command under another id, or of more than the limit, is not taken up again.
                    if entry.command?.id != entry.id || entry.command.map(Self.fits) == false { entry.command = nil }
                    loaded[entry.id] = entry
                }
            } catch {
                logger.error(
                    "commands.json is damaged: set aside, commands already run may be offered again but expire within 15 minutes, commands cut by a restart are not taken up again",
                    metadata: ["commands.path": "\(path)", "commands.bytes": "\(size)"])
                try? FileManager.default.moveItem(atPath: path, toPath: path + ".damaged")
            }
        }
        entries = Mutex(loaded)
    }

    static func fits(_ command: AgentCommand) -> Bool {
        ((try? JSONEncoder.kuzetWire.encode(command))?.count ?? .max) <= maxCommandBytes
    }

    /// Takes `command` on if its id is new, writing it down (`started`) first.
    public func claim(_ command: AgentCommand, now: Date = Date()) -> Claim {
        entries.withLock { entries in
            if entries[command.id] != nil { return .seen }
            var next = entries.filter { $0.value.expiresAt.addingTimeInterval(Self.memory) > now }
            guard next.count < Self.capacity else { return .full }
            next[command.id] = Entry(
                id: command.id, expiresAt: command.expiresAt, state: .started, startedAt: now, attempts: 1,
                command: Self.fits(command) ? command : nil)
            if let problem = write(next) {
                return .unwritable("\(problem) — make the registry.outbox folder writable by the agent")
            }
            entries = next
            return .claimed
        }
    }

    /// Writes `entries` (fsync'd, atomic replace); the problem, or nil.
    func write(_ entries: [String: Entry]) -> String? {
        let file = File(commands: entries.values.sorted { $0.id < $1.id })
        do {
            try DurableFile.replaceAtomically(path, with: try JSONEncoder.kuzetWire.encode(file))
            return nil
        } catch {
            return "\(path): \(error)"
        }
    }

    /// Whether `id` was taken on (and not yet forgotten).
    public func contains(_ id: String) -> Bool { entries.withLock { $0[id] != nil } }

    /// Where command `id` stands (nil: not taken on, or forgotten).
    public func state(_ id: String) -> State? { entries.withLock { $0[id].map { $0.state ?? .finished } } }

    public var count: Int { entries.withLock { $0.count } }
}
