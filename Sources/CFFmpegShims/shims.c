#include "CFFmpegShims.h"
#include <stdio.h>
#include <libavutil/log.h>

int CFFmpegShims_AVERROR(int posixError) { return AVERROR(posixError); }
int CFFmpegShims_AVERROR_EOF(void) { return AVERROR_EOF; }
int CFFmpegShims_AVERROR_EXIT(void) { return AVERROR_EXIT; }
int64_t CFFmpegShims_AV_NOPTS_VALUE(void) { return AV_NOPTS_VALUE; }

static CFFmpegShims_LogSink logSink = NULL;
static int logMaxLevel = AV_LOG_WARNING;

static void trampoline(void *avcl, int level, const char *fmt, va_list vl) {
    if (level > logMaxLevel || logSink == NULL) return;
    char line[1024];
    int printPrefix = 1;
    av_log_format_line2(avcl, level, fmt, vl, line, sizeof(line), &printPrefix);
    logSink(level, line);
}

void CFFmpegShims_setLogSink(CFFmpegShims_LogSink sink, int maxLevel) {
    logSink = sink;
    logMaxLevel = maxLevel;
    av_log_set_callback(sink ? trampoline : av_log_default_callback);
}
