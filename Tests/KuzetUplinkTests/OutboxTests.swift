import Foundation
import KuzetCore
import KuzetProtocol
import KuzetTestKit
import Logging
import Testing

@testable import KuzetUplink

@Suite struct OutboxTests {
    let folder: TemporaryDirectory
    init() throws { folder = try TemporaryDirectory(prefix: "kuzet-outbox") }

    func open(maxEntries: Int = 20_000, compactAfter: Int = 256) throws -> Outbox {
        try Outbox(
            configuration: .init(directory: folder.file("outbox"), maxEntries: maxEntries, compactAfter: compactAfter))
    }

    var journal: String { (try? String(contentsOfFile: folder.file("outbox/journal.jsonl"), encoding: .utf8)) ?? "" }

    @Test func appendedHeartbeatsAreOnDiskAndSurviveReopening() throws {
        try open().appendFixtures(3)
        #expect(journal.split(separator: "\n").count == 3)
        let reopened = try open()
        #expect(Fixtures.sequences(reopened.pending(limit: 10)) == [1, 2, 3])
        let first = try JSONDecoder.kuzetWire.decode(Heartbeat.self, from: reopened.pending(limit: 1)[0].json)
        #expect(first == Fixtures.heartbeat(1))
    }

    @Test func sequencesIncreaseByOneAcrossRestarts() throws {
        #expect(try open().appendFixtures(2) == [1, 2])
        #expect(try open().appendFixtures(2) == [3, 4])
    }

    @Test func acknowledgedHeartbeatsAreNeverPendingAgain() throws {
        let outbox = try open()
        try outbox.appendFixtures(5)
        try outbox.acknowledge(through: 3)
        #expect(Fixtures.sequences(outbox.pending(limit: 10)) == [4, 5])
        let reopened = try open()
        #expect(Fixtures.sequences(reopened.pending(limit: 10)) == [4, 5])
        #expect(reopened.acknowledgedSequence == 3)
        #expect(reopened.nextSequence == 6)
    }

    @Test func sequenceSurvivesAFullyDeliveredAndEmptiedJournal() throws {
        let outbox = try open()
        try outbox.appendFixtures(4)
        try outbox.acknowledge(through: 4)
        #expect(journal.isEmpty)
        let reopened = try open()
        #expect(reopened.count == 0)
        #expect(try reopened.appendFixtures(1) == [5])
    }

    @Test func batchesAreOldestFirstAndBoundedByCountAndBytes() throws {
        let outbox = try open()
        try outbox.appendFixtures(10)
        #expect(Fixtures.sequences(outbox.pending(limit: 4)) == [1, 2, 3, 4])
        let one = outbox.pending(limit: 1)[0].json.count
        #expect(outbox.pending(limit: 10, maxBytes: one * 3).count == 3)
        #expect(outbox.pending(limit: 10, maxBytes: 1).count == 1) // always at least one
    }

    @Test func anUnfinishedLastLineFromACrashIsDroppedAndAppendingContinues() throws {
        try open().appendFixtures(2)
        let handle = try #require(FileHandle(forWritingAtPath: folder.file("outbox/journal.jsonl")))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"school_id":"KZ-AST-0042","seq"#.utf8))
        try handle.close()
        let reopened = try open()
        #expect(Fixtures.sequences(reopened.pending(limit: 10)) == [1, 2])
        try reopened.appendFixtures(1)
        #expect(Fixtures.sequences(try open().pending(limit: 10)) == [1, 2, 3])
        #expect(journal.split(separator: "\n").count == 3)
    }

    @Test func aDamagedLineInTheMiddleIsSkippedNotFatal() throws {
        try open().appendFixtures(3)
        var lines = journal.split(separator: "\n").map(String.init)
        lines[1] = "garbage that is not json"
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: folder.file("outbox/journal.jsonl"), atomically: true, encoding: .utf8)
        let logs = LogRecorder()
        let reopened = try Outbox(
            configuration: .init(directory: folder.file("outbox")), logger: logs.logger(label: "kuzet.uplink"))
        #expect(Fixtures.sequences(reopened.pending(limit: 10)) == [1, 3])
        #expect(
            logs.entries(atLeast: .error).contains {
                $0.line.contains("damaged journal line") && $0.line.contains("outbox.line=2")
            })
    }

    @Test func overItsBoundTheOldestRoutineHeartbeatsGoAndEventsStay() throws {
        let outbox = try open(maxEntries: 20)
        try outbox.appendFixtures(100, eventsEvery: 10)
        let kept = outbox.pending(limit: 1000)
        #expect(kept.count <= 20)
        #expect(kept.count >= 10)
        // Every heartbeat with an event (1, 11, 21, … 91) is still there, and the newest one.
        let withEvents = kept.filter(\.hasEvents).map(\.sequence)
        #expect(withEvents == stride(from: 1, through: 91, by: 10).map(UInt64.init))
        #expect(kept.last?.sequence == 100)
        #expect(Fixtures.sequences(kept) == Fixtures.sequences(kept).sorted())
        #expect(outbox.coalescedCount == 100 - kept.count)
        // And the journal on disk says the same.
        #expect(Fixtures.sequences(try open(maxEntries: 20).pending(limit: 1000)) == Fixtures.sequences(kept))
    }

    @Test func eventsAreKeptEvenWhenTheyAloneExceedTheBound() throws {
        let outbox = try open(maxEntries: 5)
        try outbox.appendFixtures(12, eventsEvery: 1)
        #expect(outbox.count == 12)
    }

    @Test func parkedHeartbeatsAreSetAsideWithTheReasonAndNotSentAgain() throws {
        let outbox = try open()
        try outbox.appendFixtures(3)
        try outbox.park(outbox.pending(limit: 1), reason: "registry: HTTP 400 refused the batch: bad camera id")
        #expect(Fixtures.sequences(outbox.pending(limit: 10)) == [2, 3])
        let parked = try String(contentsOfFile: folder.file("outbox/parked/heartbeats-1-1.jsonl"), encoding: .utf8)
        #expect(parked.hasPrefix("# registry: HTTP 400"))
        #expect(parked.contains(#""sequence":1"#))
        #expect(Fixtures.sequences(try open().pending(limit: 10)) == [2, 3])
    }

    @Test func theJournalIsCompactedOnceEnoughOfItIsAcknowledged() throws {
        let outbox = try open(compactAfter: 4)
        try outbox.appendFixtures(6)
        try outbox.acknowledge(through: 2)
        #expect(journal.split(separator: "\n").count == 6)
        try outbox.acknowledge(through: 4)
        #expect(journal.split(separator: "\n").count == 2)
        try outbox.appendFixtures(1)
        #expect(Fixtures.sequences(try open().pending(limit: 10)) == [5, 6, 7])
    }

    @Test func anUnusableFolderIsAClearError() throws {
        try "a file, not a folder".write(toFile: folder.file("blocker"), atomically: true, encoding: .utf8)
        let error = try #require(throws: OutboxError.self) {
            try Outbox(configuration: .init(directory: folder.file("blocker/outbox")))
        }
        #expect(
            error.description.hasPrefix("registry.outbox \(folder.file("blocker/outbox")): cannot create the folder"))
        #expect(error.description.contains(" — "))
    }

    @Test func thinningDropsEverySecondRoutineEntryInTheOlderHalf() {
        let entries = (1...8).map { OutboxEntry(sequence: UInt64($0), hasEvents: $0 == 3, json: Data()) }
        #expect(Fixtures.sequences(Outbox.thinOldestRoutine(entries)) == [2, 3, 5, 6, 7, 8])
    }
}
