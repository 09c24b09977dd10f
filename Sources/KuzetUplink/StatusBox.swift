import Foundation

/// The mutable part of ``UplinkStatus``, shared between the sender loop and readers.
final class StatusBox: @unchecked Sendable {
    // @unchecked: `stored` is only touched under `lock`.
    private let lock = NSLock()
    private var stored: UplinkStatus
    init(_ value: UplinkStatus) { stored = value }
    var value: UplinkStatus { lock.withLock { stored } }
    func update(_ change: (inout UplinkStatus) -> Void) { lock.withLock { change(&stored) } }
}
