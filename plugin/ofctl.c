#include "ofctl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

extern char **environ;

/* Runs ovs-ofctl with 'argv', feeding 'input' on stdin and collecting
 * stdout and stderr.  Returns the exit status (0..255) or -errno. */
static int run(char *const argv[], const char *input, char **ret_out,
               char **ret_err)
{
    int in[2], out[2], err[2];
    posix_spawn_file_actions_t fa;
    struct strbuf sout = { 0 }, serr = { 0 };
    size_t off = 0, len = input ? strlen(input) : 0;
    int fds_open = 2;
    pid_t pid;
    int r, status;

    if (pipe2(in, O_CLOEXEC) < 0) {
        return -errno;
    }
    if (pipe2(out, O_CLOEXEC) < 0) {
        r = -errno;
        goto close_in;
    }
    if (pipe2(err, O_CLOEXEC) < 0) {
        r = -errno;
        goto close_out;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    r = -posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    in[0] = out[1] = err[1] = -1;
    if (r < 0) {
        close(in[1]);
        close(out[0]);
        close(err[0]);
        return r;
    }

    /* Feed stdin and drain both outputs together so that no pipe fills
     * up and blocks the child. */
    if (len == 0) {
        close(in[1]);
        in[1] = -1;
    }
    while (fds_open > 0 || in[1] >= 0) {
        struct pollfd p[3] = {
            { .fd = out[0], .events = POLLIN },
            { .fd = err[0], .events = POLLIN },
            { .fd = in[1], .events = POLLOUT },
        };
        if (poll(p, 3, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (p[i].fd >= 0 && p[i].revents) {
                char buf[4096];
                ssize_t n = read(p[i].fd, buf, sizeof buf);
                if (n > 0) {
                    strbuf_addn(i ? &serr : &sout, buf, (size_t) n);
                } else if (n == 0 || errno != EINTR) {
                    close(p[i].fd);
                    if (i) {
                        err[0] = -1;
                    } else {
                        out[0] = -1;
                    }
                    fds_open--;
                }
            }
        }
        if (in[1] >= 0 && p[2].revents) {
            ssize_t n = write(in[1], input + off, len - off);
            if (n > 0) {
                off += (size_t) n;
            }
            if ((n < 0 && errno != EINTR && errno != EAGAIN) || off == len) {
                close(in[1]);
                in[1] = -1;
            }
        }
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (ret_out) {
        *ret_out = strbuf_take(&sout);
    }
    strbuf_free(&sout);
    if (ret_err) {
        *ret_err = strbuf_take(&serr);
    }
    strbuf_free(&serr);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -ECHILD;

close_out:
    close(out[0]);
    close(out[1]);
close_in:
    close(in[0]);
    close(in[1]);
    return r;
}

static char *target(const char *rundir, const char *bridge)
{
    return xasprintf("unix:%s/%s.mgmt", rundir, bridge);
}

int ofctl_count(const char *rundir, const char *bridge,
                unsigned long long cookie, unsigned long long mask)
{
    _cleanup_free_ char *tgt = target(rundir, bridge);
    _cleanup_free_ char *match = xasprintf("cookie=0x%llx/0x%llx", cookie,
                                           mask);
    _cleanup_free_ char *out = NULL;
    char *argv[] = { "ovs-ofctl", "-O", "OpenFlow14", "--timeout=10",
                     "--no-names", "--no-stats", "dump-flows", tgt, match,
                     NULL };
    int r = run(argv, NULL, &out, NULL);
    int n = 0;

    if (r != 0) {
        return r < 0 ? r : -EIO;
    }
    for (const char *p = out; (p = strstr(p, " actions=")); p++) {
        n++;
    }
    return n;
}
