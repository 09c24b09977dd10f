import Foundation
import KuzetCommitment
import KuzetCore
import KuzetMedia
import Metrics

/// Hashes one segment's bytes as the recorder writes them (on the recorder's thread), so the
/// closed segment is committed without reading it back: reading each file again was about 40 %
/// of hashing's cost. Holds one incremental SHA-256 and the chunk tree's subtree roots.
///
/// The bytes must reach the file in order, each run at the end of the last: a run anywhere else
/// (a muxer seeking back to patch a box after its buffer was flushed) ends the following, and
/// the commitment reads that file back instead.
final class SegmentWriteHasher: MediaFileObserver, @unchecked Sendable {
    // @unchecked Sendable: `lock` guards `builder` and `followed` (the recorder writes, the
    // commitment service reads the digest once the segment closed).
    private let lock = NSLock()
    private var builder = ChunkTree.Builder()
    private var followed = true
    private let cpu: FloatingPointCounter

    /// - Parameter cpu: where the hashing's CPU time goes (`kuzet_commitment_cpu_seconds_total`).
    init(cpu: FloatingPointCounter) {
        self.cpu = cpu
    }

    /// Timed by the monotonic clock (a vDSO read, ~20 ns) rather than the thread's CPU clock (a
    /// system call, ~240 ns here, which at ~100 writes per camera per second was a sixth of what it
    /// measured); a run preempted midway counts its wait too, so the figure errs high, not low.
    func wrote(_ bytes: UnsafeRawBufferPointer, at offset: Int64) {
        let start = MonotonicInstant.now()
        lock.withLock {
            guard followed else { return }
            guard offset == builder.bytes else {
                followed = false
                return
            }
            builder.append(bytes)
        }
        cpu.increment(by: Double(MonotonicInstant.now().nanoseconds - start.nanoseconds) / 1e9)
    }

    /// The digest of the bytes written, or nil if they were not all written in order.
    var digest: ChunkTree.Digest? {
        lock.withLock { followed ? builder.digest : nil }
    }
}
