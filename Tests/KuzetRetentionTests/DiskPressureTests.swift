import Foundation
import KuzetCore
import KuzetProtocol
import KuzetRetention
import KuzetSegmentStore
import KuzetTestKit
import Testing

/// Must-show 2: a real, small file system fills up while a writer keeps recording; the service
/// deletes the oldest footage, recording never fails, and the shortfall is recorded.
@Suite(.serialized) struct DiskPressureTests {
    @Test func aFullDiskDeletesTheOldestFootageWhileRecordingGoesOnAndRecordsTheShortfall() async throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-retention-pressure")
        // ~40 kB per 10 s segment (≈ 32 kbit/s): an hour of two cameras is ≈ 29 MB, the reserve on a 48 MB disk.
        let segment = try RetentionFixtures.makeSegment(in: directory.path, seconds: 10, kbps: 30)
        let disk = try RetentionFixtures.Mount(bytes: 48 * 1024 * 1024)
        defer { disk.unmount() }
        let root = (disk.path as NSString).appendingPathComponent("recordings")
        let now = ManualNow(epoch)
        let retention = RetentionService(
            settings: RetentionSettings(
                root: root, days: 30, minFreePercent: 5, segmentSeconds: 10, recordedCameras: ["entrance", "yard"],
                sweepInterval: .milliseconds(200)),
            now: now.function)
        let service = Task { try await retention.run() }
        defer { service.cancel() }
        #expect(await eventuallyAsync { retention.facts().space != nil })

        // Two cameras recording: 2 × 650 segments ≈ 52 MB into a 48 MB disk.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        var written: [String] = []
        var failures: [String] = []
        for index in 0..<650 {
            let start = epoch.addingTimeInterval(Double(index) * 10)
            now.set(start.addingTimeInterval(10))
            for camera in ["entrance", "yard"] {
                let file = SegmentStore(root: root).file(camera: camera, name: SegmentName(start: start, format: .fmp4))
                let path = file.path
                do {
                    try FileManager.default.createDirectory(
                        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    retention.segmentOpened(file)
                    try bytes.write(to: URL(fileURLWithPath: path))
                    retention.segmentClosed(file, bytes: Int64(bytes.count), duration: 10)
                    written.append(path)
                } catch {
                    failures.append("\(camera) segment \(index): \(error)")
                }
            }
            try await Task.sleep(for: .milliseconds(3))
        }
        #expect(
            await eventuallyAsync {
                (retention.facts().space?.freeBytes ?? 0)
                    > (retention.facts().space.map { $0.reserveBytes(atBitsPerSecond: 2 * 32_000) } ?? .max)
            })

        #expect(failures.isEmpty, "recording must never fail on a full disk: \(failures.prefix(3))")
        #expect(!FileManager.default.fileExists(atPath: written[0]), "the oldest footage went")
        #expect(FileManager.default.fileExists(atPath: written[written.count - 1]), "the newest footage stays")
        let facts = retention.facts()
        for camera in facts.cameras {
            let shortfall = try #require(camera.shortfall, "camera \(camera.camera) lost footage younger than 30 days")
            #expect(shortfall.achievedDays < 1)
            #expect(shortfall.achievedDays > 0.01)
            #expect(shortfall.since >= epoch && shortfall.since <= now.date)
            #expect(camera.achievedDays < 30)
            #expect(camera.bytes > 0)
        }
        #expect(facts.diskPressureSince != nil)
        let events = retention.drainEvents()
        #expect(events.filter { $0.kind == .diskPressure }.count == 1, "one critical episode, not one per deletion")
        #expect(Set(events.filter { $0.kind == .retentionShortfall }.compactMap(\.camera)) == ["entrance", "yard"])
        // The storage report the heartbeat sends says so.
        let report = try #require(facts.storageReport)
        #expect(report.diskPressure)
        #expect(facts.cameras.allSatisfy { $0.report.shortfallSince != nil })

    }
}

/// Polls an async condition every 50 ms for up to `timeout` seconds.
func eventuallyAsync(timeout: Double = 20, _ condition: @Sendable () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return await condition()
}
