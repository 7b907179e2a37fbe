#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "timeval.h"
#include "util.h"

extern char **environ;

/* Closes '*fd' if open and marks it closed. */
static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

int proc_run(char *const argv[], const char *input, char **ret_out,
              char **ret_err, int timeout_ms)
{
    int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
    struct strbuf bufs[2] = { { 0 }, { 0 } };
    posix_spawn_file_actions_t fa;
    size_t off = 0, len = input ? strlen(input) : 0;
    long long deadline = time_deadline(timeout_ms);
    pid_t pid;
    int r, status = 0;

    if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0
        || pipe2(err, O_CLOEXEC) < 0) {
        r = -errno;
        goto out;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    r = -posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close_fd(&in[0]);
    close_fd(&out[1]);
    close_fd(&err[1]);
    if (r < 0) {
        goto out;
    }
    if (len == 0) {
        close_fd(&in[1]);
    }
    /* Feed stdin and drain both outputs together, so that no pipe fills
     * up and blocks the child. */
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    while (out[0] >= 0 || err[0] >= 0 || in[1] >= 0) {
        struct pollfd p[3] = {
            { .fd = out[0], .events = POLLIN },
            { .fd = err[0], .events = POLLIN },
            { .fd = in[1], .events = POLLOUT },
        };
        long long left = deadline - time_msec();
        int n = left > 0 ? poll(p, 3, (int) left) : 0;
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            kill(pid, SIGKILL);
            r = n == 0 ? -ETIMEDOUT : -errno;
            break;
        }
        for (int i = 0; i < 2; i++) {
            int *fd = i ? &err[0] : &out[0];
            if (*fd >= 0 && p[i].revents) {
                char buf[4096];
                ssize_t got = read(*fd, buf, sizeof buf);
                if (got > 0) {
                    strbuf_addn(&bufs[i], buf, (size_t) got);
                } else if (got == 0 || errno != EINTR) {
                    close_fd(fd);
                }
            }
        }
        if (in[1] >= 0 && p[2].revents) {
            ssize_t w = write(in[1], input + off, len - off);
            if (w > 0) {
                off += (size_t) w;
            }
            if ((w < 0 && errno != EINTR && errno != EAGAIN) || off == len) {
                close_fd(&in[1]);
            }
        }
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (r == 0) {
        r = WIFEXITED(status) ? WEXITSTATUS(status) : -ECHILD;
    }

out:
    close_fd(&in[0]);
    close_fd(&in[1]);
    close_fd(&out[0]);
    close_fd(&out[1]);
    close_fd(&err[0]);
    close_fd(&err[1]);
    if (ret_out) {
        *ret_out = strbuf_take(&bufs[0]);
    }
    if (ret_err) {
        *ret_err = strbuf_take(&bufs[1]);
    }
    strbuf_free(&bufs[0]);
    strbuf_free(&bufs[1]);
    return r;
}
