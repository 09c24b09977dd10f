import Foundation
import KuzetCore
import KuzetRetention
import KuzetSegmentStore
import KuzetTestKit
import Logging
import ServiceLifecycle
import Testing

/// The service in a ServiceGroup as `kuzet-agent run` holds it: it scans and sweeps on its own,
/// reacts to the recorder's events, and stops promptly on graceful shutdown.
@Suite struct RetentionServiceLifecycleTests {
    @Test func inAServiceGroupItSweepsWhenASegmentClosesAndStopsOnGracefulShutdown() async throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-retention-lifecycle")
        let root = directory.file("recordings")
        let fixture = try RetentionFixtures.makeSegment(in: directory.path, seconds: 2)
        let now = ManualNow(epoch.addingTimeInterval(40 * day))
        let expired = try RetentionFixtures.place(
            fixture, root: root, camera: "entrance", start: now.date.addingTimeInterval(-31 * day), seconds: 60)
        let retention = RetentionService(
            settings: RetentionSettings(
                root: root, segmentSeconds: 60, recordedCameras: ["entrance"], sweepInterval: .seconds(3600)),
            now: now.function)
        let group = ServiceGroup(services: [retention], logger: Logger(label: "kuzet.test"))
        let running = Task { try await group.run() }
        #expect(
            await eventuallyAsync { !FileManager.default.fileExists(atPath: expired) }, "the first sweep after the scan"
        )

        // The recorder's announcements (SegmentEvents): a day later, a closed segment wakes a sweep.
        now.set(now.date.addingTimeInterval(day))
        let store = SegmentStore(root: root)
        let olderStart = now.date.addingTimeInterval(-30 * day - 120)
        let older = try RetentionFixtures.place(fixture, root: root, camera: "entrance", start: olderStart, seconds: 60)
        retention.segmentClosed(
            store.file(camera: "entrance", name: SegmentName(start: olderStart, format: .fmp4)), bytes: 1000,
            duration: 60)
        let newest = store.file(
            camera: "entrance", name: SegmentName(start: now.date.addingTimeInterval(-60), format: .fmp4))
        try FileManager.default.copyItem(atPath: fixture, toPath: newest.path)
        retention.segmentClosed(newest, bytes: 1000, duration: 60)
        #expect(
            await eventuallyAsync { !FileManager.default.fileExists(atPath: older) },
            "woken by segmentClosed, not by the hourly timer")
        #expect(FileManager.default.fileExists(atPath: newest.path))

        let stopping = Date()
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(Date().timeIntervalSince(stopping) < 5)
    }
}
