/* holdconns SOCK N SECONDS: opens N connections to the unix socket SOCK,
 * sends half an HTTP request on each (headers not finished), prints how
 * many connected, and holds them for SECONDS: a client that hangs, N
 * times over.  For the test that such clients never lock Docker out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    static const char half[] = "POST /Plugin.Activate HTTP/1.1\r\nHost: x\r\n";
    int n, connected = 0;

    if (argc != 4 || strlen(argv[1]) >= sizeof sa.sun_path) {
        fprintf(stderr, "usage: holdconns SOCK N SECONDS\n");
        return 2;
    }
    strcpy(sa.sun_path, argv[1]);
    n = atoi(argv[2]);
    for (int i = 0; i < n; i++) {
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0
            || send(fd, half, sizeof half - 1, MSG_NOSIGNAL) < 0) {
            perror("holdconns");
            break;
        }
        connected++;
    }
    printf("%d\n", connected);
    fflush(stdout);
    sleep((unsigned) atoi(argv[3]));
    return connected == n ? 0 : 1;
}
