import Foundation
import KuzetCore
import KuzetRetention
import KuzetSegmentStore
import KuzetTestKit
import Testing

/// Must-show 1: with an injected clock, footage older than the floor goes, younger stays, the
/// open segment is never touched, empty folders disappear, a removed camera's footage still goes.
@Suite struct RetentionSweepTests {
    let directory: TemporaryDirectory
    let root: String
    let fixture: String
    let now = ManualNow(epoch.addingTimeInterval(40 * day))

    init() throws {
        directory = try TemporaryDirectory(prefix: "kuzet-retention-sweep")
        root = directory.file("recordings")
        fixture = try RetentionFixtures.makeSegment(in: directory.path, seconds: 2)
    }

    func service(recorded: Set<String> = ["entrance"]) -> RetentionService {
        RetentionService(
            settings: RetentionSettings(root: root, days: 30, segmentSeconds: 60, recordedCameras: recorded),
            now: now.function)
    }

    func place(_ camera: String, ageDays: Double) throws -> String {
        try RetentionFixtures.place(
            fixture, root: root, camera: camera, start: now.date.addingTimeInterval(-ageDays * day), seconds: 60)
    }

    @Test func footageOlderThanTheFloorIsDeletedAndYoungerKept() async throws {
        let old = try [35, 31, 30.01].map { try place("entrance", ageDays: $0) }
        let young = try [29.9, 12, 0.5].map { try place("entrance", ageDays: $0) }
        let retention = service()
        await retention.scan()
        let sweep = await retention.sweep()
        #expect(sweep.expiredFiles == 3)
        for path in old { #expect(!FileManager.default.fileExists(atPath: path), "\(path) is older than 30 days") }
        for path in young { #expect(FileManager.default.fileExists(atPath: path), "\(path) is younger than 30 days") }
        let facts = retention.facts().cameras.first { $0.camera == "entrance" }
        #expect(facts?.segments == 3)
        #expect(abs((facts?.achievedDays ?? 0) - 29.9) < 0.01)
    }

    @Test func theSegmentDeclaredOpenIsNeverDeleted() async throws {
        // A clock step can make the segment being written look 31 days old.
        let open = SegmentStore(root: root).file(
            camera: "entrance", name: SegmentName(start: now.date.addingTimeInterval(-31 * day), format: .fmp4))
        let path = try place("entrance", ageDays: 31)
        let retention = service()
        await retention.scan()
        retention.segmentOpened(open)
        try RetentionFixtures.setModified(path, now.date.addingTimeInterval(-31 * day + 60))
        _ = try place("entrance", ageDays: 40)
        await retention.scan()
        let sweep = await retention.sweep()
        #expect(sweep.expiredFiles == 1)
        #expect(FileManager.default.fileExists(atPath: path))
        retention.segmentClosed(open, bytes: 10, duration: 60)
        await retention.sweep()
        #expect(!FileManager.default.fileExists(atPath: path), "closed, the same segment is expired like any other")
    }

    @Test func aNewestFileWrittenWithinTwoSegmentLengthsIsNotDeletedEvenUndeclared() async throws {
        let path = try place("entrance", ageDays: 31)
        try RetentionFixtures.setModified(path, now.date.addingTimeInterval(-30))
        let retention = service()
        await retention.scan(checkLastSegments: false)
        #expect(await retention.sweep().expiredFiles == 0)
        #expect(FileManager.default.fileExists(atPath: path))
        now.set(now.date.addingTimeInterval(121))
        #expect(await retention.sweep().expiredFiles == 1)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aRemovedCamerasOldFootageGoesAndItsEmptyFolderDisappears() async throws {
        _ = try [45, 33].map { try place("old-gate", ageDays: $0) }
        let kept = try place("entrance", ageDays: 1)
        let retention = service(recorded: ["entrance"])
        await retention.scan()
        let sweep = await retention.sweep()
        #expect(sweep.expiredFiles == 2)
        #expect(sweep.prunedFolders == ["old-gate"])
        #expect(!FileManager.default.fileExists(atPath: (root as NSString).appendingPathComponent("old-gate")))
        #expect(FileManager.default.fileExists(atPath: kept))
        #expect(retention.facts().cameras.map(\.camera) == ["entrance"])
    }

    @Test func aFolderHoldingAForeignFileIsEmptiedOfSegmentsButKeptWithTheFile() async throws {
        _ = try place("old-gate", ageDays: 45)
        let foreign = (root as NSString).appendingPathComponent("old-gate/export-for-police.mp4")
        try Data("not ours".utf8).write(to: URL(fileURLWithPath: foreign))
        let retention = service(recorded: [])
        let scan = await retention.scan()
        #expect(scan.foreignFileCount == 1)
        #expect(scan.foreignFiles == ["old-gate/export-for-police.mp4"])
        #expect(await retention.sweep().expiredFiles == 1)
        #expect(FileManager.default.fileExists(atPath: foreign))
    }
}

/// Shortfalls are facts police must see: they survive a restart of the agent.
@Suite struct RetentionLedgerTests {
    @Test func aShortfallRecordedUnderPressureIsKnownAgainAfterARestart() async throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-retention-ledger")
        let root = directory.file("recordings")
        let fixture = try RetentionFixtures.makeSegment(in: directory.path, seconds: 2)
        let now = ManualNow(epoch.addingTimeInterval(10 * day))
        for hour in 0..<5 {
            try RetentionFixtures.place(
                fixture, root: root, camera: "entrance", start: now.date.addingTimeInterval(Double(hour - 5) * 3600),
                seconds: 60)
        }
        // A disk that reports almost no free space: the oldest (only hours old) footage must go.
        let full: @Sendable (String) -> DiskSpace? = { _ in DiskSpace(totalBytes: 1_000_000_000, freeBytes: 1_000) }
        let first = RetentionService(
            settings: RetentionSettings(root: root, segmentSeconds: 60, recordedCameras: ["entrance"]),
            now: now.function, diskSpace: full)
        await first.scan()
        let sweep = await first.sweep()
        #expect(sweep.pressureFiles >= 1)
        let recorded = try #require(first.facts().cameras.first?.shortfall)

        let restarted = RetentionService(
            settings: RetentionSettings(root: root, segmentSeconds: 60, recordedCameras: ["entrance"]),
            now: now.function)
        await restarted.scan()
        #expect(restarted.facts().cameras.first?.shortfall?.since == recorded.since)
        #expect(restarted.facts().scan?.foreignFileCount == 0, "the ledger file is ours, not foreign")
    }
}
