#include "link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/route/link.h>
#include <netlink/route/addr.h>
#include <linux/ip.h>
#include <netlink/route/link/inet.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int nl_to_errno(int nlerr)
{
    switch (nlerr < 0 ? -nlerr : nlerr) {
    case 0:
        return 0;
    case NLE_EXIST:
        return -EEXIST;
    case NLE_NODEV:
    case NLE_OBJ_NOTFOUND:
        return -ENODEV;
    case NLE_NOMEM:
        return -ENOMEM;
    case NLE_PERM:
        return -EPERM;
    case NLE_INVAL:
    case NLE_MSG_TOOSHORT:
        return -EINVAL;
    case NLE_RANGE:
        return -ERANGE;
    case NLE_BUSY:
        return -EBUSY;
    case NLE_OPNOTSUPP:
        return -EOPNOTSUPP;
    case NLE_AGAIN:
        return -EAGAIN;
    default:
        return -EIO;
    }
}

static int open_sock(struct nl_sock **ret)
{
    struct nl_sock *sk = nl_socket_alloc();
    int r;

    if (!sk) {
        return -ENOMEM;
    }
    if ((r = nl_connect(sk, NETLINK_ROUTE)) < 0) {
        nl_socket_free(sk);
        return nl_to_errno(r);
    }
    *ret = sk;
    return 0;
}

enum updown { KEEP, DOWN, UP };

/* Sets 'mtu' on 'name' if positive, and brings it up or down.  Only what
 * differs: every change the kernel announces makes ovs-vswitchd
 * reconfigure all its bridges. */
static int change(struct nl_sock *sk, const char *name, int mtu,
                  enum updown state)
{
    struct rtnl_link *orig = NULL, *ch;
    bool any = false;
    int r;

    if ((r = rtnl_link_get_kernel(sk, 0, name, &orig)) < 0) {
        return nl_to_errno(r);
    }
    if (!(ch = rtnl_link_alloc())) {
        rtnl_link_put(orig);
        return -ENOMEM;
    }
    if (mtu > 0 && rtnl_link_get_mtu(orig) != (unsigned) mtu) {
        rtnl_link_set_mtu(ch, (unsigned) mtu);
        any = true;
    }
    bool up = rtnl_link_get_flags(orig) & IFF_UP;
    if (state == UP && !up) {
        rtnl_link_set_flags(ch, IFF_UP);
        any = true;
    } else if (state == DOWN && up) {
        rtnl_link_unset_flags(ch, IFF_UP);
        any = true;
    }
    r = any ? nl_to_errno(rtnl_link_change(sk, orig, ch, 0)) : 0;
    rtnl_link_put(ch);
    rtnl_link_put(orig);
    return r;
}

static int delete_by_name(struct nl_sock *sk, const char *name)
{
    struct rtnl_link *l = rtnl_link_alloc();
    int r;

    if (!l) {
        return -ENOMEM;
    }
    rtnl_link_set_name(l, name);
    r = rtnl_link_delete(sk, l);
    rtnl_link_put(l);
    return nl_to_errno(r);
}

int link_veth_create(const char *host, const char *peer,
                     const uint8_t peer_mac[MAC_LEN], int mtu)
{
    struct nl_sock *sk;
    struct rtnl_link *link, *peer_link;
    struct nl_addr *addr;
    int r;

    if ((r = open_sock(&sk)) < 0) {
        return r;
    }
    link = rtnl_link_veth_alloc();
    addr = nl_addr_build(AF_LLC, peer_mac, MAC_LEN);
    if (!link || !addr) {
        r = -ENOMEM;
        goto out;
    }
    rtnl_link_set_name(link, host);
    rtnl_link_set_mtu(link, (unsigned) mtu);
    peer_link = rtnl_link_veth_get_peer(link);
    rtnl_link_set_name(peer_link, peer);
    rtnl_link_set_mtu(peer_link, (unsigned) mtu);
    rtnl_link_set_addr(peer_link, addr);
    rtnl_link_put(peer_link);
    r = nl_to_errno(rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL));
    if (r == 0 && (r = change(sk, host, 0, UP)) < 0) {
        delete_by_name(sk, host);
    }
out:
    nl_addr_put(addr);
    rtnl_link_put(link);
    nl_socket_free(sk);
    return r;
}

int link_delete(const char *name)
{
    struct nl_sock *sk;
    int r;

    if ((r = open_sock(&sk)) < 0) {
        return r;
    }
    r = delete_by_name(sk, name);
    nl_socket_free(sk);
    return r;
}

int link_veth_reuse(const char *host, const char *peer, int mtu)
{
    struct nl_sock *sk;
    int r;

    if ((r = open_sock(&sk)) < 0) {
        return r;
    }
    if ((r = change(sk, peer, mtu, DOWN)) == 0) {
        r = change(sk, host, mtu, KEEP);
    }
    nl_socket_free(sk);
    return r;
}

