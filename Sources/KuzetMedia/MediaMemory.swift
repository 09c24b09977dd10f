import Foundation
internal import CFFmpegShims

/// Process-wide allocator settings for a process that carries many camera streams.
///
/// Measured with bench/agent-vs-ffmpeg.sh (32 × 1080p cameras recorded and pushed; `--perf`
/// for where the CPU goes):
/// - glibc gives every ingest thread its own malloc arena, and the megabyte-sized buffers
///   libavcodec allocates while probing a stream stay behind in them, fragmented: two arenas.
/// - Each camera's fMP4 muxer fills a fragment buffer (≈ 0.25 MB per 0.5 s at 4 Mbit/s) and frees
///   it at the next fragment. Above the mmap threshold that is a fresh `mmap`, a page fault on
///   every page and a `munmap`, twice a second per camera (7 % of the agent's CPU). So the
///   threshold is above it (512 KiB), and the heap keeps and reuses that memory …
/// - … but returns none of it when chunks in the middle of a heap are free (PSS 217 MiB instead
///   of 116). Trimming once a second (`malloc_trim`, which gives back free pages anywhere in the
///   heaps) keeps PSS at ~110 MiB with the CPU of the unmapped case (0.11–0.12 cores vs 0.15).
public enum MediaMemory {
    /// Call once, first thing in `main`, before threads start.
    public static func configureForManyStreams() {
        _ = CFFmpegShims_configureAllocator(2, 512 * 1024)
        startReleasingFreeMemory(every: 1)
    }

    private static func startReleasingFreeMemory(every seconds: Double) {
        let thread = Thread {
            while true {
                Thread.sleep(forTimeInterval: seconds)
                _ = CFFmpegShims_releaseFreeMemory()
            }
        }
        thread.name = "kuzet.memory"
        thread.stackSize = 64 * 1024
        thread.start()
    }
}
