import Foundation
import KuzetCore
import Synchronization
import Testing

/// `centre.max_kbps` while running: live pushes admitted first, uploads in the rest, heartbeats always.
@Suite struct UplinkBudgetTests {
    @Test func twoLivePushesFitAndTheThirdIsRefusedWithTheArithmetic() throws {
        let budget = UplinkBudget(maxKbps: 16_000)
        let first = try budget.admitLive(id: "a", streamKbps: 4_000).get()
        _ = try budget.admitLive(id: "b", streamKbps: 4_000).get()
        _ = try budget.admitLive(id: "c", streamKbps: 4_000).get()
        // 3 × 4400 = 13200 admitted; a fourth would make 17600 > 15936.
        let refusal = try #require(
            {
                if case .failure(let refusal) = budget.admitLive(id: "d", streamKbps: 4_000) { return refusal }
                return nil
            }())
        #expect(refusal.description.contains("centre.max_kbps 16000"))
        #expect(refusal.description.contains("13200 to live views already running"))
        #expect(budget.liveSessions == 3)
        budget.release(first)
        #expect(budget.liveSessions == 2)
        #expect((try? budget.admitLive(id: "d", streamKbps: 4_000).get()) != nil)
    }

    @Test func keyCamerasPermanentPushesCountAgainstTheBudget() {
        let budget = UplinkBudget(maxKbps: 16_000, permanentKbps: { 8_000 })
        #expect((try? budget.admitLive(id: "a", streamKbps: 4_000).get()) != nil)
        guard case .failure(let refusal) = budget.admitLive(id: "b", streamKbps: 4_000) else {
            Issue.record("a second 4 Mbit/s live push beside 8 Mbit/s of key cameras was admitted")
            return
        }
        #expect(refusal.description.contains("8000 go to key cameras"))
    }

    @Test func uploadsGetWhatLivePushesAndHeartbeatsLeave() throws {
        let permanent = Mutex(8_000.0)
        let budget = UplinkBudget(
            maxKbps: 16_000, heartbeatReserveKbps: 64, permanentKbps: { permanent.withLock { $0 } })
        let now = MonotonicInstant(nanoseconds: 3_000_000 * 1_000_000_000)
        // Key cameras are held back at their peak with 20 % headroom: 8000 → 9600.
        #expect(abs(budget.uploadAllowanceKbps(now: now) - (16_000 - 64 - 9_600)) < 0.001)
        let live = try budget.admitLive(id: "a", streamKbps: 4_000).get()
        // 15936 - 9600 - 4400 = 1936
        #expect(abs(budget.uploadAllowanceKbps(now: now) - (16_000 - 64 - 9_600 - 4_400)) < 0.001)
        permanent.withLock { $0 = 11_500 }
        // 15936 - 13800 - 4400 < 64: nothing worth a chunk, the upload waits.
        #expect(budget.uploadAllowanceKbps(now: now) == 0)
        budget.release(live)
        #expect(abs(budget.uploadAllowanceKbps(now: now) - (16_000 - 64 - 13_800)) < 0.001)
    }

    @Test func keyCamerasAreHeldBackAtTheirPeakOfTheLastThirtySeconds() {
        let permanent = Mutex(9_000.0)
        let budget = UplinkBudget(
            maxKbps: 16_000, heartbeatReserveKbps: 0, permanentKbps: { permanent.withLock { $0 } })
        let start = MonotonicInstant(nanoseconds: 4_000_000 * 1_000_000_000)
        _ = budget.uploadAllowanceKbps(now: start)
        permanent.withLock { $0 = 7_000 }
        // The 9000 peak 20 s ago still counts…
        #expect(abs(budget.uploadAllowanceKbps(now: start.adding(seconds: 20)) - (16_000 - 10_800)) < 0.001)
        // …and is forgotten after 30 s.
        #expect(abs(budget.uploadAllowanceKbps(now: start.adding(seconds: 31)) - (16_000 - 8_400)) < 0.001)
    }

    @Test func aLivePushSendingMoreThanItsReservationShrinksTheUploadsShare() {
        let budget = UplinkBudget(maxKbps: 16_000, heartbeatReserveKbps: 0)
        let now = MonotonicInstant(nanoseconds: 1_000_000 * 1_000_000_000)
        _ = budget.admitLive(id: "a", streamKbps: 1_000) // reserved 1100
        for second in 0..<5 { budget.countLive(bytes: 1_000_000, now: now.adding(seconds: Double(second))) }
        // achieved 1000000 × 8 × 5 / 5 s = 8000 kbit/s, more than the reservation
        #expect(abs(budget.uploadAllowanceKbps(now: now.adding(seconds: 4.5)) - 8_000) < 0.001)
    }

    @Test func theSlidingRateAveragesTheLastFiveSecondsAndForgetsOlderOnes() {
        let start = MonotonicInstant(nanoseconds: 2_000_000 * 1_000_000_000)
        var rate = SlidingRate(seconds: 5, now: start)
        for second in 0..<5 { rate.add(bytes: 500_000, now: start.adding(seconds: Double(second) + 0.5)) }
        #expect(abs(rate.kbps(now: start.adding(seconds: 4.9)) - 4_000) < 0.001)
        // Two seconds later the two oldest buckets have left the window.
        #expect(abs(rate.kbps(now: start.adding(seconds: 6.9)) - 2_400) < 0.001)
        #expect(rate.kbps(now: start.adding(seconds: 60)) == 0)
    }
}
