import Synchronization

/// The agents' open long-polls (`GET /api/v1/agent/commands?wait=S`), bounded: one per school (a new
/// one ends the older with an empty answer) and `maximum` over the instance (one more is refused,
/// 503). A command issued here wakes its school's poll at once; `PendingCommandWatch` wakes those
/// for commands issued by other instances.
public final class CommandWaiters: Sendable {
    public enum Wake: Sendable, Equatable {
        /// Something may be pending for the school: look again.
        case command
        /// A newer poll of the same school took over: answer this one empty.
        case replaced
        /// The wait ran out.
        case timeout
        /// The request's task was cancelled (the connection went).
        case cancelled
        /// `maximum` polls are open already.
        case refused
    }

    private struct Entry {
        var ticket: UInt64
        var continuation: CheckedContinuation<Wake, Never>
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Tickets handed out whose continuation is not registered yet.
        var unregistered: Set<UInt64> = []
        /// Wakes for those tickets (a cancellation or timeout before the registration).
        var early: [UInt64: Wake] = [:]
        var nextTicket: UInt64 = 0
        var schoolsWithPending: Set<String> = []
    }

    private let state = Mutex(State())
    /// Open long-polls at most on this instance (`serve --max-command-polls`).
    public let maximum: Int

    public init(maximum: Int = 20_000) {
        self.maximum = maximum
    }

    /// Open long-polls now.
    public var open: Int { state.withLock { $0.entries.count } }

    /// Waits until a command for `school` may be there, a newer poll replaces this one, or `duration`.
    func wait(school: String, for duration: Duration) async -> Wake {
        let ticket = state.withLock { state -> UInt64 in
            state.nextTicket += 1
            state.unregistered.insert(state.nextTicket)
            return state.nextTicket
        }
        let timeout = Task { [self] in
            try? await Task.sleep(for: duration)
            resolve(school: school, ticket: ticket, with: .timeout)
        }
        defer { timeout.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Wake, Never>) in
                let (resume, replaced) = state.withLock { state -> (Wake?, CheckedContinuation<Wake, Never>?) in
                    state.unregistered.remove(ticket)
                    if let wake = state.early.removeValue(forKey: ticket) { return (wake, nil) }
                    let older = state.entries[school]
                    if older == nil && state.entries.count >= maximum { return (.refused, nil) }
                    state.entries[school] = Entry(ticket: ticket, continuation: continuation)
                    return (nil, older?.continuation)
                }
                replaced?.resume(returning: .replaced)
                if let resume { continuation.resume(returning: resume) }
            }
        } onCancel: {
            resolve(school: school, ticket: ticket, with: .cancelled)
        }
    }

    /// Ends the poll with this ticket (or remembers the wake for when it registers).
    private func resolve(school: String, ticket: UInt64, with wake: Wake) {
        let continuation = state.withLock { state -> CheckedContinuation<Wake, Never>? in
            if let entry = state.entries[school], entry.ticket == ticket {
                state.entries[school] = nil
                return entry.continuation
            }
            // Not registered yet: kept for its registration (bounded by the polls starting now).
            if state.unregistered.contains(ticket) { state.early[ticket] = wake }
            return nil
        }
        continuation?.resume(returning: wake)
    }

    /// Wakes the school's open poll, if any, and remembers that it may have a command pending.
    func notify(school: String) {
        let continuation = state.withLock { state -> CheckedContinuation<Wake, Never>? in
            state.schoolsWithPending.insert(school)
            return state.entries.removeValue(forKey: school)?.continuation
        }
        continuation?.resume(returning: .command)
    }

    /// What the store says is pending now (`PendingCommandWatch`): those schools' polls wake.
    func observePending(_ schools: Set<String>) {
        let woken = state.withLock { state -> [CheckedContinuation<Wake, Never>] in
            state.schoolsWithPending = schools
            var woken: [CheckedContinuation<Wake, Never>] = []
            for school in schools {
                if let entry = state.entries.removeValue(forKey: school) { woken.append(entry.continuation) }
            }
            return woken
        }
        for continuation in woken { continuation.resume(returning: .command) }
    }

    /// Whether the school may have a command pending (so its heartbeat's receipt should carry it):
    /// true from the moment one is issued here until the store says otherwise.
    func mayHavePending(school: String) -> Bool { state.withLock { $0.schoolsWithPending.contains(school) } }

    /// The school has nothing pending any more (it was handed everything and reported on it).
    func forgetPending(school: String) { _ = state.withLock { $0.schoolsWithPending.remove(school) } }
}
