/*
 * wall_clock_shift.c: an LD_PRELOAD library for tests (issues 21 and 26) that steps a process's
 * WALL clock only. CLOCK_REALTIME (and its coarse form), gettimeofday() and time() return the
 * real time plus an offset in seconds read from the file named by KUZET_WALL_CLOCK_OFFSET_FILE
 * (re-read at most every 20 ms, so a test steps the clock of a running process by rewriting it).
 * The monotonic and boot clocks, and every sleep and timed wait, are left as the kernel keeps
 * them, as they are on a box whose clock NTP or an integrator steps.
 *
 * Why not libfaketime: Debian 12's libfaketime 0.9.10 moves the monotonic clock with the wall
 * clock, and with FAKETIME_DONT_FAKE_MONOTONIC=1 its sleeps fail (EINVAL).
 *
 * A timed wait that converts a wall-clock deadline (pthread_cond_timedwait on CLOCK_REALTIME)
 * sees the offset only in the deadline it computed, never in the kernel: after a backward step
 * such a wait returns at once (it spins), after a forward step it lasts the step. Both are the
 * bug this library exists to expose; Kuzet's waits are on the monotonic clock.
 *
 * Build: cc -shared -fPIC -O2 -o libwallclockshift.so wall_clock_shift.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);

static _Atomic(clock_gettime_fn) real_clock_gettime;
static _Atomic long long offset_ns;
static _Atomic long long next_read_ns;

static clock_gettime_fn real(void) {
    clock_gettime_fn fn = atomic_load(&real_clock_gettime);
    if (fn == NULL) {
        fn = (clock_gettime_fn)dlsym(RTLD_NEXT, "clock_gettime");
        atomic_store(&real_clock_gettime, fn);
    }
    return fn;
}

/* The offset in nanoseconds; the file holds seconds ("-3600", "86400.5"). A missing or
 * unreadable file keeps the last offset read. */
static long long current_offset(void) {
    const char *path = getenv("KUZET_WALL_CLOCK_OFFSET_FILE");
    if (path == NULL) return 0;
    struct timespec now;
    if (real()(CLOCK_MONOTONIC, &now) != 0) return atomic_load(&offset_ns);
    long long monotonic = (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
    long long due = atomic_load(&next_read_ns);
    if (monotonic >= due && atomic_compare_exchange_strong(&next_read_ns, &due, monotonic + 20000000LL)) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            char text[64];
            ssize_t count = read(fd, text, sizeof text - 1);
            close(fd);
            if (count > 0) {
                text[count] = 0;
                char *end = NULL;
                double seconds = strtod(text, &end);
                if (end != text && seconds > -1e10 && seconds < 1e10)
                    atomic_store(&offset_ns, (long long)(seconds * 1e9));
            }
        }
    }
    return atomic_load(&offset_ns);
}

static void shift(struct timespec *ts) {
    long long total = (long long)ts->tv_sec * 1000000000LL + ts->tv_nsec + current_offset();
    long long seconds = total / 1000000000LL, nanos = total % 1000000000LL;
    if (nanos < 0) { nanos += 1000000000LL; seconds -= 1; }
    ts->tv_sec = (time_t)seconds;
    ts->tv_nsec = (long)nanos;
}

int clock_gettime(clockid_t clock, struct timespec *ts) {
    int result = real()(clock, ts);
    if (result == 0 && (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)) shift(ts);
    return result;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
    (void)tz;
    struct timespec ts;
    int result = clock_gettime(CLOCK_REALTIME, &ts);
    if (result == 0) {
        tv->tv_sec = ts.tv_sec;
        tv->tv_usec = ts.tv_nsec / 1000;
    }
    return result;
}

time_t time(time_t *out) {
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return (time_t)-1;
    if (out != NULL) *out = ts.tv_sec;
    return ts.tv_sec;
}
