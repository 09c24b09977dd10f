import Foundation
import KuzetCore
import Testing

/// Waits on the monotonic clock: a deadline is kept to, a signal ends the wait early, a deadline
/// already past does not wait. (That a wall-clock step leaves waits alone is shown on the real
/// agent under libfaketime: `ClockStepProcessTests`.)
@Suite struct MonotonicConditionTests {
    @Test func aTimedWaitNobodySignalsEndsAtItsDeadline() {
        let condition = MonotonicCondition()
        let started = MonotonicInstant.now()
        let signalled = condition.withLock { condition.wait(until: started.adding(seconds: 0.2)) }
        let waited = started.elapsedSeconds
        #expect(!signalled)
        #expect(waited >= 0.19 && waited < 2, "waited \(waited) s for a 0.2 s deadline")
    }

    @Test func aSignalEndsTheWaitBeforeItsDeadline() {
        let condition = MonotonicCondition()
        nonisolated(unsafe) var ready = false
        let thread = Thread {
            Thread.sleep(forTimeInterval: 0.1)
            condition.withLock {
                ready = true
                condition.signal()
            }
        }
        thread.start()
        let started = MonotonicInstant.now()
        let deadline = started.adding(seconds: 10)
        condition.withLock {
            while !ready && condition.wait(until: deadline) {}
        }
        #expect(condition.withLock { ready })
        #expect(started.elapsedSeconds < 5)
    }

    @Test func aDeadlineAlreadyPastReturnsAtOnce() {
        let condition = MonotonicCondition()
        let started = MonotonicInstant.now()
        #expect(!condition.withLock { condition.wait(until: started) })
        #expect(started.elapsedSeconds < 0.1)
    }

    @Test func instantsAddAndMeasureInSecondsAndClampNonsense() {
        let base = MonotonicInstant(nanoseconds: 5_000_000_000)
        #expect(base.adding(seconds: 1.5).nanoseconds == 6_500_000_000)
        #expect(base.seconds(to: base.adding(seconds: 2)) == 2)
        #expect(base.adding(seconds: 2).seconds(to: base) == -2)
        #expect(base.adding(seconds: -3) == base)
        #expect(base.adding(seconds: .nan) == base)
        #expect(base.adding(seconds: .infinity) > base)
    }
}
