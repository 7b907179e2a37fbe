#include "link.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
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
