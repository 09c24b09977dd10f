internal import CFFmpegShims

/// Process-wide allocator settings for a process that carries many camera streams.
///
/// Measured (bench/agent-vs-ffmpeg.sh, 8 × 1080p cameras recorded + pushed): with glibc's
/// defaults every ingest thread gets its own malloc arena, and the megabyte-sized buffers
/// libavcodec allocates and frees while probing a stream stay behind in them, fragmented —
/// 57 MiB PSS. Two arenas and a fixed mmap threshold (large buffers are mapped and really
/// returned on free) bring it to 40 MiB, at no measurable CPU cost.
public enum MediaMemory {
    /// Call once, first thing in `main`, before threads start.
    public static func configureForManyStreams() {
        _ = CFFmpegShims_configureAllocator(2, 128 * 1024)
    }
}
