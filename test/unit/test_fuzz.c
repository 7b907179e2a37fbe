/* Replays the fuzz corpus and every past crash (test/fuzz/regress)
 * through the fuzz target: they must run clean, also under ASan. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    assert_non_null(d);
    while ((de = readdir(d))) {
        char path[512], buf[65536];
        if (de->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        size_t len = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput((const uint8_t *) buf, len);
        n++;
    }
    closedir(d);
    return n;
}

static void test_corpus(void **state)
{
    (void) state;
    assert_true(replay_dir("fuzz/corpus") > 10);
}

static void test_regressions(void **state)
{
    (void) state;
    replay_dir("fuzz/regress");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_regressions),
    };
    return cmocka_run_group_tests_name("fuzz-replay", tests, NULL, NULL);
}
