#ifndef CFFMPEG_SHIMS_H
#define CFFMPEG_SHIMS_H
// Why this target exists: Swift cannot import FFmpeg's function-like macros (AVERROR, AVERROR_EOF),
// cannot format a `va_list` from `av_log`, and cannot see `AV_NOPTS_VALUE` (a cast macro).
// Every symbol is prefixed `CFFmpegShims_`.
#include <stdint.h>
#include <libavformat/avformat.h>

/// `AVERROR(e)`: a POSIX errno as an FFmpeg error code.
int CFFmpegShims_AVERROR(int posixError);
/// `AVERROR_EOF`.
int CFFmpegShims_AVERROR_EOF(void);
/// `AVERROR_INVALIDDATA`.
int CFFmpegShims_AVERROR_INVALIDDATA(void);
/// `AVERROR_EXIT` (what an interrupted call returns).
int CFFmpegShims_AVERROR_EXIT(void);
/// The AVERROR_HTTP_* code FFmpeg returns for an HTTP/RTSP status (400, 401, 403, 404, other 4xx → 499,
/// 5xx → 599), 0 for others. `FFERRTAG` is a function-like macro Swift cannot import.
int CFFmpegShims_AVERROR_HTTP(int status);
/// `AV_NOPTS_VALUE`.
int64_t CFFmpegShims_AV_NOPTS_VALUE(void);

/// A log sink that receives FFmpeg's log lines already formatted (no trailing newline handling).
typedef void (*CFFmpegShims_LogSink)(int level, const char *_Nonnull line);
/// Routes `av_log` through `sink`; lines below `maxLevel` verbosity are dropped in C.
void CFFmpegShims_setLogSink(CFFmpegShims_LogSink _Nullable sink, int maxLevel);

/// An interrupt handle for blocking libavformat calls.
///
/// Why in C: libavformat calls `AVIOInterruptCB.callback(opaque)` from whatever thread is inside
/// `avformat_open_input`/`av_read_frame`/`av_write_frame`; a Swift closure cannot be that C function
/// pointer with state, and the flag must be an atomic another thread (shutdown) can set.
/// The callback returns 1 (abort) when `abort` was requested or when the armed deadline passed.
typedef struct CFFmpegShims_Interrupt CFFmpegShims_Interrupt;
CFFmpegShims_Interrupt *_Nullable CFFmpegShims_interruptCreate(void);
void CFFmpegShims_interruptFree(CFFmpegShims_Interrupt *_Nullable handle);
/// Requests every current and future call using this handle to return AVERROR_EXIT.
void CFFmpegShims_interruptAbort(CFFmpegShims_Interrupt *_Nonnull handle);
int CFFmpegShims_interruptIsAborted(CFFmpegShims_Interrupt *_Nonnull handle);
/// Arms a deadline `microseconds` from now (monotonic clock); 0 disarms it.
void CFFmpegShims_interruptArm(CFFmpegShims_Interrupt *_Nonnull handle, int64_t microseconds);
/// 1 when a blocking call should return now (aborted, or past the armed deadline: then it counts as timed out).
int CFFmpegShims_interruptShouldStop(CFFmpegShims_Interrupt *_Nonnull handle);
/// 1 when the last interruption came from the deadline (a timeout), not from abort.
int CFFmpegShims_interruptTimedOut(CFFmpegShims_Interrupt *_Nonnull handle);
/// Installs the handle as `context->interrupt_callback` (the context must not outlive the handle).
void CFFmpegShims_interruptAttach(AVFormatContext *_Nonnull context, CFFmpegShims_Interrupt *_Nonnull handle);
/// The `AVIOInterruptCB` for `avio_open2` (outputs opened before the format context owns its pb).
AVIOInterruptCB CFFmpegShims_interruptCallback(CFFmpegShims_Interrupt *_Nonnull handle);

/// `AVFMT_NOFILE` (a macro Swift may not import as a typed constant).
int CFFmpegShims_AVFMT_NOFILE(void);

/// glibc `mallopt(M_ARENA_MAX)` and `mallopt(M_MMAP_THRESHOLD)`: Swift's Glibc module does not
/// import <malloc.h>. Keeps libavcodec's large, short-lived buffers from fragmenting per-thread
/// arenas when one process carries dozens of streams. Returns 1 when both were applied.
int CFFmpegShims_configureAllocator(int arenaMax, int mmapThreshold);
/// `malloc_trim(0)`: gives free pages inside the heaps back to the system.
int CFFmpegShims_releaseFreeMemory(void);

#endif
