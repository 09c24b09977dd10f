import Foundation
import KuzetCore
import KuzetRetention
import KuzetSegmentStore
import KuzetTestKit
import Synchronization
import Testing

/// Issue 26, must-show 2–5 with an injected clock: footage is deleted by age only on trusted time;
/// a full disk still deletes the oldest; footage named on an untrusted clock is marked and kept.
@Suite struct UntrustedClockRetentionTests {
    let directory: TemporaryDirectory
    let root: String
    let fixture: String
    /// Real time is `epoch + 40 days`; the wall clock starts there (tests step it).
    let clocks = SteppableClocks(wall: epoch.addingTimeInterval(40 * day))
    let realNow = epoch.addingTimeInterval(40 * day)

    init() throws {
        directory = try TemporaryDirectory(prefix: "kuzet-retention-clock")
        root = directory.file("recordings")
        fixture = try RetentionFixtures.makeSegment(in: directory.path, seconds: 2)
    }

    func service(
        _ monitor: ClockTrustMonitor, diskSpace: @escaping @Sendable (String) -> DiskSpace? = DiskSpace.of
    ) -> RetentionService {
        RetentionService(
            settings: RetentionSettings(root: root, days: 30, segmentSeconds: 60, recordedCameras: ["entrance"]),
            now: clocks.now, trustedTime: { monitor.trust.trusted }, diskSpace: diskSpace)
    }

    /// Footage really `ageDays` old (by real time, whatever the wall clock says).
    @discardableResult
    func place(ageDays: Double) throws -> String {
        try RetentionFixtures.place(
            fixture, root: root, camera: "entrance", start: realNow.addingTimeInterval(-ageDays * day), seconds: 60)
    }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// The registry answers with the real time: the monitor measures our offset against it.
    func registryAnswers(_ monitor: ClockTrustMonitor) {
        monitor.registryTime(realNow, sentAt: clocks.wall, roundTripSeconds: 0.1)
    }

