/// Polls `condition` every 50 ms (sleeping, not blocking a thread) until it holds or `timeout`
/// seconds pass. The async counterpart of `eventually`, for tests whose subject runs on the
/// cooperative pool too.
public func waitUntil(timeout: Double, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
    repeat {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    } while ContinuousClock.now < deadline
    return try await condition()
}
