#include "timeval.h"

#include <time.h>

static long long budget_end; /* 0: no budget */

long long time_usec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

long long time_msec(void)
{
    return time_usec() / 1000;
}

void time_budget_begin(long long ms)
{
    budget_end = time_msec() + ms;
}

void time_budget_end(void)
{
    budget_end = 0;
}

long long time_deadline(long long timeout_ms)
{
    long long d = time_msec() + timeout_ms;

    return budget_end && budget_end < d ? budget_end : d;
}
