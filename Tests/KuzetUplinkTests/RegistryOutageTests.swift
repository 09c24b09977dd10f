import Foundation
import KuzetCore
import KuzetProtocol
import KuzetTestKit
import KuzetUplink
import Logging
import Testing

/// A ten-minute registry outage, run on an ``AcceleratedClock`` (×40: a 30 s interval takes
/// 0.75 s, ten minutes take 15 s) against real HTTPS servers: the registry stand-in is killed,
/// and a new one is started on the same port when the ten minutes are over.
@Suite struct RegistryOutageTests {
    @Test func everyHeartbeatAndEventOfATenMinuteOutageArrivesInOrderOnce() async throws {
        let world = try RegistryWorld()
        let before = try world.startServer()
        let clock = AcceleratedClock(factor: 40)
        let logs = LogRecorder()
        let runner = try ServiceRunner(
            registry: world.registry(url: before.baseURL + "/api/v1/heartbeats"), interval: .seconds(30), logs: logs,
            clock: clock,
            now: { clock.date() }, backoffCap: .seconds(60), stateChangeDelay: .seconds(1))
        #expect(await waitUntil(timeout: 20) { before.storedSequences().count >= 2 && runner.outbox.count == 0 })
        before.stop()
        let outageStart = clock.now
        let outageStartDate = clock.date()

        try await clock.sleep(for: .seconds(300))
        try await runner.service.record([Fixtures.event("camera entrance stopped during the outage")])
        try await clock.sleep(for: .seconds(300))
        let queued = runner.outbox.count
        let lastQueued = runner.outbox.nextSequence - 1
        let outageLength = outageStart.duration(to: clock.now)

        let after = try world.startServer(port: before.port)
        let back = ContinuousClock.now
        #expect(
            await waitUntil(timeout: 30) {
                (after.storedSequences().last ?? 0) >= lastQueued
                    && logs.entries.contains { $0.message.contains("reachable again") }
            })
        let drained = ContinuousClock.now - back
        await runner.stop()
        print(
            "figure: outage \(outageLength) virtual, \(queued) heartbeats queued, backlog through \(lastQueued) stored \(drained) (real) after the stand-in came back, in \(after.requests().count) POSTs"
        )

        let all = before.storedSequences() + after.storedSequences()
        #expect(all == Array(1...UInt64(all.count)), "in order, none missing, none twice")
        #expect(before.duplicateCount() + after.duplicateCount() == 0)
        #expect(outageLength >= .seconds(600))
        #expect(queued >= 19, "about 20 heartbeats (one per 30 s) queued during 10 minutes, got \(queued)")
        let gap = after.storedBatches().flatMap { $0 }.filter {
            $0.sentAt >= outageStartDate && $0.sentAt <= outageStartDate + 600
        }
        #expect(gap.count >= 19)
        #expect(
            after.storedBatches().flatMap { $0 }.flatMap(\.events).contains {
                $0.message == "camera entrance stopped during the outage"
            })
        // The outage is logged when it starts and when it ends, not at every retry.
        #expect(logs.entries(atLeast: .warning).count <= 3)
        #expect(logs.entries.contains { $0.message.contains("reachable again") })
        // Fewer POSTs than heartbeats: the backlog went in batches.
        #expect(after.requests().count < after.storedSequences().count)
    }
}
