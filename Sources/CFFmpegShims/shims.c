#include "CFFmpegShims.h"
#include <stdio.h>
#include <libavutil/log.h>

int CFFmpegShims_AVERROR(int posixError) { return AVERROR(posixError); }
int CFFmpegShims_AVERROR_EOF(void) { return AVERROR_EOF; }
int CFFmpegShims_AVERROR_INVALIDDATA(void) { return AVERROR_INVALIDDATA; }
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

#include <stdatomic.h>
#include <stdlib.h>
#include <libavutil/time.h>

struct CFFmpegShims_Interrupt {
    atomic_int aborted;
    atomic_int timedOut;
    _Atomic int64_t deadline;  // av_gettime_relative() microseconds; 0 = none
};

static int interruptCallback(void *opaque) {
    CFFmpegShims_Interrupt *handle = opaque;
    if (atomic_load(&handle->aborted)) return 1;
    int64_t deadline = atomic_load(&handle->deadline);
    if (deadline != 0 && av_gettime_relative() > deadline) {
        atomic_store(&handle->timedOut, 1);
        return 1;
    }
    return 0;
}

CFFmpegShims_Interrupt *CFFmpegShims_interruptCreate(void) {
    CFFmpegShims_Interrupt *handle = calloc(1, sizeof(CFFmpegShims_Interrupt));
    return handle;
}

void CFFmpegShims_interruptFree(CFFmpegShims_Interrupt *handle) { free(handle); }
void CFFmpegShims_interruptAbort(CFFmpegShims_Interrupt *handle) { atomic_store(&handle->aborted, 1); }
int CFFmpegShims_interruptIsAborted(CFFmpegShims_Interrupt *handle) { return atomic_load(&handle->aborted); }

void CFFmpegShims_interruptArm(CFFmpegShims_Interrupt *handle, int64_t microseconds) {
    // Disarming keeps `timedOut`, so the caller can still ask why the call it just made failed.
    if (microseconds > 0) atomic_store(&handle->timedOut, 0);
    atomic_store(&handle->deadline, microseconds > 0 ? av_gettime_relative() + microseconds : 0);
}

int CFFmpegShims_interruptShouldStop(CFFmpegShims_Interrupt *handle) { return interruptCallback(handle); }

int CFFmpegShims_interruptTimedOut(CFFmpegShims_Interrupt *handle) { return atomic_load(&handle->timedOut); }

void CFFmpegShims_interruptAttach(AVFormatContext *context, CFFmpegShims_Interrupt *handle) {
    context->interrupt_callback.callback = interruptCallback;
    context->interrupt_callback.opaque = handle;
}

AVIOInterruptCB CFFmpegShims_interruptCallback(CFFmpegShims_Interrupt *handle) {
    AVIOInterruptCB callback = { interruptCallback, handle };
    return callback;
}

int CFFmpegShims_AVFMT_NOFILE(void) { return AVFMT_NOFILE; }

int CFFmpegShims_AVERROR_HTTP(int status) {
    switch (status) {
    case 400: return AVERROR_HTTP_BAD_REQUEST;
    case 401: return AVERROR_HTTP_UNAUTHORIZED;
    case 403: return AVERROR_HTTP_FORBIDDEN;
    case 404: return AVERROR_HTTP_NOT_FOUND;
    case 499: return AVERROR_HTTP_OTHER_4XX;
    case 599: return AVERROR_HTTP_SERVER_ERROR;
    default: return 0;
    }
}

#include <malloc.h>

int CFFmpegShims_releaseFreeMemory(void) { return malloc_trim(0); }

int CFFmpegShims_configureAllocator(int arenaMax, int mmapThreshold) {
#ifdef M_ARENA_MAX
    int ok = mallopt(M_ARENA_MAX, arenaMax);
    return ok && mallopt(M_MMAP_THRESHOLD, mmapThreshold);
#else
    (void)arenaMax; (void)mmapThreshold;
    return 0;
#endif
}