    @Test func aClockJumping40DaysAheadWhileRunningDeletesNothingRecentAndIsReported() async throws {
        let monitor = ClockTrustMonitor(sources: clocks.sources)
        registryAnswers(monitor)
        let expired = try place(ageDays: 35)
        let recent = try [29, 10, 1, 0.01].map { try place(ageDays: $0) }
        let retention = service(monitor)
        await retention.scan()
        #expect(await retention.sweep().expiredFiles == 1, "trusted: the 35-day-old segment goes")
        #expect(!exists(expired))

        clocks.pass(1)
        clocks.step(40 * day)
        let sweep = await retention.sweep()
        #expect(sweep.expiredFiles == 0)
        #expect(sweep.ageDeletionHeld)
        for path in recent { #expect(exists(path), "\(path) is recent; only the clock jumped") }
        let trust = monitor.trust
        #expect(!trust.trusted)
        #expect(trust.lastStep.map { abs($0.seconds - 40 * day) < 1 } == true, "the step is reported")
        #expect(retention.facts().ageDeletionHeld)

        // The clock is set right and the registry confirms it: everything is as before.
        clocks.pass(1)
        clocks.step(-40 * day)
        registryAnswers(monitor)
        #expect(monitor.trust.trusted)
        let after = await retention.sweep()
        #expect(after.expiredFiles == 0 && !after.ageDeletionHeld)
        for path in recent { #expect(exists(path)) }
        #expect(retention.facts().cameras.first?.segments == 4)
    }

    @Test func startingFortyDaysAheadUnconfirmedDeletesNothingByAgeButAFullDiskStillDeletesTheOldest() async throws {
        clocks.step(40 * day) // the box boots 40 days ahead; no NTP, no registry
        let monitor = ClockTrustMonitor(sources: clocks.sources)
        let paths = try [20, 10, 5, 1, 0.5].map { try place(ageDays: $0) } // all look older than 30 days
        let segmentBytes = try #require(try FileManager.default.attributesOfItem(atPath: paths[0])[.size] as? Int64)
        // A disk whose free space is what the recordings folder leaves of it, 1.5 segments short of the reserve.
        let total: Int64 = 100 * segmentBytes * 20
        let reserve = total / 20
        let other = Mutex(Int64(0))
        let root = self.root
        let disk: @Sendable (String) -> DiskSpace? = { _ in
            let used = StorageUse.bytes(under: root)
            return DiskSpace(totalBytes: total, freeBytes: total - used - other.withLock { $0 })
        }
        let retention = service(monitor, diskSpace: disk)
        await retention.scan()
        let calm = await retention.sweep()
        #expect(calm.expiredFiles == 0 && calm.pressureFiles == 0 && calm.ageDeletionHeld)
        for path in paths { #expect(exists(path), "\(path) must not be deleted by age on an untrusted clock") }

        let used = StorageUse.bytes(under: root)
        other.withLock { $0 = total - used - reserve + segmentBytes * 3 / 2 }
        let full = await retention.sweep()
        #expect(full.pressureFiles == 2, "the disk is full: the two oldest go")
        #expect(!exists(paths[0]) && !exists(paths[1]))
        for path in paths[2...] { #expect(exists(path)) }
        #expect(full.expiredFiles == 0)
        #expect(
            retention.facts().cameras.first?.shortfall != nil,
            "on an untrusted clock a deletion under pressure counts as a shortfall (its age is not known)")

        // Trusted time is confirmed (the clock set right, the registry agrees): age-based retention resumes.
        other.withLock { $0 = 0 }
        clocks.pass(1)
        clocks.step(-40 * day)
        let old = try place(ageDays: 31)
        registryAnswers(monitor)
        await retention.scan()
        let resumed = await retention.sweep()
        #expect(resumed.expiredFiles == 1 && !resumed.ageDeletionHeld)
        #expect(!exists(old))
        for path in paths[2...] { #expect(exists(path)) }
    }

    @Test func aSynchronisedKernelClockKeepsTheThirtyDaySchedule() async throws {
        clocks.kernel(KernelClockState(synchronised: true, maxErrorSeconds: 0.02))
        let monitor = ClockTrustMonitor(sources: clocks.sources)
        let old = try [45, 31, 30.01].map { try place(ageDays: $0) }
        let young = try [29.9, 3].map { try place(ageDays: $0) }
        let retention = service(monitor)
        await retention.scan()
        let sweep = await retention.sweep()
        #expect(sweep.expiredFiles == 3 && !sweep.ageDeletionHeld)
        for path in old { #expect(!exists(path)) }
        for path in young { #expect(exists(path)) }
    }

    @Test func footageNamedInTheYear2000IsMarkedKeptAcrossRestartsAndNeverCollidesAfterTheFix() async throws {
        let year2000 = Date(timeIntervalSince1970: 946_684_800)
        clocks.step(year2000.timeIntervalSince(clocks.wall))
        let monitor = ClockTrustMonitor(sources: clocks.sources)
        let store = SegmentStore(root: root)
        let retention = service(monitor)
        await retention.scan()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture))
        func record(_ count: Int, into retention: RetentionService) throws -> [String] {
            var paths: [String] = []
            for _ in 0..<count {
                let file = store.newSegment(camera: "entrance", start: clocks.wall, format: .fmp4)
                try FileManager.default.createDirectory(
                    atPath: store.folder(camera: "entrance"), withIntermediateDirectories: true)
                retention.segmentOpened(file)
                try bytes.write(to: URL(fileURLWithPath: file.path))
                clocks.pass(60)
                retention.segmentClosed(file, bytes: Int64(bytes.count), duration: 60)
                paths.append(file.path)
            }
            return paths
        }
        let untrusted = try record(5, into: retention)
        #expect(await retention.sweep().ageDeletionHeld)
        #expect(retention.facts().cameras.first?.untrustedSegments == 5)

        // NTP corrects the clock (the kernel now says synchronised); the agent restarts.
        clocks.step(realNow.timeIntervalSince(clocks.wall))
        clocks.kernel(KernelClockState(synchronised: true, maxErrorSeconds: 0.02))
        let restarted = service(monitor)
        await restarted.scan()
        #expect(restarted.facts().cameras.first?.untrustedSegments == 5, "the marks survive a restart (ledger)")
        let trusted = try record(3, into: restarted)
        let sweep = await restarted.sweep()
        #expect(sweep.expiredFiles == 0, "footage named in 2000 looks 26 years old, but its age is unknown: kept")
        for path in untrusted + trusted { #expect(exists(path)) }
        #expect(Set(untrusted + trusted).count == 8, "no name collides")
        #expect(restarted.facts().cameras.first?.segments == 8)
        #expect(restarted.facts().cameras.first?.untrustedSegments == 5)
        for path in untrusted { #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes, "not overwritten") }
    }
}

/// Bytes of the regular files under a folder (what a recordings folder takes of its disk).
enum StorageUse {
    static func bytes(under root: String) -> Int64 {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return 0 }
        var total: Int64 = 0
        while let relative = walker.nextObject() as? String {
            let path = (root as NSString).appendingPathComponent(relative)
            if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int64,
                (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType == .typeRegular
            {
                total += size
            }
        }
        return total
    }
}
