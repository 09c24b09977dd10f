import Foundation
import KuzetCommitment
import KuzetProtocol
import KuzetSegmentStore
import KuzetTestKit
import Synchronization
import Testing

@testable import KuzetAgent

/// Issue 21 on the box, with real files in a real storage folder and an injected clock: segments
/// are committed when they close and by the startup scan, closed days are signed, and the
/// registry's challenges are answered so that its verifier accepts them.
@Suite struct CommitmentServiceTests {
    static let dayMillis: Int64 = 86_400_000

    /// A storage folder, a device key and a clock the test moves.
    final class Box: Sendable {
        let directory: TemporaryDirectory
        let key: DeviceKey
        let clock: Mutex<Date>
        let cameras: [String]

        init(cameras: [String] = ["entrance", "yard"], now: Date) throws {
            directory = try TemporaryDirectory(prefix: "kuzet-commit")
            key = try DeviceKey.loadOrCreate(path: directory.file("state/device-key"))
            clock = Mutex(now)
            self.cameras = cameras
        }

        var root: String { directory.file("rec") }
        var store: SegmentStore { SegmentStore(root: root) }

        func service() -> CommitmentService {
            CommitmentService(
                settings: .init(storageRoot: root, schoolID: "KZ-TEST-21", cameras: cameras, segmentSeconds: 600),
                deviceKey: key, now: { self.clock.withLock { $0 } })
        }

        /// A segment file of `camera` starting at `start`, with content unique to it.
        @discardableResult
        func writeSegment(camera: String, start: Date, bytes: Int = 70_000) throws -> SegmentFile {
            let file = store.file(camera: camera, name: SegmentName(start: start, format: .fmp4))
            try FileManager.default.createDirectory(
                atPath: store.folder(camera: camera), withIntermediateDirectories: true)
            let seed = UInt8(truncatingIfNeeded: Int(start.timeIntervalSince1970) / 60 + camera.count)
            try Data((0..<bytes).map { UInt8(truncatingIfNeeded: $0 &* 31) ^ seed }).write(
                to: URL(fileURLWithPath: file.path))
            return file
        }
    }

    static func day(_ text: String) -> Date {
        Date(timeIntervalSince1970: Double(CommitmentTime.parseDay(text)!) / 1000)
    }

    @Test func aClosedSegmentIsHashedIntoItsDaysJournal() throws {
        let box = try Box(now: Self.day("2026-12-04").addingTimeInterval(3600))
        let service = box.service()
        let file = try box.writeSegment(camera: "entrance", start: Self.day("2026-12-04").addingTimeInterval(600))
        service.segmentOpened(file)
        service.commitUncommitted(before: box.clock.withLock { $0 })
        #expect(service.journal.entries(camera: "entrance", day: "2026-12-04").isEmpty, "an open segment was committed")
        service.segmentClosed(file, bytes: 70_000, duration: 600)
        service.work()
        let entries = service.journal.entries(camera: "entrance", day: "2026-12-04")
        #expect(entries.map(\.file) == [file.name.fileName])
        let digest = try ChunkTree.root(of: URL(fileURLWithPath: file.path))
        #expect(entries.first?.record.root == digest.root)
        #expect(entries.first?.record.bytes == 70_000)
        #expect(entries.first?.record.chunkCount == 2)
    }

    @Test func aTornLastJournalLineIsSkippedAndCutBeforeTheNextAppend() throws {
        let box = try Box(now: Self.day("2026-12-04").addingTimeInterval(3600))
        let service = box.service()
        let first = try box.writeSegment(camera: "entrance", start: Self.day("2026-12-04").addingTimeInterval(0))
        service.commit(first)
        let path = service.journal.journalPath(camera: "entrance", day: "2026-12-04")
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"file":"2026-12-04T00-10-00.000Z.mp4","record":"kuzet-seg"#.utf8))
        try handle.close()
        #expect(service.journal.entries(camera: "entrance", day: "2026-12-04").count == 1)
        let second = try box.writeSegment(camera: "entrance", start: Self.day("2026-12-04").addingTimeInterval(600))
        service.commit(second)
        let entries = service.journal.entries(camera: "entrance", day: "2026-12-04")
        #expect(entries.map(\.file) == [first.name.fileName, second.name.fileName])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 2, "the torn line is still in the journal")
    }