int link_set_down(const char *name)
{
    struct nl_sock *sk;
    int r;

    if ((r = open_sock(&sk)) < 0) {
        return r;
    }
    r = change(sk, name, 0, DOWN);
    nl_socket_free(sk);
    return r;
}

bool link_exists(const char *name)
{
    return if_nametoindex(name) != 0;
}

int link_set_tx_csum(const char *name, bool on)
{
    struct ethtool_value ev = { .cmd = ETHTOOL_STXCSUM, .data = on };
    struct ifreq ifr = { 0 };
    int fd, r = 0;

    if (strlen(name) >= IFNAMSIZ) {
        return -EINVAL;
    }
    strcpy(ifr.ifr_name, name);
    ifr.ifr_data = (void *) &ev;
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -errno;
    }
    if (ioctl(fd, SIOCETHTOOL, &ifr) < 0) {
        r = -errno;
    }
    close(fd);
    return r;
}

/* The address length of 'family'. */
static int addr_len(int family)
{
    return family == AF_INET6 ? 16 : 4;
}

/* True if the link 'ifindex' has the address 'a' ('family' bytes). */
static bool has_addr(struct nl_sock *sk, int ifindex, int family,
                     const void *a)
{
    struct nl_cache *cache;
    bool found = false;

    if (rtnl_addr_alloc_cache(sk, &cache) < 0) {
        return false;
    }
    for (struct nl_object *o = nl_cache_get_first(cache); o && !found;
         o = nl_cache_get_next(o)) {
        struct rtnl_addr *ra = (struct rtnl_addr *) o;
        struct nl_addr *local = rtnl_addr_get_local(ra);
        found = rtnl_addr_get_ifindex(ra) == ifindex
                && rtnl_addr_get_family(ra) == family && local
                && nl_addr_get_len(local) == (unsigned) addr_len(family)
                && !memcmp(nl_addr_get_binary_addr(local), a,
                           (size_t) addr_len(family));
    }
    nl_cache_free(cache);
    return found;
}

/* Turns net.ipv4.conf.NAME.route_localnet on, over netlink (a managed
 * plugin's /proc/sys is read-only), unless it is on. */
static int route_localnet_on(struct nl_sock *sk, const char *name)
{
    struct rtnl_link *orig = NULL, *ch;
    uint32_t v = 0;
    int r;

    if ((r = rtnl_link_get_kernel(sk, 0, name, &orig)) < 0) {
        return nl_to_errno(r);
    }
    if (rtnl_link_inet_get_conf(orig, IPV4_DEVCONF_ROUTE_LOCALNET, &v) == 0
        && v == 1) {
        rtnl_link_put(orig);
        return 0;
    }
    if (!(ch = rtnl_link_alloc())) {
        rtnl_link_put(orig);
        return -ENOMEM;
    }
    r = rtnl_link_inet_set_conf(ch, IPV4_DEVCONF_ROUTE_LOCALNET, 1);
    if (r == 0) {
        r = nl_to_errno(rtnl_link_change(sk, orig, ch, 0));
    } else {
        r = nl_to_errno(r);
    }
    rtnl_link_put(ch);
    rtnl_link_put(orig);
    return r;
}

/* Adds 'a'/host-prefix ('family' bytes) to the link 'ifindex' unless it
 * has it.  With 'nodad' (IPv6), the address is usable at once. */
static int addr_add(struct nl_sock *sk, int ifindex, int family,
                    const void *a)
{
    struct rtnl_addr *ra;
    struct nl_addr *local;
    int r;

    if (has_addr(sk, ifindex, family, a)) {
        return 0;
    }
    ra = rtnl_addr_alloc();
    local = nl_addr_build(family, a, addr_len(family));
    if (!ra || !local) {
        r = -ENOMEM;
    } else {
        nl_addr_set_prefixlen(local, addr_len(family) * 8);
        rtnl_addr_set_ifindex(ra, ifindex);
        rtnl_addr_set_local(ra, local);
        if (family == AF_INET6) {
            rtnl_addr_set_flags(ra, IFA_F_NODAD);
        }
        r = nl_to_errno(rtnl_addr_add(sk, ra, 0));
        r = r == -EEXIST ? 0 : r;
    }
    nl_addr_put(local);
    rtnl_addr_put(ra);
    return r;
}

int link_uplink_setup(const char *name, uint32_t ip,
                      const struct in6_addr *ip6)
{
    struct nl_sock *sk;
    int ifindex = (int) if_nametoindex(name), r;
    uint32_t be = htonl(ip);

    if (ifindex == 0) {
        return -ENODEV;
    }
    if ((r = open_sock(&sk)) < 0) {
        return r;
    }
    if ((r = change(sk, name, 0, UP)) < 0
        || (r = addr_add(sk, ifindex, AF_INET, &be)) < 0) {
        goto out;
    }
    /* A host without IPv6 (disabled) still gets its IPv4 way. */
    if (ip6 && (r = addr_add(sk, ifindex, AF_INET6, ip6)) < 0
        && r != -EACCES && r != -EOPNOTSUPP && r != -EPERM) {
        goto out;
    }
    r = route_localnet_on(sk, name);
out:
    nl_socket_free(sk);
    return r;
}

