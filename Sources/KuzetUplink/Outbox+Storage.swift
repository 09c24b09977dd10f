import Foundation
import KuzetProtocol
import Logging

#if canImport(Glibc)
    import Glibc
#endif

extension Outbox {
    /// Loads state and journal; cuts a torn last line (a crash mid-append: that heartbeat was
    /// never confirmed); skips a damaged line elsewhere with an error in the log.
    func recover() throws(OutboxError) {
        let directory = configuration.directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw OutboxError(
                directory: directory, problem: "cannot create the folder (\(error.localizedDescription))",
                advice: "create it and make it writable by the agent")
        }
        if let data = FileManager.default.contents(atPath: statePath) {
            do {
                state = try JSONDecoder().decode(PersistedState.self, from: data)
            } catch {
                throw OutboxError(
                    directory: directory, problem: "state.json is damaged (\(error))",
                    advice:
                        "move state.json aside; the agent then resends the journal and the registry drops what it already has"
                )
            }
        }
        let journal = FileManager.default.contents(atPath: journalPath) ?? Data()
        var offset = 0
        var lineNumber = 0
        var maxSequence: UInt64 = 0
        var validSize = 0
        let decoder = JSONDecoder()
        while offset < journal.count {
            guard let newline = journal[offset...].firstIndex(of: UInt8(ascii: "\n")) else {
                logger.warning(
                    "Outbox: dropped an unfinished last line of the journal (the process stopped while writing it; it was never confirmed)",
                    metadata: ["outbox.path": "\(journalPath)", "outbox.bytes": "\(journal.count - offset)"])
                break
            }
            lineNumber += 1
            let line = journal[offset..<newline]
            offset = newline + 1
            validSize = offset
            guard !line.isEmpty else { continue }
            guard let heartbeat = try? decoder.decode(JournalLine.self, from: Data(line)) else {
                logger.error(
                    "Outbox: skipped a damaged journal line",
                    metadata: ["outbox.path": "\(journalPath)", "outbox.line": "\(lineNumber)"])
                continue
            }
            maxSequence = max(maxSequence, heartbeat.sequence)
            if heartbeat.sequence <= state.acknowledged {
                acknowledgedLinesInJournal += 1
                continue
            }
            if let last = entries.last, heartbeat.sequence <= last.sequence { continue } // never twice
            entries.append(
                OutboxEntry(
                    sequence: heartbeat.sequence, hasEvents: !(heartbeat.events ?? []).isEmpty, json: Data(line)))
            bytes += line.count
        }
        state.nextSequence = max(state.nextSequence, maxSequence + 1, state.acknowledged + 1)
        do {
            journalFD = try DurableFile.openForAppending(journalPath)
            if validSize < journal.count { try DurableFile.truncate(journalFD, path: journalPath, to: validSize) }
            try DurableFile.syncDirectory(of: journalPath)
        } catch {
            throw OutboxError(
                directory: directory, problem: "\(error)", advice: "make the folder writable by the agent")
        }
        journalSize = validSize
        if !entries.isEmpty {
            logger.info(
                "Outbox: heartbeats waiting from before",
                metadata: ["outbox.queued": "\(entries.count)", "outbox.first_sequence": "\(entries[0].sequence)"])
        }
    }

    /// Writes `state.json` atomically. Caller holds the lock.
    func persist(_ state: PersistedState) throws(OutboxError) {
        do {
            let data = try JSONEncoder().encode(state)
            try DurableFile.replaceAtomically(statePath, with: data)
        } catch {
            throw OutboxError(
                directory: configuration.directory, problem: "cannot save state.json (\(error))",
                advice: "free disk space or fix the folder's permissions")
        }
    }

    /// Empties the journal (everything in it is acknowledged). Caller holds the lock.
    func truncateJournal() throws(OutboxError) {
        do {
            try DurableFile.truncate(journalFD, path: journalPath, to: 0)
        } catch {
            throw OutboxError(
                directory: configuration.directory, problem: "\(error)",
                advice: "free disk space or fix the folder's permissions")
        }
        journalSize = 0
        acknowledgedLinesInJournal = 0
    }

    /// Rewrites the journal with only the waiting heartbeats (atomically). Caller holds the lock.
    func rewriteJournal() throws(OutboxError) {
        var data = Data(capacity: bytes + entries.count)
        for entry in entries {
            data.append(entry.json)
            data.append(UInt8(ascii: "\n"))
        }
        do {
            try DurableFile.replaceAtomically(journalPath, with: data)
            let reopened = try DurableFile.openForAppending(journalPath)
            close(journalFD)
            journalFD = reopened
        } catch {
            throw OutboxError(
                directory: configuration.directory, problem: "cannot rewrite the journal (\(error))",
                advice: "free disk space or fix the folder's permissions")
        }
        journalSize = data.count
        acknowledgedLinesInJournal = 0
    }

    /// Thins the oldest routine heartbeats while over bounds. Caller holds the lock.
    func coalesceIfOverBounds() throws(OutboxError) {
        var removed = 0
        while entries.count > configuration.maxEntries || bytes > configuration.maxBytes {
            let thinned = Self.thinOldestRoutine(entries)
            guard thinned.count < entries.count else { break } // only events left: they are kept
            removed += entries.count - thinned.count
            entries = thinned
            bytes = entries.reduce(0) { $0 + $1.json.count }
        }
        guard removed > 0 else { return }
        coalescedTotal += removed
        logger.warning(
            "Outbox: over its bound, thinned out the oldest routine heartbeats (events are kept)",
            metadata: ["outbox.removed": "\(removed)", "outbox.queued": "\(entries.count)", "outbox.bytes": "\(bytes)"])
        try rewriteJournal()
    }

    /// Drops every second heartbeat without events in the older half of `entries`; the newest
    /// entry and every entry with events stay. Pure, so it is tested on its own.
    static func thinOldestRoutine(_ entries: [OutboxEntry]) -> [OutboxEntry] {
        let olderHalf = max(1, entries.count / 2)
        var result: [OutboxEntry] = []
        result.reserveCapacity(entries.count)
        var routineSeen = 0
        for (index, entry) in entries.enumerated() {
            if index < olderHalf && index < entries.count - 1 && !entry.hasEvents {
                routineSeen += 1
                if routineSeen % 2 == 1 { continue }
            }
            result.append(entry)
        }
        return result
    }
}

/// What recovery reads of a journal line: the sequence and whether there are events. Dates and
/// camera reports are not decoded (opening a three-week backlog must take seconds, not minutes);
/// the line was written by ``Outbox/append(_:)`` from a valid ``Heartbeat``.
struct JournalLine: Decodable {
    /// Decodes nothing: only counts as an element.
    struct Skipped: Decodable {
        init(from decoder: any Decoder) throws {}
    }
    var sequence: UInt64
    var schoolID: String
    var events: [Skipped]?

    enum CodingKeys: String, CodingKey {
        case sequence, events
        case schoolID = "school_id"
    }
}