    @Test func theStartupScanCommitsWhatACrashLeftUncommittedOnce() throws {
        let start = Self.day("2026-12-04").addingTimeInterval(7200)
        let box = try Box(now: start)
        var files = [SegmentFile]()
        for minute in stride(from: 0, to: 60, by: 10) {
            files.append(
                try box.writeSegment(
                    camera: "yard", start: Self.day("2026-12-04").addingTimeInterval(Double(minute) * 60)))
        }
        // The last one was being written when the box died: shorter, committed as it is.
        try Data(count: 12_345).write(to: URL(fileURLWithPath: files.last!.path))
        box.service().startupScan()
        box.service().startupScan()
        let entries = CommitmentJournal(storageRoot: box.root).entries(camera: "yard", day: "2026-12-04")
        #expect(entries.map(\.file) == files.map(\.name.fileName))
        #expect(entries.last?.record.bytes == 12_345)
    }

    @Test func closedDaysAreSignedOnceTheirGraceHasPassedAndSentOnce() throws {
        let box = try Box(now: Self.day("2026-12-04").addingTimeInterval(3600))
        for minute in [0, 10, 20] {
            try box.writeSegment(
                camera: "entrance", start: Self.day("2026-12-04").addingTimeInterval(Double(minute) * 60))
        }
        let service = box.service()
        service.startupScan()
        service.work()
        #expect(service.takeForHeartbeat().dayRoots.isEmpty, "a day not yet over was signed")

        // The next day, past the grace (two segment lengths and a minute).
        box.clock.withLock { $0 = Self.day("2026-12-05").addingTimeInterval(1261) }
        service.work()
        let taken = service.takeForHeartbeat()
        #expect(taken.deviceKey == box.key.publicKey.base64)
        let root = try #require(taken.dayRoots.first)
        #expect(taken.dayRoots.count == 1)
        #expect((root.camera, root.day, root.segments) == ("entrance", "2026-12-04", 3))
        let statement = DayRootStatement(
            schoolID: "KZ-TEST-21", camera: "entrance", day: "2026-12-04", segmentCount: 3,
            root: try #require(MerkleHash(hex: root.root)))
        #expect(statement.isSigned(root.signature, by: box.key.publicKey))
        #expect(service.takeForHeartbeat().dayRoots.isEmpty, "a day root was handed out twice")
        // Not queued (the outbox refused): handed out again; queued: marked sent on disk.
        service.heartbeatQueued(dayRoots: taken.dayRoots, answers: [], queued: false)
        let again = service.takeForHeartbeat().dayRoots
        #expect(again == taken.dayRoots)
        let beforeQueued = box.service()
        beforeQueued.startupScan()
        #expect(beforeQueued.takeForHeartbeat().dayRoots == taken.dayRoots, "not yet queued: a restart must send it")
        service.heartbeatQueued(dayRoots: again, answers: [], queued: true)
        // A restart does not send it again.
        let restarted = box.service()
        restarted.startupScan()
        #expect(restarted.takeForHeartbeat().dayRoots.isEmpty)
    }

    /// Must show 2 (agent side): thirty days of two cameras' footage, committed by the same code,
    /// days signed; twenty challenges, answered by the service and checked by the registry's verifier.
    @Test func twentyChallengesOverThirtyDaysAreAllAnsweredAndVerified() throws {
        let today = Self.day("2026-12-05")
        let box = try Box(now: today)
        for dayIndex in 1...30 {
            let day = today.addingTimeInterval(-Double(dayIndex) * 86_400)
            for camera in box.cameras {
                for hour in [0, 6, 12, 18] {
                    try box.writeSegment(
                        camera: camera, start: day.addingTimeInterval(Double(hour) * 3600), bytes: 66_000 + hour)
                }
            }
        }
        let service = box.service()
        service.startupScan()
        box.clock.withLock { $0 = today.addingTimeInterval(3600) }
        service.work()
        let roots = service.takeForHeartbeat().dayRoots
        #expect(roots.count == 60)
        var generator = SystemRandomNumberGenerator()
        var verified = 0
        for number in 0..<20 {
            let root = roots.randomElement(using: &generator)!
            let challenge = RetentionChallenge(
                id: "c\(number)", camera: root.camera, day: root.day, segmentIndex: Int.random(in: 0..<root.segments),
                chunkNonce: UInt32.random(in: 0...UInt32.max), expiresAt: today.addingTimeInterval(7200))
            service.challengesArrived([challenge])
            service.work()
            let answer = try #require(service.takeForHeartbeat().answers.first)
            #expect(answer.status == .ok)
            let result = try ChallengeAnswerVerifier.verify(
                answer, storedDayRoot: root.root, segmentCount: root.segments, chunkNonce: challenge.chunkNonce)
            #expect(result.status == .ok)
            verified += 1
        }
        #expect(verified == 20)
    }

    @Test func aDeletedSegmentIsAnsweredExpiredAndAChangedOneFails() throws {
        let today = Self.day("2026-12-05")
        let box = try Box(now: today.addingTimeInterval(3600))
        let day = today.addingTimeInterval(-20 * 86_400)
        let files = try [0, 1, 2].map {
            try box.writeSegment(camera: "entrance", start: day.addingTimeInterval(Double($0) * 600))
        }
        let service = box.service()
        service.startupScan()
        service.work()
        let root = try #require(service.takeForHeartbeat().dayRoots.first)
        try FileManager.default.removeItem(atPath: files[0].path)
        let handle = try #require(FileHandle(forUpdatingAtPath: files[2].path))
        try handle.seek(toOffset: 100)
        let byte = handle.readData(ofLength: 1)[0]
        try handle.seek(toOffset: 100)
        try handle.write(contentsOf: Data([byte ^ 0x01]))
        try handle.close()
        service.challengesArrived(
            [0, 1, 2].map {
                RetentionChallenge(
                    id: "c\($0)", camera: "entrance", day: root.day, segmentIndex: $0, chunkNonce: 5,
                    expiresAt: today.addingTimeInterval(7200))
            })
        service.work()
        let answers = service.takeForHeartbeat().answers
        #expect(answers.map(\.status) == [.expired, .ok, .ok])
        let expired = try ChallengeAnswerVerifier.verify(answers[0], storedDayRoot: root.root, segmentCount: 3)
        #expect(expired.record.start == files[0].start)
        #expect(throws: Never.self) {
            try ChallengeAnswerVerifier.verify(answers[1], storedDayRoot: root.root, segmentCount: 3, chunkNonce: 5)
        }
        #expect(throws: ChallengeAnswerRefusal.self) {
            try ChallengeAnswerVerifier.verify(answers[2], storedDayRoot: root.root, segmentCount: 3, chunkNonce: 5)
        }
    }

    @Test func aSegmentCommittedAfterItsDayWasSignedDoesNotChangeTheSignedTree() throws {
        let today = Self.day("2026-12-05")
        let box = try Box(now: today.addingTimeInterval(3600))
        let day = today.addingTimeInterval(-86_400)
        try box.writeSegment(camera: "entrance", start: day.addingTimeInterval(600))
        try box.writeSegment(camera: "entrance", start: day.addingTimeInterval(1800))
        let service = box.service()
        service.startupScan()
        service.work()
        let root = try #require(service.takeForHeartbeat().dayRoots.first)
        // A leftover found later, earlier in the day than both: sorted first if it were counted.
        let late = try box.writeSegment(camera: "entrance", start: day.addingTimeInterval(60))
        service.commit(late)
        service.challengesArrived([
            RetentionChallenge(
                id: "c1", camera: "entrance", day: root.day, segmentIndex: 0, chunkNonce: 1,
                expiresAt: today.addingTimeInterval(7200))
        ])
        service.work()
        let answer = try #require(service.takeForHeartbeat().answers.first)
        #expect(throws: Never.self) {
            try ChallengeAnswerVerifier.verify(answer, storedDayRoot: root.root, segmentCount: 2, chunkNonce: 1)
        }
    }

    @Test func challengesForUnknownCamerasOrUnsignedDaysAreAnsweredMissing() throws {
        let box = try Box(now: Self.day("2026-12-05"))
        let service = box.service()
        service.challengesArrived([
            RetentionChallenge(
                id: "a", camera: "../etc", day: "2026-12-01", segmentIndex: 0, chunkNonce: 0,
                expiresAt: Self.day("2026-12-06")),
            RetentionChallenge(
                id: "b", camera: "entrance", day: "2026-12-01", segmentIndex: 0, chunkNonce: 0,
                expiresAt: Self.day("2026-12-06")),
            RetentionChallenge(
                id: "b", camera: "entrance", day: "2026-12-01", segmentIndex: 0, chunkNonce: 0,
                expiresAt: Self.day("2026-12-06")),
        ])
        service.work()
        let answers = service.takeForHeartbeat().answers
        #expect(answers.map(\.id) == ["a", "b"])
        #expect(answers.allSatisfy { $0.status == .missing })
    }
}
