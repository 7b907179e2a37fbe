/* The text form of 'ovsgw status', against a golden file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "status.h"
#include "golden.h"

static void test_format(void **state)
{
    (void) state;
    json_t *st = json_loads(
        "{\"source\": \"daemon\", \"networks\": [{"
        "\"network\": \"aa55f0eead658a04b033bddfdac89b110d1fdd30bd3ce42db3bd"
        "973387c39b93\", \"bridge\": \"ovsgw-aa55f0eea\", \"datapath\": "
        "\"netdev\", \"bridge_owned\": true, \"spare_ports\": "
        "[\"og1b2c3d4e5f60\", \"og77aa88bb99cc\"], \"gateway_mac\": "
        "\"06:aa:55:f0:ee:ad\", \"subnets\": [{\"subnet\": \"10.20.1.0/24\","
        " \"gateway\": \"10.20.1.1\"}, {\"subnet\": \"10.20.2.0/24\", "
        "\"gateway\": \"10.20.2.1\"}], \"tcp_policy\": \"deny "
        "10.20.2.0/24->10.20.1.0/24, default allow\", \"mtu\": 1500, "
        "\"cookie\": \"0xaa55f0ee00000000\", \"endpoints\": [{\"endpoint\": "
        "\"0a703a019c12c82f\", \"container_side\": \"oc0a703a019c12\", "
        "\"address\": \"10.20.1.100/24\", \"mac\": \"02:0a:70:3a:01:9c\", "
        "\"port\": \"og0a703a019c12\", \"ofport\": 1, \"cookie\": "
        "\"0xaa55f0ee0a703a01\", \"rx_packets\": 12, \"tx_packets\": 10, "
        "\"published_ports\": [{\"proto\": \"tcp\", \"port\": 8080, "
        "\"host_ip\": \"\", \"host_port\": 18080}, {\"proto\": \"udp\", "
        "\"port\": 53, \"host_ip\": \"127.0.0.1\", \"host_port\": 5353}]}], "
        "\"internal\": false, \"nat\": true, \"uplink\": \"ovsgwu1a2b3c4d\"},"
        "{\"network\": \"bb00000000000000\", \"bridge\": \"br-x\", "
        "\"datapath\": \"system\", \"bridge_owned\": false, \"gateway_mac\": "
        "\"0a:00:00:00:00:01\", \"subnets\": [{\"subnet\": \"10.30.0.0/16\", "
        "\"gateway\": \"10.30.0.1\"}], \"tcp_policy\": \"default deny\", "
        "\"mtu\": 1400, \"cookie\": \"0xbb00000000000000\", \"endpoints\": "
        "[], \"internal\": true, \"nat\": false, \"uplink\": \"\"}]}", 0,
        NULL);
    assert_non_null(st);
    char *text = status_format(st);
    golden_check("status.txt", text);
    free(text);
    json_decref(st);

    json_t *empty = json_loads("{\"networks\": []}", 0, NULL);
    text = status_format(empty);
    assert_string_equal(text, "no ovsgw networks\n");
    free(text);
    json_decref(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests_name("status", tests, NULL, NULL);
}
