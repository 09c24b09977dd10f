import Foundation
import KuzetCommitment
import KuzetProtocol
import KuzetSegmentStore
import KuzetTestKit
import Synchronization
import Testing

@testable import KuzetAgent

/// Session 16, task P: a camera-day's commitment journal and signed root are removed once nothing
/// can ask for them (every segment of the day deleted by retention, the day older than the claimed
/// retention, its root in the outbox), never earlier; real files in a real storage folder, an
/// injected clock.
@Suite struct CommitmentPruningTests {
    typealias Box = CommitmentServiceTests.Box
    static let today = CommitmentServiceTests.day("2026-12-05")

    static func service(_ box: Box, trusted: @escaping @Sendable () -> Bool = { true }) -> CommitmentService {
        var settings = CommitmentService.Settings(
            storageRoot: box.root, schoolID: "KZ-TEST-21", cameras: box.cameras, segmentSeconds: 600)
        settings.retentionDays = 30
        settings.pruneEvery = 0
        settings.clockTrusted = trusted
        return CommitmentService(settings: settings, deviceKey: box.key, now: { box.clock.withLock { $0 } })
    }

    /// Three segments of `entrance` on the day `back` days before today.
    static func writeDay(_ box: Box, back: Int) throws -> [SegmentFile] {
        let day = today.addingTimeInterval(-Double(back) * 86_400)
        return try [0, 1, 2].map {
            try box.writeSegment(camera: "entrance", start: day.addingTimeInterval(Double($0) * 600))
        }
    }

    /// Commits and signs what is on disk, and puts every signed root in the outbox.
    static func commitSignAndSend(_ service: CommitmentService) {
        service.startupScan()
        service.work()
        let taken = service.takeForHeartbeat()
        service.heartbeatQueued(dayRoots: taken.dayRoots, answers: [], queued: true)
    }

    static func kept(_ service: CommitmentService, back: Int) -> (journal: Bool, root: Bool) {
        let day = CommitmentTime.day(today.addingTimeInterval(-Double(back) * 86_400))
        return (
            FileManager.default.fileExists(atPath: service.journal.journalPath(camera: "entrance", day: day)),
            FileManager.default.fileExists(atPath: service.journal.rootPath(camera: "entrance", day: day))
        )
    }

    @Test func aJournalIsKeptWhileAnyFootageOfItsDayRemainsAndRemovedAfterTheLastSegment() throws {
        let box = try Box(cameras: ["entrance"], now: Self.today.addingTimeInterval(3600))
        let old = try Self.writeDay(box, back: 40)
        let service = Self.service(box)
        Self.commitSignAndSend(service)
        #expect(Self.kept(service, back: 40) == (true, true))
        for file in old.dropLast() {
            try FileManager.default.removeItem(atPath: file.path)
            #expect(service.pruneSpentDays() == 0)
            #expect(Self.kept(service, back: 40) == (true, true), "removed while footage of its day remained")
        }
        // The last segment (a challenge may still land on it) is answered from the journal.
        let signed = try #require(service.journal.signedDay(camera: "entrance", day: CommitmentTime.day(old[2].start)))
        let answer = service.answer(
            .init(
                id: "c1", camera: "entrance", day: signed.day, segmentIndex: 2, chunkNonce: 1,
                expiresAt: Self.today.addingTimeInterval(7200)))
        #expect(answer.status == .ok)
        try FileManager.default.removeItem(atPath: old[2].path)
        #expect(service.pruneSpentDays() == 1)
        #expect(Self.kept(service, back: 40) == (false, false))
    }

    @Test func aDayYoungerThanTheClaimedRetentionKeepsItsJournalWithoutFootage() throws {
        let box = try Box(cameras: ["entrance"], now: Self.today.addingTimeInterval(3600))
        // 30 days back ends 29 days ago: still inside a 30-day retention; 31 back is wholly outside.
        let recent = try Self.writeDay(box, back: 30)
        let older = try Self.writeDay(box, back: 31)
        let service = Self.service(box)
        Self.commitSignAndSend(service)
        for file in recent + older { try FileManager.default.removeItem(atPath: file.path) }
        #expect(service.pruneSpentDays() == 1)
        #expect(Self.kept(service, back: 30) == (true, true))
        #expect(Self.kept(service, back: 31) == (false, false))
    }

