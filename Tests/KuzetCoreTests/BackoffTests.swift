import KuzetCore
import Testing

@Suite struct BackoffTests {
    @Test func waitsDoubleUpToTheCap() {
        var backoff = Backoff(initial: .seconds(1), cap: .seconds(10))
        let waits = (0..<6).map { _ in backoff.next(jitter: 1) }
        #expect(waits == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
    }

    @Test func jitterStaysInTheUpperHalfOfTheWindow() {
        var low = Backoff(initial: .seconds(4), cap: .seconds(100))
        var high = Backoff(initial: .seconds(4), cap: .seconds(100))
        #expect(low.next(jitter: 0) == .seconds(2))
        #expect(high.next(jitter: 1) == .seconds(4))
        var random = Backoff(initial: .seconds(4), cap: .seconds(100))
        let wait = random.next()
        #expect(wait >= .seconds(2) && wait <= .seconds(4))
    }

    @Test func retryAfterIsHonouredWhenLongerButLimited() {
        var backoff = Backoff(initial: .seconds(1), cap: .seconds(10), retryAfterLimit: .seconds(60))
        #expect(backoff.next(retryAfter: .seconds(30), jitter: 1) == .seconds(30))
        #expect(backoff.next(retryAfter: .zero, jitter: 1) == .seconds(2))
        #expect(backoff.next(retryAfter: .seconds(86_400), jitter: 1) == .seconds(60))
    }

    @Test func aSuccessStartsOverFromTheInitialWait() {
        var backoff = Backoff(initial: .seconds(1), cap: .seconds(10))
        _ = backoff.next(jitter: 1)
        _ = backoff.next(jitter: 1)
        backoff.reset()
        #expect(backoff.next(jitter: 1) == .seconds(1))
    }
}
