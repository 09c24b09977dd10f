import Foundation
import KuzetCore
import KuzetProtocol
import KuzetRetention
import KuzetSegmentStore
import KuzetTestKit
import Testing

/// Must-show 3 and the facts the heartbeat carries.
@Suite struct RetentionFactsTests {
    let directory: TemporaryDirectory
    let root: String
    let fixture: String

    init() throws {
        directory = try TemporaryDirectory(prefix: "kuzet-retention-facts")
        root = directory.file("recordings")
        fixture = try RetentionFixtures.makeSegment(in: directory.path, seconds: 60)
    }

    @Test func aCameraDownForTenMinutesShowsExactlyThatGap() async throws {
        // 09:00–09:30 recorded, camera down 09:30–09:40, recorded again 09:40–10:00.
        let morning = epoch.addingTimeInterval(9 * 3600)
        for minute in Array(0..<30) + Array(40..<60) {
            try RetentionFixtures.place(
                fixture, root: root, camera: "entrance", start: morning.addingTimeInterval(Double(minute) * 60),
                seconds: 60)
        }
        let now = ManualNow(morning.addingTimeInterval(3600))
        let retention = RetentionService(
            settings: RetentionSettings(root: root, segmentSeconds: 60, recordedCameras: ["entrance"]),
            now: now.function)
        await retention.scan()
        let facts = try #require(retention.facts().cameras.first)
        #expect(
            facts.gaps == [
                DateInterval(start: morning.addingTimeInterval(30 * 60), end: morning.addingTimeInterval(40 * 60))
            ])
        #expect(
            facts.report.gaps == [
                TimeRange(from: morning.addingTimeInterval(30 * 60), to: morning.addingTimeInterval(40 * 60))
            ])
    }

    @Test func segmentsReportedByTheRecorderShowTheSameGap() async throws {
        let morning = epoch.addingTimeInterval(9 * 3600)
        let now = ManualNow(morning)
        let retention = RetentionService(
            settings: RetentionSettings(root: root, segmentSeconds: 60, recordedCameras: ["entrance"]),
            now: now.function)
        await retention.scan()
        // The camera went away at 09:30:00 (the recorder closed a short segment) and came back at 09:40:00.
        let segments: [(start: Double, seconds: Double)] = [
            (1620, 60), (1680, 60), (1740, 45), (1785, 15), (2400, 60), (2460, 60),
        ]
        for (start, seconds) in segments {
            retention.segmentClosed(
                SegmentStore(root: root).file(
                    camera: "entrance", name: SegmentName(start: morning.addingTimeInterval(start), format: .fmp4)),
                bytes: Int64(seconds * 12_500), duration: seconds)
        }
        now.set(morning.addingTimeInterval(2520))
        let facts = try #require(retention.facts().cameras.first)
        #expect(
            facts.gaps == [DateInterval(start: morning.addingTimeInterval(1800), end: morning.addingTimeInterval(2400))]
        )
        #expect(facts.recordedKbps.map { abs($0 - 100) < 0.001 } == true, "12.5 kB a second is 100 kbit/s")
    }

    @Test func factsGiveOldestFootageAchievedDaysBytesAndRate() async throws {
        let now = ManualNow(epoch.addingTimeInterval(10 * day))
        for hoursAgo in [48.0, 47.0, 1.0] {
            try RetentionFixtures.place(
                fixture, root: root, camera: "yard", start: now.date.addingTimeInterval(-hoursAgo * 3600), seconds: 60)
        }
        let retention = RetentionService(
            settings: RetentionSettings(root: root, segmentSeconds: 60, recordedCameras: ["yard"]), now: now.function)
        await retention.scan()
        await retention.sweep()
        let facts = retention.facts()
        let yard = try #require(facts.cameras.first)
        let size = Int64(try FileManager.default.attributesOfItem(atPath: fixture)[.size] as! UInt64)
        #expect(yard.oldestFootage == now.date.addingTimeInterval(-48 * 3600))
        #expect(abs(yard.achievedDays - 2) < 0.0001)
        #expect(yard.bytes == 3 * size)
        #expect(yard.segments == 3)
        #expect(abs((yard.recordedKbps ?? 0) - Double(size) * 8 / 60 / 1000) < 1, "bytes over footage time")
        #expect(yard.gaps.count == 3, "48 h + 1 min → 47 h, 47 h + 1 min → 1 h, 1 h + 1 min → now")
        let storage = try #require(facts.storageReport)
        #expect(storage.recordingsBytes == 3 * size)
        #expect(storage.lastSweepAt == now.date)
        #expect(storage.totalBytes > 0)
    }

    /// Issue 26: a wall clock stepped back an hour puts the footage "in the future". The days held
    /// are then measured to the newest footage's end, never negative (the registry refuses a
    /// negative `achieved_days`, and with it every heartbeat queued behind that one).
    @Test func aClockSteppedBackBehindTheFootageGivesAchievedDaysFromTheFootageNeverNegative() async throws {
        let morning = epoch.addingTimeInterval(9 * 3600)
        for minute in 0..<10 {
            try RetentionFixtures.place(
                fixture, root: root, camera: "entrance", start: morning.addingTimeInterval(Double(minute) * 60),
                seconds: 60)
        }
        let now = ManualNow(morning.addingTimeInterval(600 - 3600)) // ten minutes recorded, then one hour back
        let retention = RetentionService(
            settings: RetentionSettings(root: root, segmentSeconds: 60, recordedCameras: ["entrance"]),
            now: now.function)
        await retention.scan()
        let facts = try #require(retention.facts().cameras.first)
        #expect(abs(facts.achievedDays * 86_400 - 600) < 1, "\(facts.achievedDays * 86_400) s of footage held")
        #expect(facts.report.achievedDays >= 0)
    }

    /// A box whose clock ran 12 h ahead and was then corrected back holds footage named after
    /// "now": it has kept what that footage spans (2 minutes), not a negative number (the registry
    /// refuses the whole heartbeat batch for `achieved_days` below 0, so heartbeats stopped until
    /// the clock caught up).
    @Test func footageNamedAfterAClockCorrectedBackCountsAsWhatItSpansNotNegative() async throws {
        let now = ManualNow(epoch.addingTimeInterval(10 * day))
        for minutes in [0.0, 1.0] {
            try RetentionFixtures.place(
                fixture, root: root, camera: "yard", start: now.date.addingTimeInterval(12 * 3600 + minutes * 60),
                seconds: 60)
        }
        let retention = RetentionService(
            settings: RetentionSettings(root: root, segmentSeconds: 60, recordedCameras: ["yard"]), now: now.function)
        await retention.scan()
        let yard = try #require(retention.facts().cameras.first)
        #expect(yard.oldestFootage == now.date.addingTimeInterval(12 * 3600), "the footage is still reported as named")
        #expect(abs(yard.achievedDays * 86_400 - 120) < 1, "\(yard.achievedDays * 86_400) s kept")
        #expect(yard.report.achievedDays >= 0)
    }

    @Test func aTornLastSegmentIsKeptWhenPlayableAndAnEmptyOneIsDiscarded() async throws {
        let now = ManualNow(epoch.addingTimeInterval(day))
        try RetentionFixtures.place(
            fixture, root: root, camera: "entrance", start: now.date.addingTimeInterval(-600), seconds: 60)
        // A power cut halfway through the next segment: only its first half reached the disk.
        let torn = try RetentionFixtures.place(
            fixture, root: root, camera: "entrance", start: now.date.addingTimeInterval(-540), seconds: 30)
        let whole = try Data(contentsOf: URL(fileURLWithPath: fixture))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: torn))
        try RetentionFixtures.setModified(torn, now.date.addingTimeInterval(-510))
        // Another camera died right after opening its file.
        let empty = SegmentName(start: now.date.addingTimeInterval(-300), format: .fmp4).path(
            root: root, camera: "yard")
        try RetentionFixtures.place(
            fixture, root: root, camera: "yard", start: now.date.addingTimeInterval(-360), seconds: 60)
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        try RetentionFixtures.setModified(empty, now.date.addingTimeInterval(-299))
        // Foreign files are reported, never deleted.
        try Data("x".utf8).write(
            to: URL(fileURLWithPath: (root as NSString).appendingPathComponent("entrance/notes.txt")))
        try FileManager.default.createDirectory(
            atPath: (root as NSString).appendingPathComponent("Lost+Found"), withIntermediateDirectories: true)

        let retention = RetentionService(
            settings: RetentionSettings(root: root, segmentSeconds: 60, recordedCameras: ["entrance", "yard"]),
            now: now.function)
        let scan = await retention.scan()
        #expect(scan.tornKept == 1)
        #expect(
            scan.tornDiscarded == [
                "yard/" + SegmentName(start: now.date.addingTimeInterval(-300), format: .fmp4).fileName
            ])
        #expect(FileManager.default.fileExists(atPath: torn))
        #expect(!FileManager.default.fileExists(atPath: empty))
        #expect(scan.foreignFiles.sorted() == ["Lost+Found/", "entrance/notes.txt"])
        #expect(scan.segments == 3)
        let entrance = try #require(retention.facts().cameras.first { $0.camera == "entrance" })
        let covered = try #require(entrance.newestFootage).timeIntervalSince(now.date.addingTimeInterval(-540))
        #expect(covered > 10 && covered < 40, "the torn segment counts for what it holds, \(covered) s")
        #expect(FileManager.default.fileExists(atPath: (root as NSString).appendingPathComponent("entrance/notes.txt")))
    }
}
