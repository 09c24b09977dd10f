internal import CFFmpegShims
import KuzetWireClients

/// A switch that makes blocking libavformat calls return: `abort()` from any thread (shutdown),
/// or a deadline armed before each call (connect, read and write timeouts).
///
/// One interrupt serves one input or output; it must outlive it (the owner keeps both).
public final class MediaInterrupt: WireInterrupt, @unchecked Sendable {
    // @unchecked Sendable: the C handle's fields are C11 atomics; the pointer itself never changes.
    let handle: OpaquePointer

    public init() {
        guard let handle = CFFmpegShims_interruptCreate() else {
            fatalError("out of memory allocating a 24-byte interrupt handle")
        }
        self.handle = handle
    }

    deinit { CFFmpegShims_interruptFree(handle) }

    /// Makes the current and every later blocking call return (with ``MediaError/isInterrupted``).
    public func abort() { CFFmpegShims_interruptAbort(handle) }
    public var isAborted: Bool { CFFmpegShims_interruptIsAborted(handle) != 0 }

    /// Arms a deadline `seconds` from now; `nil` disarms it.
    public func arm(seconds: Double?) {
        CFFmpegShims_interruptArm(handle, seconds.map { Int64(max($0, 0.001) * 1_000_000) } ?? 0)
    }

    /// Whether a blocking call of ours (KuzetWireClients', not libavformat's) should give up now:
    /// aborted, or past the armed deadline (which then counts as a timeout, as for libavformat's calls).
    public var shouldStop: Bool { CFFmpegShims_interruptShouldStop(handle) != 0 }

    /// Whether the last interruption came from the deadline rather than from `abort()`.
    public var timedOut: Bool { CFFmpegShims_interruptTimedOut(handle) != 0 }
}
