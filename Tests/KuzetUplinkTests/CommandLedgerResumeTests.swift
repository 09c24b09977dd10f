import Foundation
import KuzetProtocol
import KuzetTestKit
import KuzetUplink
import Testing

/// A command cut by a restart is kept in the ledger (its wire JSON, `started`) until it reports
/// its outcome, and taken up again a bounded number of times while its time is not over.
@Suite struct CommandLedgerResumeTests {
    let folder: TemporaryDirectory
    init() throws { folder = try TemporaryDirectory() }

    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func command(
        _ id: String, kind: AgentCommand.Kind = .clip, duration: Int? = nil, expiresIn seconds: Double = 600,
        issuedBy: String = "operator-7"
    ) -> AgentCommand {
        AgentCommand(
            id: id, kind: kind, camera: "entrance", durationSeconds: duration,
            from: kind == .clip ? now.addingTimeInterval(-3 * 86_400) : nil,
            to: kind == .clip ? now.addingTimeInterval(-3 * 86_400 + 600) : nil, issuedAt: now,
            expiresAt: now.addingTimeInterval(seconds), issuedBy: issuedBy)
    }

    @Test func aLedgerWrittenBeforeResumptionStillLoadsItsIdsAreSeenAndNoneIsTakenUp() throws {
        try Data(
            #"{"commands":[{"expires_at":"2027-01-15T08:10:00Z","id":"c-old"},{"expires_at":"2027-01-15T08:11:00Z","id":"c-older"}]}"#
                .utf8
        ).write(to: URL(fileURLWithPath: folder.file(CommandLedger.fileName)))
        let ledger = CommandLedger(folder: folder.path)
        #expect(ledger.count == 2)
        #expect(ledger.claim(Self.command("c-old"), now: Self.now) == .seen)
        #expect(ledger.state("c-older") == .finished)
        #expect(ledger.unfinished().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: folder.file(CommandLedger.fileName + ".damaged")))
    }

    @Test func aClaimedCommandStaysUnfinishedAcrossRestartsUntilItFinishes() {
        let command = Self.command("c-1")
        #expect(CommandLedger(folder: folder.path).claim(command, now: Self.now) == .claimed)
        let afterCrash = CommandLedger(folder: folder.path)
        #expect(afterCrash.state("c-1") == .started)
        let unfinished = afterCrash.unfinished()
        #expect(unfinished.map(\.command) == [command])
        #expect(unfinished.map(\.startedAt) == [Self.now] && unfinished.map(\.attempts) == [1])
        afterCrash.finish("c-1")
        let afterRestart = CommandLedger(folder: folder.path)
        #expect(afterRestart.state("c-1") == .finished)
        #expect(afterRestart.unfinished().isEmpty)
        #expect(afterRestart.claim(command, now: Self.now) == .seen)
        // The finished entry keeps only the id: the command's JSON is gone from the file.
        let text = (try? String(contentsOfFile: folder.file(CommandLedger.fileName), encoding: .utf8)) ?? ""
        #expect(!text.contains("operator-7"), "\(text)")
    }

    @Test func aCutCommandIsTakenUpAgainAndEachAttemptIsCountedOnDisk() {
        #expect(CommandLedger(folder: folder.path).claim(Self.command("c-1"), now: Self.now) == .claimed)
        let ledger = CommandLedger(folder: folder.path)
        #expect(ledger.retake("c-1", now: Self.now.addingTimeInterval(30)) == .run(startedAt: Self.now, attempt: 2))
        #expect(CommandLedger(folder: folder.path).unfinished().first?.attempts == 2)
        #expect(ledger.retake("never-claimed", now: Self.now) == .unknown)
    }

