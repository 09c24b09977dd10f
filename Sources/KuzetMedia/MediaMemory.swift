internal import CFFmpegShims
import Foundation

/// Process-wide allocator settings for a process that carries many camera streams.
///
/// Measured with bench/agent-vs-ffmpeg.sh (32 × 1080p cameras recorded and pushed; `--perf`
/// for where the CPU goes):
/// - glibc gives every ingest thread its own malloc arena, and the megabyte-sized buffers
///   libavcodec allocates while probing a stream stay behind in them, fragmented: two arenas.
/// - Buffers a stream cycles through — frames of 20–150 KB, each camera's fMP4 fragment buffer
///   (≈ 0.13 MB per 0.25 s at 4 Mbit/s, freed at every fragment) — come from the heap, where
///   their memory is reused: mapped (glibc's first threshold, 128 KiB) each was a fresh `mmap`,
///   a page fault per page and a `munmap` (7 % of the agent's CPU with 32 cameras). Only what is
///   larger than 256 KiB (decoder buffers while probing) is mapped and really returned on free.
/// - The heap returns nothing while live chunks sit above free ones, so `malloc_trim` runs once
///   a second and gives back free pages anywhere in the heaps.
/// With 32 cameras: 0.10–0.11 cores and 112–114 MiB PSS, against 0.15 cores / 116 MiB with a
/// 128 KiB threshold and 0.12 cores / 217 MiB with a 512 KiB one without trimming.
public enum MediaMemory {
    /// Call once, first thing in `main`, before threads start.
    public static func configureForManyStreams() {
        _ = CFFmpegShims_configureAllocator(2, 256 * 1024)
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
