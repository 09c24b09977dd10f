import Glibc

/// A lock with a condition whose timed waits run on the monotonic clock.
///
/// Foundation's `NSCondition.wait(until: Date)` waits until a wall-clock time: when the wall clock
/// is stepped back an hour during the wait, the wait lasts an hour longer (a camera in reconnect
/// backoff stays offline, a thread never sees its stop). This one is a pthread condition made with
/// `pthread_condattr_setclock(CLOCK_MONOTONIC)`, waited on with `pthread_cond_clockwait(…,
/// CLOCK_MONOTONIC, …)` (glibc 2.30; `pthread_cond_timedwait` where it is missing), so a deadline is
/// a ``MonotonicInstant``. Why `clockwait`: libfaketime, which the process tests move the wall clock
/// with, intercepts `pthread_cond_timedwait` and converts its deadline through its own clocks; it
/// leaves `clockwait` alone, so the agent under it waits as it would on a real box.
/// Swift's Glibc module does not declare it (a GNU extension), so it is looked up once with `dlsym`.
public final class MonotonicCondition: @unchecked Sendable {
    // @unchecked Sendable: the mutex and condition are the synchronisation; both are owned here,
    // allocated once in init and destroyed in deinit, and never escape.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }

    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }

    /// Wakes one waiter (call with the lock held).
    public func signal() { pthread_cond_signal(condition) }
    /// Wakes every waiter (call with the lock held).
    public func broadcast() { pthread_cond_broadcast(condition) }

    /// Waits (lock held) until signalled or `deadline` passes on the monotonic clock; false when
    /// the deadline passed. Like every condition it may wake spuriously: loop on the predicate.
    @discardableResult
    public func wait(until deadline: MonotonicInstant) -> Bool {
        guard MonotonicInstant.now() < deadline else { return false }
        var time = deadline.cTime
        if let clockWait = Self.clockWait {
            return clockWait(condition, mutex, CLOCK_MONOTONIC, &time) != ETIMEDOUT
        }
        return pthread_cond_timedwait(condition, mutex, &time) != ETIMEDOUT
    }

    private typealias ClockWait =
        @convention(c) (
            UnsafeMutablePointer<pthread_cond_t>, UnsafeMutablePointer<pthread_mutex_t>, clockid_t,
            UnsafePointer<Glibc.timespec>
        ) -> Int32

    /// `pthread_cond_clockwait`, looked up once; nil before glibc 2.30.
    private static let clockWait: ClockWait? = dlsym(nil, "pthread_cond_clockwait").map {
        unsafeBitCast($0, to: ClockWait.self)
    }

    /// Waits (lock held) until signalled; no deadline.
    public func wait() { pthread_cond_wait(condition, mutex) }
}
