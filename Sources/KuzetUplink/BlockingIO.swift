import Foundation

/// Runs blocking file work (fsync, rename) on a thread of its own, never on the cooperative pool.
/// The outbox does little (a few small writes per interval), so a short-lived thread per call is enough.
enum BlockingIO {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.name = "kuzet.uplink.io"
            thread.start()
        }
    }
}
