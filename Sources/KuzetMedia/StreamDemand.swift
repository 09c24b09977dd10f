import Foundation
import KuzetCore

/// Who needs an on-demand camera stream open right now: relay clients, a `live` push the centre
/// asked for. Each holder takes a ``Hold`` and releases it when done; the stream's supervisor
/// opens the camera while any hold exists and closes it a while after the last one is released.
///
/// For a stream that is always open (recorded or pushed), holds are counted and change nothing.
public final class StreamDemand: @unchecked Sendable {
    // @unchecked Sendable: mutable state is guarded by `lock`.
    private let lock = NSLock()
    private var holders = 0
    /// When the last claim was released (nil before any claim), on the monotonic clock: a stepped
    /// wall clock neither closes a camera at once nor keeps it open for the step.
    private var releasedAt: MonotonicInstant?
    private var observer: (@Sendable () -> Void)?

    public init() {}

    /// A claim on the stream; ``release()`` it (or let it go away) when no longer needed.
    public final class Hold: @unchecked Sendable {
        // @unchecked Sendable: `released` is guarded by the demand's lock.
        private let demand: StreamDemand
        private var released = false

        fileprivate init(demand: StreamDemand) { self.demand = demand }

        deinit { release() }

        /// Gives the claim back; a second call does nothing.
        public func release() {
            let first = demand.lock.withLock { () -> Bool in
                guard !released else { return false }
                released = true
                return true
            }
            if first { demand.change(by: -1) }
        }
    }

    /// Takes a claim: the stream is opened (if it is on demand) and kept open until it is released.
    public func acquire() -> Hold {
        change(by: 1)
        return Hold(demand: self)
    }

    /// Claims held now.
    public var count: Int { lock.withLock { holders } }

    /// Seconds since the last claim was released while none is held (very large when none ever
    /// was); nil while one is.
    public func idleSeconds(now: MonotonicInstant = .now()) -> Double? {
        lock.withLock { holders == 0 ? releasedAt.map { $0.seconds(to: now) } ?? .greatestFiniteMagnitude : nil }
    }

    /// Called (on the thread that changed it) after every acquire and release: the supervisor of
    /// an on-demand stream wakes. Only such a supervisor observes.
    public func observe(_ observer: @escaping @Sendable () -> Void) {
        lock.withLock { self.observer = observer }
    }

    /// Whether holds open and close the upstream (a camera with `record: false`): a relay client
    /// asking for it then waits a few seconds for the camera instead of being told it is offline.
    public var opensOnDemand: Bool { lock.withLock { observer != nil } }

    private func change(by delta: Int) {
        let observer = lock.withLock { () -> (@Sendable () -> Void)? in
            holders = max(0, holders + delta)
            if holders == 0 && delta < 0 { releasedAt = .now() }
            return self.observer
        }
        observer?()
    }
}
