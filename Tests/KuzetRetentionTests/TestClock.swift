import Foundation
import Synchronization

/// Wall time a test sets by hand (the service's `now`).
final class ManualNow: Sendable {
    private let value: Mutex<Date>
    init(_ date: Date) { value = Mutex(date) }
    var date: Date { value.withLock { $0 } }
    func set(_ date: Date) { value.withLock { $0 = date } }
    var function: @Sendable () -> Date { { self.date } }
}

let day: TimeInterval = 86_400

/// 2026-10-01T00:00:00Z, the start of every test's timeline.
let epoch = Date(timeIntervalSince1970: 1_790_812_800)
