import Foundation

/// The dedicated thread an upstream, a recorder or a push runs its blocking libavformat loop on
/// (never Swift's cooperative pool), and a way to wait for that loop to return, with a deadline.
/// (One awaited call goes through ``BlockingWork`` instead.)
public final class WorkerThread: @unchecked Sendable {
    // @unchecked Sendable: `started` and `finished` are guarded by `condition`.
    private let condition = MonotonicCondition()
    private var started = false
    private var finished = false

    public init() {}

    /// Runs `body` on a new thread called `name`.
    public func start(name: String, _ body: @escaping @Sendable () -> Void) {
        condition.withLock { started = true }
        let thread = Thread { [self] in
            body()
            condition.withLock {
                finished = true
                condition.broadcast()
            }
        }
        thread.name = name
        thread.start()
    }

    /// Waits until the loop returned or `timeout` seconds passed; true when it returned (or never started).
    @discardableResult
    public func join(timeout: Double) -> Bool {
        condition.withLock {
            guard started else { return true }
            let deadline = MonotonicInstant.now().adding(seconds: timeout)
            while !finished && condition.wait(until: deadline) {}
            return finished
        }
    }
}
