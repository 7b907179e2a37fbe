#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

void log_msg(enum log_level level, const char *fmt, ...)
{
    struct timespec ts;
    struct tm tm;
    char stamp[32];
    va_list ap;

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
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
    fflush(f);
    funlockfile(f);
}
