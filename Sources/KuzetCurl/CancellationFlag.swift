import Synchronization

/// Set by a Swift task's cancellation handler, read by libcurl's progress callback on the
/// transfer thread (at least once a second), which then aborts the transfer.
final class CancellationFlag: Sendable {
    private let state = Atomic<Bool>(false)

    func cancel() { state.store(true, ordering: .relaxed) }
    var isCancelled: Bool { state.load(ordering: .relaxed) }
}
