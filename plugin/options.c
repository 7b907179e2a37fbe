#include "options.h"

#include <string.h>

#define MTU_KEY "com.docker.network.driver.mtu"

static const char *const known_keys =
    "ovsgw.mode, ovsgw.ovn.name, ovsgw.bridge, ovsgw.datapath, "
    "ovsgw.gateway_mac, ovsgw.nat, ovsgw.tcp.default, ovsgw.tcp.rules, "
    MTU_KEY;

/* Keys of the local mode only: they name this host's bridge. */
static const char *const local_keys[] = { "ovsgw.bridge",
                                          "ovsgw.datapath" };

bool options_valid_ifname(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > OPTIONS_BRIDGE_MAX || name[0] == '-'
        || name[0] == '.') {
        return false;
    }
    return strspn(name, "abcdefghijklmnopqrstuvwxyz"
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

const char *options_datapath_name(enum options_datapath dp)
{
    return dp == OPTIONS_DP_NETDEV ? "netdev" : "system";
}

/* A logical network's name: 1..64 characters of [A-Za-z0-9_.-]. */
static bool valid_ovn_name(const char *name)
{
    size_t n = strlen(name);

    return n > 0 && n <= OPTIONS_OVN_NAME_MAX
           && strspn(name, "abcdefghijklmnopqrstuvwxyz"
                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

static char *parse_one(const char *key, const char *val, struct options *o)
{
    if (!strcmp(key, "ovsgw.mode")) {
        if (!strcmp(val, "local") || !strcmp(val, "ovn")) {
            o->mode = !strcmp(val, "ovn") ? OPTIONS_MODE_OVN
                                          : OPTIONS_MODE_LOCAL;
        } else {
            return xasprintf("%s: bad mode \"%s\": want local or ovn", key,
                             val);
        }
    } else if (!strcmp(key, "ovsgw.ovn.name")) {
        if (!valid_ovn_name(val)) {
            return xasprintf("%s: bad name \"%s\": want 1 to %d characters "
                             "of A-Z a-z 0-9 _ . -", key, val,
                             OPTIONS_OVN_NAME_MAX);
        }
        strcpy(o->ovn_name, val);
    } else if (!strcmp(key, "ovsgw.bridge")) {
        if (!options_valid_ifname(val)) {
            return xasprintf("%s: bad bridge name \"%s\": want 1 to %d "
                             "characters of A-Z a-z 0-9 _ . -", key, val,
                             OPTIONS_BRIDGE_MAX);
        }
        strcpy(o->bridge, val);
    } else if (!strcmp(key, "ovsgw.datapath")) {
        if (!strcmp(val, "system")) {
            o->datapath = OPTIONS_DP_SYSTEM;
        } else if (!strcmp(val, "netdev")) {
            o->datapath = OPTIONS_DP_NETDEV;
        } else {
            return xasprintf("%s: bad datapath \"%s\": want system or "
                             "netdev", key, val);
        }
    } else if (!strcmp(key, "ovsgw.gateway_mac")) {
        uint8_t mac[MAC_LEN];
        static const uint8_t zero[MAC_LEN];
        if (!addr_mac_parse(val, mac) || (mac[0] & 1)
            || !memcmp(mac, zero, MAC_LEN)) {
            return xasprintf("%s: bad MAC \"%s\": want a unicast "
                             "xx:xx:xx:xx:xx:xx", key, val);
        }
        memcpy(o->gateway_mac, mac, MAC_LEN);
        o->gateway_mac_set = true;
    } else if (!strcmp(key, MTU_KEY)) {
        long mtu;
        if (!util_parse_int(val, 68, 65535, &mtu)) {
            return xasprintf("%s: bad MTU \"%s\": want 68 to 65535", key,
                             val);
        }
        o->mtu = (int) mtu;
        o->mtu_set = true;
    } else if (!strcmp(key, "ovsgw.nat")) {
        if (!strcmp(val, "true") || !strcmp(val, "false")) {
            o->nat = !strcmp(val, "true");
        } else {
            return xasprintf("%s: bad value \"%s\": want true or false",
                             key, val);
        }
    } else if (!strcmp(key, "ovsgw.tcp.default")) {
        if (!strcmp(val, "allow") || !strcmp(val, "deny")) {
            o->policy.default_deny = !strcmp(val, "deny");
        } else {
            return xasprintf("%s: bad value \"%s\": want allow or deny",
                             key, val);
        }
    } else if (!strcmp(key, "ovsgw.tcp.rules")) {
        return policy_parse_rules(key, val, &o->policy);
    } else if (!strncmp(key, "ovsgw.", 6)) {
        return xasprintf("unknown option \"%s\" (known: %s)", key,
                         known_keys);
    }
    return NULL;
}

/* The keys that go with one mode only.  Returns NULL or a message. */
static char *check_mode(const json_t *generic, struct options *o)
{
    if (o->mode == OPTIONS_MODE_LOCAL) {
        return o->ovn_name[0] ? xstrdup("ovsgw.ovn.name: only with "
                                        "ovsgw.mode=ovn")
                              : NULL;
    }
    if (!o->ovn_name[0]) {
        return xstrdup("ovsgw.mode=ovn needs ovsgw.ovn.name, the logical "
                       "network's name: the same on every host that "
                       "joins it (Docker does not tell drivers the "
                       "network's name)");
    }
    for (size_t i = 0; i < ARRAY_SIZE(local_keys); i++) {
        if (json_object_get(generic, local_keys[i])) {
            return xasprintf("%s: not in OVN mode (the network lives on "
                             "OVN's integration bridge, and leaves the "
                             "host through OVN)", local_keys[i]);
        }
    }
    if (!o->mtu_set) {
        o->mtu = OPTIONS_MTU_OVN_DEFAULT;
    }
    return NULL;
}

char *options_parse(const json_t *generic, struct options *ret)
{
    struct options o = { .datapath = OPTIONS_DP_AUTO,
                         .mtu = OPTIONS_MTU_DEFAULT, .nat = true };
    const char *key;
    json_t *val;
    char *err;

    if (generic && !json_is_null(generic)) {
        if (!json_is_object(generic)) {
            return xstrdup("driver options: want an object of strings");
        }
        json_object_foreach((json_t *) generic, key, val) {
            bool ours = !strncmp(key, "ovsgw.", 6) || !strcmp(key, MTU_KEY);
            if (!ours) {
                continue;
            }
            if (!json_is_string(val)) {
                return xasprintf("%s: want a string value", key);
            }
            if ((err = parse_one(key, json_string_value(val), &o))) {
                return err;
            }
        }
    }
    if ((err = check_mode(generic, &o))) {
        return err;
    }
    *ret = o;
    return NULL;
}
