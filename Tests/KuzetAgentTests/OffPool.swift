import Foundation

/// Runs blocking work (a child process, a socket read) on its own thread, so the few threads of
/// Swift's cooperative pool stay free for the servers under test — tests run in parallel.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
