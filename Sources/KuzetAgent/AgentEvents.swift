import Foundation
import KuzetProtocol
import Synchronization

/// State changes waiting for the next heartbeat (camera offline/online, push failing/restored).
/// The watcher appends, the heartbeat drains; each event is reported once.
final class AgentEvents: Sendable {
    private let pending = Mutex<[AgentEvent]>([])

    func append(_ event: AgentEvent) {
        pending.withLock { $0.append(event) }
    }

    func drain() -> [AgentEvent] {
        pending.withLock { events in
            defer { events.removeAll() }
            return events
        }
    }
}
