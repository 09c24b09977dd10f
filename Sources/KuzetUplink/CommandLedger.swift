import Foundation
import KuzetProtocol
import Logging
import Synchronization

/// The ids of the police commands this agent took on, on disk (`commands.json` in the
/// `registry.outbox` folder), so a command runs once whatever reaches the agent again: the same
/// id on the long-poll and in a heartbeat receipt, after a reconnect, after a restart.
///
/// An id is written (fsync'd, atomic replace) before its command starts. An entry is forgotten
/// an hour after its command expired — by then the agent refuses it as expired anyway. At most
/// ``capacity`` entries: when that many unexpired commands are held, a new one is refused (the
/// registry issues a few a minute; thousands in 15 minutes is an attack or a bug).
public final class CommandLedger: Sendable {
    public static let capacity = 4096
    public static let fileName = "commands.json"
    /// How long after `expires_at` an id is still remembered.
    public static let memory: TimeInterval = 3600

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

    struct Entry: Codable, Sendable {
        var id: String
        var expiresAt: Date
        enum CodingKeys: String, CodingKey {
            case id
            case expiresAt = "expires_at"
        }
    }
    struct File: Codable { var commands: [Entry] }

    public let path: String
    private let entries: Mutex<[String: Date]>

    /// Loads the ledger in `folder` (created if missing). A damaged file is set aside
    /// (`commands.json.damaged`) with an error in the log: the commands it named have expired
    /// within 15 minutes anyway.
    public init(folder: String, logger: Logger = Logger(label: "kuzet.commands")) {
        path = (folder as NSString).appendingPathComponent(Self.fileName)
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var loaded: [String: Date] = [:]
        if let data = FileManager.default.contents(atPath: path) {
            do {
                let file = try JSONDecoder.kuzetWire.decode(File.self, from: data)
                for entry in file.commands.prefix(Self.capacity) { loaded[entry.id] = entry.expiresAt }
            } catch {
                logger.error(
                    "commands.json is damaged: set aside, commands already run may be offered again but expire within 15 minutes",
                    metadata: ["commands.path": "\(path)"])
                try? FileManager.default.moveItem(atPath: path, toPath: path + ".damaged")
            }
        }
        entries = Mutex(loaded)
    }

    /// Takes `command` on if its id is new, writing the id down first.
    public func claim(_ command: AgentCommand, now: Date = Date()) -> Claim {
        entries.withLock { entries in
            if entries[command.id] != nil { return .seen }
            var next = entries.filter { $0.value.addingTimeInterval(Self.memory) > now }
            guard next.count < Self.capacity else { return .full }
            next[command.id] = command.expiresAt
            let file = File(commands: next.map { Entry(id: $0.key, expiresAt: $0.value) }.sorted { $0.id < $1.id })
            do {
                let data = try JSONEncoder.kuzetWire.encode(file)
                try DurableFile.replaceAtomically(path, with: data)
            } catch {
                return .unwritable("\(path): \(error) — make the registry.outbox folder writable by the agent")
            }
            entries = next
            return .claimed
        }
    }

    /// Whether `id` was taken on (and not yet forgotten).
    public func contains(_ id: String) -> Bool { entries.withLock { $0[id] != nil } }

    public var count: Int { entries.withLock { $0.count } }
}