    @Test func aSignedRootNotYetInTheOutboxKeepsItsJournal() throws {
        let box = try Box(cameras: ["entrance"], now: Self.today.addingTimeInterval(3600))
        let old = try Self.writeDay(box, back: 45)
        let service = Self.service(box)
        service.startupScan()
        service.work()
        let taken = service.takeForHeartbeat()
        #expect(taken.dayRoots.count == 1)
        for file in old { try FileManager.default.removeItem(atPath: file.path) }
        #expect(service.pruneSpentDays() == 0)
        // The outbox refused: handed out again, still kept; queued: removed at the next sweep.
        service.heartbeatQueued(dayRoots: taken.dayRoots, answers: [], queued: false)
        #expect(service.pruneSpentDays() == 0)
        #expect(Self.kept(service, back: 45) == (true, true))
        let again = service.takeForHeartbeat()
        service.heartbeatQueued(dayRoots: again.dayRoots, answers: [], queued: true)
        #expect(service.pruneSpentDays() == 1)
        #expect(Self.kept(service, back: 45) == (false, false))
    }

    @Test func aRemovalCutShortByACrashIsFinishedAfterRestartAndTheDayIsNotSignedAgain() throws {
        let box = try Box(cameras: ["entrance"], now: Self.today.addingTimeInterval(3600))
        let old = try Self.writeDay(box, back: 50)
        let service = Self.service(box)
        Self.commitSignAndSend(service)
        for file in old { try FileManager.default.removeItem(atPath: file.path) }
        // The crash came between the journal's removal and the root's.
        let day = CommitmentTime.day(old[0].start)
        try FileManager.default.removeItem(atPath: service.journal.journalPath(camera: "entrance", day: day))
        #expect(Self.kept(service, back: 50) == (false, true))
        // And an earlier signing's temporary file, left by another crash.
        let temporary = service.journal.rootPath(camera: "entrance", day: day) + ".new"
        try Data("{".utf8).write(to: URL(fileURLWithPath: temporary))
        let restarted = Self.service(box)
        restarted.startupScan()
        restarted.work()
        #expect(Self.kept(restarted, back: 50) == (false, false))
        #expect(!FileManager.default.fileExists(atPath: temporary))
        #expect(restarted.takeForHeartbeat().dayRoots.isEmpty, "a spent day was signed again")
    }

    @Test func nothingIsRemovedWhileTheClockIsUntrusted() throws {
        let box = try Box(cameras: ["entrance"], now: Self.today.addingTimeInterval(3600))
        let old = try Self.writeDay(box, back: 60)
        let trusted = Mutex(false)
        let service = Self.service(box, trusted: { trusted.withLock { $0 } })
        Self.commitSignAndSend(service)
        for file in old { try FileManager.default.removeItem(atPath: file.path) }
        #expect(service.pruneSpentDays() == 0)
        #expect(Self.kept(service, back: 60) == (true, true))
        trusted.withLock { $0 = true }
        #expect(service.pruneSpentDays() == 1)
    }

    @Test func aPassWhileTheClockIsUntrustedDoesNotPostponeTheHourlySweep() throws {
        let box = try Box(cameras: ["entrance"], now: Self.today.addingTimeInterval(3600))
        let old = try Self.writeDay(box, back: 60)
        let trusted = Mutex(false)
        var settings = CommitmentService.Settings(
            storageRoot: box.root, schoolID: "KZ-TEST-21", cameras: box.cameras, segmentSeconds: 600)
        settings.clockTrusted = { trusted.withLock { $0 } }
        let service = CommitmentService(settings: settings, deviceKey: box.key, now: { box.clock.withLock { $0 } })
        Self.commitSignAndSend(service)
        for file in old { try FileManager.default.removeItem(atPath: file.path) }
        #expect(service.pruneSpentDays() == 0)
        trusted.withLock { $0 = true }
        // The agent's clock becomes trusted a heartbeat after its start: the sweep runs then, not an hour later.
        #expect(service.pruneSpentDays() == 1)
    }

    @Test func theFolderOfACameraNoLongerConfiguredGoesWithItsLastJournal() throws {
        let box = try Box(cameras: ["entrance"], now: Self.today.addingTimeInterval(3600))
        let old = try Self.writeDay(box, back: 70)
        Self.commitSignAndSend(Self.service(box))
        for file in old { try FileManager.default.removeItem(atPath: file.path) }
        let folder = Self.service(box).journal.folder(camera: "entrance")
        let withoutIt = try Box(cameras: ["yard"], now: Self.today.addingTimeInterval(3600))
        var settings = CommitmentService.Settings(
            storageRoot: box.root, schoolID: "KZ-TEST-21", cameras: withoutIt.cameras, segmentSeconds: 600)
        settings.pruneEvery = 0
        let service = CommitmentService(settings: settings, deviceKey: box.key, now: { box.clock.withLock { $0 } })
        #expect(service.pruneSpentDays() == 1)
        #expect(!FileManager.default.fileExists(atPath: folder))
    }
}
