import KuzetCore

/// Runs blocking work (a child process, a socket read) on its own thread (``BlockingWork``), so
/// the few threads of Swift's cooperative pool stay free for the servers under test.
public func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await BlockingWork.run("kuzet.test", work)
}
