#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "timeval.h"

static enum log_level min_level = LOG_INFO;
static const char *const names[] = { "debug", "info", "warn", "error" };

int log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++) {
        if (!strcmp(s, names[i])) {
            return i;
        }
    }
    return -1;
}

void log_set_level(enum log_level level)
{
    min_level = level;
}

static void vlog(enum log_level level, const char *fmt, va_list ap,
                 unsigned suppressed);

void log_msg(enum log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog(level, fmt, ap, 0);
    va_end(ap);
}

void log_rl_msg(struct log_rl *rl, enum log_level level, const char *fmt,
                ...)
{
    long long now = time_msec();
    va_list ap;

    if (now < rl->next_ms) {
        rl->suppressed++;
        return;
    }
    va_start(ap, fmt);
    vlog(level, fmt, ap, rl->suppressed);
    va_end(ap);
    rl->next_ms = now + LOG_RL_MS;
    rl->suppressed = 0;
}

static void vlog(enum log_level level, const char *fmt, va_list ap,
                 unsigned suppressed)
{
    struct timespec ts;
    struct tm tm;
    char stamp[32];

    if (level < min_level) {
        return;
    }
    /* Warnings and errors on stderr, the rest on stdout: dockerd logs a
     * managed plugin's stderr at level error. */
    FILE *f = level >= LOG_WARN ? stderr : stdout;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    flockfile(f);
    fprintf(f, "%s.%03ldZ ovsgw %s: ", stamp, ts.tv_nsec / 1000000,
            names[level]);
    vfprintf(f, fmt, ap);
    if (suppressed) {
        fprintf(f, " (and %u more like it)", suppressed);
    }
    fputc('\n', f);
    fflush(f);
    funlockfile(f);
}
