import Foundation
import KuzetProtocol
import Logging

/// The durable queue of heartbeats on their way to the registry.
///
/// On disk, in `directory`:
/// - `journal.jsonl`: one heartbeat (wire JSON) per line, appended and fsync'd before
///   ``append(_:)`` returns — only then does a heartbeat count as sent.
/// - `state.json`: the highest sequence the registry acknowledged, and the next sequence to use,
///   replaced atomically. Journal lines at or below the acknowledged sequence are never sent
///   again, so after `kill -9` or a power cut nothing is lost and nothing acknowledged is repeated.
/// - `parked/`: batches the registry refused as malformed (kept for an operator, not retried).
///
/// Bounded: beyond ``Configuration/maxEntries`` or ``Configuration/maxBytes`` the oldest routine
/// heartbeats are thinned out (every second one in the older half goes); heartbeats carrying
/// events are always kept.
///
/// Blocking (fsync): call from a dedicated thread (``HeartbeatService`` does), not from the
/// cooperative pool. Thread-safe.
public final class Outbox: @unchecked Sendable {
    // @unchecked: every mutable property below is touched only while holding `lock`.
    public struct Configuration: Sendable {
        public var directory: String
        public var maxEntries: Int
        public var maxBytes: Int
        /// Acknowledged lines the journal may hold before it is rewritten without them.
        public var compactAfter: Int

        public init(directory: String, maxEntries: Int = 20_000, maxBytes: Int = 32 << 20, compactAfter: Int = 256) {
            self.directory = directory
            self.maxEntries = maxEntries
            self.maxBytes = maxBytes
            self.compactAfter = compactAfter
        }
    }

    struct PersistedState: Codable {
        var acknowledged: UInt64
        var nextSequence: UInt64
        enum CodingKeys: String, CodingKey {
            case acknowledged
            case nextSequence = "next_sequence"
        }
    }

    public let configuration: Configuration
    let logger: Logger
    let lock = NSLock()
    var entries: [OutboxEntry] = []
    var bytes = 0
    var state = PersistedState(acknowledged: 0, nextSequence: 1)
    var journalFD: Int32 = -1
    var journalSize = 0
    var acknowledgedLinesInJournal = 0
    var coalescedTotal = 0

    var journalPath: String { (configuration.directory as NSString).appendingPathComponent("journal.jsonl") }
    var statePath: String { (configuration.directory as NSString).appendingPathComponent("state.json") }
    var parkedDirectory: String { (configuration.directory as NSString).appendingPathComponent("parked") }

    /// Opens (or creates) the outbox and recovers what a previous run left, including after a crash.
    public init(configuration: Configuration, logger: Logger = Logger(label: "kuzet.uplink")) throws {
        self.configuration = configuration
        self.logger = logger
        try recover()
    }

    deinit {
        if journalFD >= 0 { close(journalFD) }
    }

    // MARK: Reading

    /// Heartbeats waiting for the registry.
    public var count: Int { lock.withLock { entries.count } }
    public var queuedBytes: Int { lock.withLock { bytes } }
    /// The highest sequence the registry acknowledged (0: none yet).
    public var acknowledgedSequence: UInt64 { lock.withLock { state.acknowledged } }
    /// The sequence the next appended heartbeat gets.
    public var nextSequence: UInt64 { lock.withLock { state.nextSequence } }
    /// Routine heartbeats dropped to keep the outbox within its bounds, since it was opened.
    public var coalescedCount: Int { lock.withLock { coalescedTotal } }

    /// The oldest waiting heartbeats, in order: at most `limit` of them and about `maxBytes`
    /// (always at least one).
    public func pending(limit: Int, maxBytes: Int = 1 << 20) -> [OutboxEntry] {
        lock.withLock {
            var batch: [OutboxEntry] = []
            var size = 0
            for entry in entries.prefix(max(1, limit)) {
                if !batch.isEmpty && size + entry.json.count > maxBytes { break }
                batch.append(entry)
                size += entry.json.count
            }
            return batch
        }
    }

    // MARK: Writing

    /// Makes the heartbeat for the next sequence with `make`, appends it durably and returns it.
    @discardableResult
    public func append(_ make: (UInt64) throws -> Heartbeat) throws -> Heartbeat {
        try lock.withLock {
            let sequence = state.nextSequence
            let heartbeat = try make(sequence)
            precondition(heartbeat.sequence == sequence, "a heartbeat must carry the sequence the outbox gave it")
            let json = try JSONEncoder.kuzetWire.encode(heartbeat)
            var line = json
            line.append(UInt8(ascii: "\n"))
            do {
                try DurableFile.append(line, to: journalFD, path: journalPath, restoreSize: journalSize)
            } catch {
                throw OutboxError(
                    directory: configuration.directory, problem: "cannot append heartbeat \(sequence) (\(error))",
                    advice: "free disk space or fix the folder's permissions; queued heartbeats are kept")
            }
            journalSize += line.count
            state.nextSequence = sequence + 1
            entries.append(OutboxEntry(sequence: sequence, hasEvents: !heartbeat.events.isEmpty, json: json))
            bytes += json.count
            do {
                try coalesceIfOverBounds()
            } catch {
                // The heartbeat is safely appended; only the journal's rewrite failed, so the
                // thinned-out lines come back after a restart. Not the caller's failure.
                logger.error("Outbox: could not rewrite the journal after thinning it: \(error)")
            }
            return heartbeat
        }
    }

    /// The registry has stored everything up to and including `sequence`.
    public func acknowledge(through sequence: UInt64) throws {
        try lock.withLock {
            guard sequence > state.acknowledged else { return }
            var updated = state
            updated.acknowledged = sequence
            try persist(updated)
            state = updated
            let before = entries.count
            entries.removeAll { $0.sequence <= sequence }
            bytes = entries.reduce(0) { $0 + $1.json.count }
            acknowledgedLinesInJournal += before - entries.count
            if entries.isEmpty {
                try truncateJournal()
            } else if acknowledgedLinesInJournal >= configuration.compactAfter {
                try rewriteJournal()
            }
        }
    }

    /// Sets the registry's word aside: `entries` (the oldest waiting ones) are saved under
    /// `parked/` with `reason` and no longer sent.
    public func park(_ parked: [OutboxEntry], reason: String) throws {
        guard let first = parked.first, let last = parked.last else { return }
        let path = (parkedDirectory as NSString).appendingPathComponent(
            "heartbeats-\(first.sequence)-\(last.sequence).jsonl")
        var data = Data("# \(reason.replacingOccurrences(of: "\n", with: " "))\n".utf8)
        for entry in parked {
            data.append(entry.json)
            data.append(UInt8(ascii: "\n"))
        }
        do {
            try FileManager.default.createDirectory(atPath: parkedDirectory, withIntermediateDirectories: true)
            try DurableFile.replaceAtomically(path, with: data)
        } catch {
            throw OutboxError(
                directory: configuration.directory, problem: "cannot park heartbeats in \(path) (\(error))",
                advice: "free disk space or fix the folder's permissions")
        }
        try acknowledge(through: last.sequence)
    }

    /// Makes the next sequence at least `sequence` (when the registry already holds higher
    /// sequences than this outbox knows, e.g. after the outbox folder was lost).
    public func advanceSequence(toAtLeast sequence: UInt64) throws {
        try lock.withLock {
            guard sequence > state.nextSequence else { return }
            var updated = state
            updated.nextSequence = sequence
            try persist(updated)
            state = updated
        }
    }
}
