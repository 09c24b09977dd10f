import Foundation

/// The one way blocking work (file-system sweeps and scans, fsync, a libavformat probe) leaves
/// Swift's cooperative pool: one call on a thread of its own, awaited. (A loop that runs until
/// stopped has its ``WorkerThread``.)
///
/// A thread per call rather than a pool: the calls are few and each is long (a sweep may unlink
/// thousands of files, a scan lists 1.4 M, an fsync can take seconds on a busy disk), so there is
/// no pool to size, to exhaust with one slow disk, or to shut down; and Core, which the registry
/// links, stays free of swift-nio's `NIOThreadPool`.
public enum BlockingWork {
    public static func run<T: Sendable>(_ name: String, _ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.name = name
            thread.start()
        }
    }

    public static func run<T: Sendable>(_ name: String, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.name = name
            thread.start()
        }
    }
}
