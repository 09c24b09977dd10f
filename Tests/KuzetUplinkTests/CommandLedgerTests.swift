import Foundation
import KuzetProtocol
import KuzetTestKit
import KuzetUplink
import Testing

/// Each police command runs once: its id is on disk before it starts, across restarts.
@Suite struct CommandLedgerTests {
    let folder: TemporaryDirectory
    init() throws { folder = try TemporaryDirectory() }

    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func command(_ id: String, expiresIn seconds: Double = 600) -> AgentCommand {
        AgentCommand(
            id: id, kind: .snapshot, camera: "entrance", issuedAt: now, expiresAt: now.addingTimeInterval(seconds),
            issuedBy: "operator-7")
    }

    @Test func theSameIdIsClaimedOnceAndAgainNotEvenAfterARestart() {
        let ledger = CommandLedger(folder: folder.path)
        #expect(ledger.claim(Self.command("c-1"), now: Self.now) == .claimed)
        #expect(ledger.claim(Self.command("c-1"), now: Self.now) == .seen)
        let afterRestart = CommandLedger(folder: folder.path)
        #expect(afterRestart.claim(Self.command("c-1"), now: Self.now.addingTimeInterval(60)) == .seen)
        #expect(afterRestart.claim(Self.command("c-2"), now: Self.now.addingTimeInterval(60)) == .claimed)
    }

    @Test func anIdIsForgottenAnHourAfterItsCommandExpiredNotBefore() {
        let ledger = CommandLedger(folder: folder.path)
        #expect(ledger.claim(Self.command("old", expiresIn: 60), now: Self.now) == .claimed)
        _ = ledger.claim(Self.command("later"), now: Self.now.addingTimeInterval(60 + 3_500))
        #expect(ledger.contains("old"))
        _ = ledger.claim(Self.command("much-later"), now: Self.now.addingTimeInterval(60 + 3_601))
        #expect(!ledger.contains("old"))
        #expect(CommandLedger(folder: folder.path).contains("much-later"))
    }

    @Test func aFullLedgerRefusesANewCommandInsteadOfForgettingAnUnexpiredOne() throws {
        let entries = (0..<CommandLedger.capacity).map { #"{"id":"c\#($0)","expires_at":"2030-01-01T00:00:00Z"}"# }
        try Data(#"{"commands":[\#(entries.joined(separator: ","))]}"#.utf8).write(
            to: URL(fileURLWithPath: folder.file(CommandLedger.fileName)))
        let ledger = CommandLedger(folder: folder.path)
        #expect(ledger.count == CommandLedger.capacity)
        #expect(ledger.claim(Self.command("one-more"), now: Self.now) == .full)
        #expect(ledger.contains("c0"))
    }

    @Test func aDamagedLedgerIsSetAsideAndTheAgentStartsEmpty() throws {
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: folder.file(CommandLedger.fileName)))
        let ledger = CommandLedger(folder: folder.path)
        #expect(ledger.count == 0)
        #expect(FileManager.default.fileExists(atPath: folder.file(CommandLedger.fileName + ".damaged")))
        #expect(ledger.claim(Self.command("c-1"), now: Self.now) == .claimed)
    }

    @Test func aCommandWhoseIdCannotBeWrittenDownIsNotClaimed() throws {
        let ledger = CommandLedger(folder: folder.path)
        // A folder where the ledger's temporary file must go makes the atomic replace fail.
        try FileManager.default.createDirectory(
            atPath: folder.file(CommandLedger.fileName + ".tmp"), withIntermediateDirectories: true)
        guard case .unwritable = ledger.claim(Self.command("c-1"), now: Self.now) else {
            Issue.record("a command was claimed though its id could not be written")
            return
        }
        #expect(!ledger.contains("c-1"))
    }
}

/// The agent checks the wire format's limits again before running a command.
@Suite struct AgentCommandLimitTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func command(
        _ kind: AgentCommand.Kind, duration: Int? = nil, clipSeconds: Double? = nil, id: String = "c-1",
        expiresIn: Double = 600
    ) -> AgentCommand {
        AgentCommand(
            id: id, kind: kind, camera: "entrance", durationSeconds: duration,
            from: clipSeconds.map { now.addingTimeInterval(-86_400 * 3 - $0) },
            to: clipSeconds.map { _ in now.addingTimeInterval(-86_400 * 3) },
            issuedAt: now, expiresAt: now.addingTimeInterval(expiresIn), issuedBy: "operator-7")
    }

    @Test func commandsWithinTheLimitsMayRun() {
        #expect(Self.command(.live, duration: 3_600).problem(now: Self.now) == nil)
        #expect(Self.command(.clip, clipSeconds: 600).problem(now: Self.now) == nil)
        #expect(Self.command(.snapshot).problem(now: Self.now) == nil)
    }

    @Test func anExpiredCommandDoesNotRun() {
        let command = Self.command(.snapshot, expiresIn: 60)
        #expect(command.problem(now: Self.now.addingTimeInterval(61))?.hasPrefix("expired at") == true)
    }

    @Test func commandsBeyondTheLimitsAreRefusedWithTheLimit() {
        #expect(Self.command(.live, duration: 3_601).problem(now: Self.now)?.contains("1–3600") == true)
        #expect(Self.command(.live).problem(now: Self.now) != nil)
        #expect(Self.command(.clip, clipSeconds: 3_601).problem(now: Self.now)?.contains("at most 3600") == true)
        #expect(Self.command(.snapshot, expiresIn: 16 * 60).problem(now: Self.now)?.contains("15 minutes") == true)
        #expect(Self.command(.snapshot, id: "../etc/passwd").problem(now: Self.now) != nil)
        #expect(Self.command(.snapshot, id: String(repeating: "a", count: 65)).problem(now: Self.now) != nil)
    }
}
