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
/// `AVERROR_EXIT` (what an interrupted call returns).
int CFFmpegShims_AVERROR_EXIT(void);
/// `AV_NOPTS_VALUE`.
int64_t CFFmpegShims_AV_NOPTS_VALUE(void);

/// A log sink that receives FFmpeg's log lines already formatted (no trailing newline handling).
typedef void (*CFFmpegShims_LogSink)(int level, const char *_Nonnull line);
/// Routes `av_log` through `sink`; lines below `maxLevel` verbosity are dropped in C.
void CFFmpegShims_setLogSink(CFFmpegShims_LogSink _Nullable sink, int maxLevel);

#endif
