/* One-line log messages for the edges (main.c, driver.c): debug and info
 * on stdout, warnings and errors on stderr; each line is flushed. */
#ifndef OVSGW_LOG_H
#define OVSGW_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Parses "debug", "info", "warn" or "error"; returns -1 if unknown. */
int log_level_parse(const char *s);
void log_set_level(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A rate limit for messages a loop can repeat: at most one per
 * LOG_RL_MS, saying how many were left out.  Zero-initialise. */
#define LOG_RL_MS 60000
struct log_rl {
    long long next_ms;
    unsigned suppressed;
};
void log_rl_msg(struct log_rl *rl, enum log_level level, const char *fmt,
                ...) __attribute__((format(printf, 3, 4)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn_rl(rl, ...) log_rl_msg(rl, LOG_WARN, __VA_ARGS__)

#endif