    @Test func aCommandCutByThreeRestartsIsGivenUpAtTheFourth() {
        #expect(CommandLedger(folder: folder.path).claim(Self.command("c-1"), now: Self.now) == .claimed)
        var verdicts: [CommandLedger.Retake] = []
        for restart in 1...4 {
            let ledger = CommandLedger(folder: folder.path)
            verdicts.append(ledger.retake("c-1", now: Self.now.addingTimeInterval(Double(restart) * 10)))
        }
        #expect(
            verdicts == [
                .run(startedAt: Self.now, attempt: 2), .run(startedAt: Self.now, attempt: 3),
                .run(startedAt: Self.now, attempt: 4), .exhausted(restarts: CommandLedger.maxRestarts),
            ])
        let afterwards = CommandLedger(folder: folder.path)
        #expect(afterwards.unfinished().isEmpty)
        #expect(afterwards.state("c-1") == .finished)
    }

    @Test func aCutCommandWhoseTimeIsOverIsNotTakenUpAgain() {
        let ledger = CommandLedger(folder: folder.path)
        _ = ledger.claim(Self.command("snap", kind: .snapshot, expiresIn: 300), now: Self.now)
        _ = ledger.claim(Self.command("live", kind: .live, duration: 120), now: Self.now.addingTimeInterval(10))
        _ = ledger.claim(Self.command("clip", expiresIn: 300), now: Self.now)
        let later = CommandLedger(folder: folder.path)
        // 5 min 1 s on: the snapshot expired; the live view (10 s + 120 s) is over; the clip's
        // upload, begun, is taken up while the ledger remembers it (an hour after it expired).
        let at = Self.now.addingTimeInterval(301)
        guard case .over(let snapshotReason) = later.retake("snap", now: at) else {
            Issue.record("an expired snapshot was taken up again")
            return
        }
        #expect(snapshotReason.contains("expired"))
        guard case .over(let liveReason) = later.retake("live", now: at) else {
            Issue.record("a live view past its end was taken up again")
            return
        }
        #expect(liveReason.contains("live view was to end at"))
        #expect(later.retake("clip", now: at) == .run(startedAt: Self.now, attempt: 2))
        guard case .over = later.retake("clip", now: Self.now.addingTimeInterval(300 + 3_600)) else {
            Issue.record("a clip's upload was taken up after the ledger would have forgotten it")
            return
        }
        #expect(CommandLedger(folder: folder.path).unfinished().isEmpty)
    }

    @Test func aLiveViewCutEarlyIsTakenUpForTheRestOfItsDuration() {
        _ = CommandLedger(folder: folder.path).claim(Self.command("live", kind: .live, duration: 120), now: Self.now)
        let unfinished = CommandLedger(folder: folder.path).unfinished()
        #expect(unfinished.map(\.command.id) == ["live"])
        #expect(
            CommandLedger.resumableUntil(unfinished[0].command, startedAt: unfinished[0].startedAt)
                == Self.now.addingTimeInterval(120))
    }

    @Test func aCommandOverTheSizeLimitIsRememberedByItsIdButNotKeptToTakeUp() throws {
        let ledger = CommandLedger(folder: folder.path)
        let huge = Self.command("c-huge", issuedBy: String(repeating: "x", count: CommandLedger.maxCommandBytes))
        #expect(ledger.claim(huge, now: Self.now) == .claimed)
        #expect(ledger.claim(huge, now: Self.now) == .seen)
        #expect(CommandLedger(folder: folder.path).unfinished().isEmpty)
        let bytes = try FileManager.default.attributesOfItem(atPath: folder.file(CommandLedger.fileName))[.size] as? Int
        #expect((bytes ?? .max) < 1_000)
    }

    @Test func aLedgerFileOverItsBoundIsSetAsideUnread() throws {
        let path = folder.file(CommandLedger.fileName)
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(CommandLedger.maxFileBytes + 1))
        try handle.close()
        let ledger = CommandLedger(folder: folder.path)
        #expect(ledger.count == 0)
        #expect(FileManager.default.fileExists(atPath: path + ".damaged"))
        #expect(ledger.claim(Self.command("c-1"), now: Self.now) == .claimed)
    }

    @Test func anEntryWhoseCommandNamesAnotherIdIsNotTakenUp() throws {
        let command = String(decoding: try JSONEncoder.kuzetWire.encode(Self.command("c-other")), as: UTF8.self)
        try Data(
            #"{"commands":[{"attempts":1,"command":\#(command),"expires_at":"2027-01-15T08:10:00Z","id":"c-1","started_at":"2027-01-15T08:00:00Z","state":"started"}]}"#
                .utf8
        ).write(to: URL(fileURLWithPath: folder.file(CommandLedger.fileName)))
        let ledger = CommandLedger(folder: folder.path)
        #expect(ledger.contains("c-1"))
        #expect(ledger.unfinished().isEmpty)
    }
}
