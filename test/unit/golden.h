/* Golden files for the unit tests: test/golden/NAME.flows.  With
 * OVSGW_UPDATE_GOLDEN=1 in the environment they are rewritten first. */
#ifndef OVSGW_TEST_GOLDEN_H
#define OVSGW_TEST_GOLDEN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static inline char *golden_slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    struct strbuf sb = { 0 };
    char buf[4096];
    size_t n;

    if (!f) {
        return NULL;
    }
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        strbuf_addn(&sb, buf, n);
    }
    fclose(f);
    return strbuf_take(&sb);
}

static inline void golden_check(const char *name, const char *got)
{
    char path[256];
    /* A name with an extension is a file name; else NAME.flows. */
    snprintf(path, sizeof path, strchr(name, '.') ? "golden/%s"
                                                  : "golden/%s.flows", name);
    if (getenv("OVSGW_UPDATE_GOLDEN")) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(got, f);
        fclose(f);
    }
    char *want = golden_slurp(path);
    assert_non_null(want);
    assert_string_equal(got, want);
    free(want);
}

#endif