/* A route object for dst/plen in the main table; with a device, via 'gw'
 * onlink from 'src'.  Addresses are 'family' bytes in network order. */
static struct rtnl_route *route_obj(int family, const void *dst, int plen,
                                    const void *gw, int ifindex,
                                    const void *src)
{
    struct rtnl_route *rt = rtnl_route_alloc();
    struct nl_addr *d = nl_addr_build(family, dst, addr_len(family));

    if (!rt || !d) {
        nl_addr_put(d);
        rtnl_route_put(rt);
        return NULL;
    }
    nl_addr_set_prefixlen(d, plen);
    rtnl_route_set_family(rt, (uint8_t) family);
    rtnl_route_set_table(rt, RT_TABLE_MAIN);
    rtnl_route_set_dst(rt, d);
    nl_addr_put(d);
    if (ifindex > 0) {
        struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
        struct nl_addr *g = gw ? nl_addr_build(family, gw, addr_len(family))
                               : NULL;
        struct nl_addr *sa = src ? nl_addr_build(family, src,
                                                 addr_len(family))
                                 : NULL;
        if (!nh || (gw && !g) || (src && !sa)) {
            nl_addr_put(g);
            nl_addr_put(sa);
            rtnl_route_nh_free(nh);
            rtnl_route_put(rt);
            return NULL;
        }
        rtnl_route_set_protocol(rt, RTPROT_STATIC);
        rtnl_route_set_scope(rt, RT_SCOPE_UNIVERSE);
        if (sa) {
            rtnl_route_set_pref_src(rt, sa);
        }
        rtnl_route_nh_set_ifindex(nh, ifindex);
        if (g) {
            rtnl_route_nh_set_gateway(nh, g);
            rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
        }
        rtnl_route_add_nexthop(rt, nh);
        nl_addr_put(g);
        nl_addr_put(sa);
    }
    return rt;
}

int link_route_add(int family, const void *dst, int plen, const void *gw,
                   const char *dev, const void *src)
{
    int ifindex = (int) if_nametoindex(dev), r;
    struct nl_sock *sk;
    struct rtnl_route *rt;

    if (ifindex == 0) {
        return -ENODEV;
    }
    if ((r = open_sock(&sk)) < 0) {
        return r;
    }
    if (!(rt = route_obj(family, dst, plen, gw, ifindex, src))) {
        r = -ENOMEM;
    } else {
        r = nl_to_errno(rtnl_route_add(sk, rt, NLM_F_REPLACE));
    }
    rtnl_route_put(rt);
    nl_socket_free(sk);
    return r;
}

int link_route_del(int family, const void *dst, int plen, const char *dev)
{
    int ifindex = (int) if_nametoindex(dev), r;
    struct nl_sock *sk;
    struct rtnl_route *rt;

    if (ifindex == 0) {
        return 0; /* the device is gone, and its routes with it */
    }
    if ((r = open_sock(&sk)) < 0) {
        return r;
    }
    /* As link_route_add() made it: the kernel matches protocol and scope
     * too, so a route built without them matches nothing (and deleting
     * nothing is no error: ESRCH). */
    if (!(rt = route_obj(family, dst, plen, NULL, ifindex, NULL))) {
        r = -ENOMEM;
    } else {
        r = nl_to_errno(rtnl_route_delete(sk, rt, 0));
        r = r == -ENODEV || r == -ESRCH ? 0 : r;
    }
    rtnl_route_put(rt);
    nl_socket_free(sk);
    return r;
}

bool link_route_present(int family, const void *dst, int plen,
                        const char *dev)
{
    int ifindex = (int) if_nametoindex(dev);
    struct nl_cache *cache = NULL;
    struct nl_sock *sk;
    bool found = false;

    if (ifindex == 0 || open_sock(&sk) < 0) {
        return false;
    }
    if (rtnl_route_alloc_cache(sk, family, 0, &cache) < 0) {
        nl_socket_free(sk);
        return false;
    }
    for (struct nl_object *o = nl_cache_get_first(cache); o && !found;
         o = nl_cache_get_next(o)) {
        struct rtnl_route *rt = (struct rtnl_route *) o;
        struct nl_addr *d = rtnl_route_get_dst(rt);
        struct rtnl_nexthop *nh = rtnl_route_nexthop_n(rt, 0);
        found = rtnl_route_get_table(rt) == RT_TABLE_MAIN && d
                && nl_addr_get_len(d) == (unsigned) addr_len(family)
                && nl_addr_get_prefixlen(d) == (unsigned) plen
                && !memcmp(nl_addr_get_binary_addr(d), dst,
                           (size_t) addr_len(family))
                && nh && rtnl_route_nh_get_ifindex(nh) == ifindex;
    }
    nl_cache_free(cache);
    nl_socket_free(sk);
    return found;
}
