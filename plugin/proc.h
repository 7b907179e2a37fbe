/* Running a helper program (iptables-restore, iptables-save) with an argv,
 * never a shell: its input on stdin, its output collected, under a
 * deadline after which it is killed. */
#ifndef OVSGW_PROC_H
#define OVSGW_PROC_H

/* Runs 'argv' (argv[0] looked up in PATH) with 'input' (may be NULL) on
 * its stdin.  Sets '*ret_out' and '*ret_err' (each may be NULL: then
 * discarded) to what it wrote to stdout and stderr (malloc'd).  Waits at
 * most 'timeout_ms', or until the end of the time budget (timeval.h);
 * then the program is killed.  Returns its exit status (0..255), or
 * -errno: -ETIMEDOUT, or -ENOENT when the program is not there. */
int proc_run(char *const argv[], const char *input, char **ret_out,
              char **ret_err, int timeout_ms);

#endif
