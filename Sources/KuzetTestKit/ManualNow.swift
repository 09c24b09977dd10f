import Foundation
import Synchronization

/// A wall clock a test moves by hand: pass `now` where code takes `@Sendable () -> Date`.
public final class ManualNow: Sendable {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_790_000_000)) { current = Mutex(start) }

    public var date: Date { current.withLock { $0 } }

    /// The closure to inject.
    public var now: @Sendable () -> Date { { [self] in date } }

    public func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }

    public func set(_ date: Date) { current.withLock { $0 = date } }
}
