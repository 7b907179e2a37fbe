/* HTTP routing and error mapping through http_dispatch(), and the real
 * driver route table's stateless calls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "driver.h"
#include "ovsgw.h"
#include "http.h"

static unsigned echo(void *ud, const json_t *req, json_t **ret)
{
    (*(int *) ud)++;
    *ret = json_pack("{s:O}", "Got", (json_t *) req);
    return 200;
}

static const struct http_route routes[] = {
    { "/Echo", echo },
};

static unsigned call(const char *method, const char *path, const char *body,
                     size_t len, char **ret)
{
    static int calls;
    return http_dispatch(routes, 1, &calls, method, path, body, len, ret);
}

static void expect(unsigned status, const char *want, const char *method,
                   const char *path, const char *body, size_t len)
{
    char *got = NULL;
    assert_int_equal(call(method, path, body, len, &got), status);
    assert_string_equal(got, want);
    free(got);
}

static void test_routing(void **state)
{
    (void) state;
    expect(200, "{\"Got\":{\"a\":1}}", "POST", "/Echo", "{\"a\": 1}", 8);
    expect(200, "{\"Got\":{}}", "POST", "/Echo", "", 0);
    expect(404, "{\"Err\":\"unknown path /Nope\"}", "POST", "/Nope", "", 0);
    expect(405, "{\"Err\":\"/Echo: want POST, not GET\"}", "GET", "/Echo",
           "", 0);
    expect(400, "{\"Err\":\"/Echo: bad JSON: unexpected token near end "
                "of file at byte 5\"}", "POST", "/Echo", "{\"a\":", 5);
    expect(400, "{\"Err\":\"/Echo: want a JSON object\"}", "POST", "/Echo",
           "[1]", 3);
    expect(400, "{\"Err\":\"/Echo: bad JSON: duplicate object key near "
                "'\\\"a\\\"' at byte 11\"}",
           "POST", "/Echo", "{\"a\":1, \"a\":2}", 14);
    expect(413, "{\"Err\":\"/Echo: request body over 1048576 bytes\"}",
           "POST", "/Echo", "", HTTP_BODY_MAX + 1);
}

/* Any bytes in the path or method get an answer whose Err holds them,
 * escaped: a path with byte 0xff used to crash the daemon. */
static void test_any_bytes(void **state)
{
    (void) state;
    expect(404, "{\"Err\":\"unknown path /\\\\xff\"}", "POST", "/\xff", "",
           0);
    expect(404, "{\"Err\":\"unknown path /a\\\\x0ab\"}", "POST", "/a\nb",
           "", 0);
    expect(405, "{\"Err\":\"/Echo: want POST, not \\\\xfe\\\\xff\"}",
           "\xfe\xff", "/Echo", "", 0);
    /* A path cut at 200 characters, never inside one. */
    char path[512] = "/";
    for (int i = 0; i < 250; i++) {
        strcat(path, "\xc3\xa9");
    }
    char *got = NULL;
    assert_int_equal(call("POST", path, "", 0, &got), 404);
    json_t *j = json_loads(got, 0, NULL);
    const char *err = json_string_value(json_object_get(j, "Err"));
    assert_non_null(err);
    assert_int_equal(strncmp(err, "unknown path /\xc3\xa9", 16), 0);
    assert_non_null(strstr(err, "\xc3\xa9..."));
    json_decref(j);
    free(got);
}

/* The calls that need no OVS answer from the real route table. */
static void test_driver_stateless(void **state)
{
    size_t n;
    const struct http_route *r = driver_routes(&n);
    struct ovsgw *d;
    struct ovsgw_config cfg = { .ovsdb_remote = "unix:/nonexistent/db",
                                .ovs_rundir = "/nonexistent" };
    char *got;
    (void) state;

    assert_int_equal(ovsgw_new(&cfg, &d), 0);
    assert_int_equal(http_dispatch(r, n, d, "POST", "/Plugin.Activate", "",
                                   0, &got), 200);
    assert_string_equal(got, "{\"Implements\":[\"NetworkDriver\"]}");
    free(got);
    assert_int_equal(http_dispatch(r, n, d, "POST",
                                   "/NetworkDriver.GetCapabilities", "", 0,
                                   &got), 200);
    assert_string_equal(got, "{\"Scope\":\"local\",\"ConnectivityScope\":"
                             "\"local\"}");
    free(got);
    static const char *const empty[] = {
        "/NetworkDriver.DiscoverNew", "/NetworkDriver.DiscoverDelete",
        "/NetworkDriver.AllocateNetwork", "/NetworkDriver.FreeNetwork",
    };
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        assert_int_equal(http_dispatch(r, n, d, "POST", empty[i], "{}", 2,
                                       &got), 200);
        assert_string_equal(got, "{}");
        free(got);
    }
    /* Publishing ports needs the endpoint. */
    assert_int_equal(http_dispatch(r, n, d, "POST",
                                   "/NetworkDriver.ProgramExternalConnectivity",
                                   "{}", 2, &got), 400);
    assert_string_equal(got, "{\"Err\":\"missing NetworkID\"}");
    free(got);
    /* OVSDB is unreachable: a clear Err at once, no hang. */
    const char *join = "{\"NetworkID\": \"0123456789abcdef\", "
                       "\"EndpointID\": \"fedcba9876543210\"}";
    assert_int_equal(http_dispatch(r, n, d, "POST", "/NetworkDriver.Join",
                                   join, strlen(join), &got), 503);
    assert_string_equal(got, "{\"Err\":\"cannot read ovsgw state from "
                             "OVSDB: cannot connect to ovsdb-server at "
                             "/nonexistent/db: No such file or "
                             "directory\"}");
    free(got);
    /* A bad option fails before anything touches OVS. */
    const char *create =
        "{\"NetworkID\": \"0123456789abcdef\", \"IPv4Data\": [{\"Pool\": "
        "\"10.0.0.0/24\", \"Gateway\": \"10.0.0.1/24\"}], \"Options\": "
        "{\"com.docker.network.generic\": {\"ovsgw.bogus\": \"1\"}}}";
    assert_int_equal(http_dispatch(r, n, d, "POST",
                                   "/NetworkDriver.CreateNetwork", create,
                                   strlen(create), &got), 400);
    assert_non_null(strstr(got, "unknown option \\\"ovsgw.bogus\\\""));
    free(got);
    ovsgw_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routing),
        cmocka_unit_test(test_any_bytes),
        cmocka_unit_test(test_driver_stateless),
    };
    return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
