/* Reads flow lines (flows.h syntax) and writes them as binary OpenFlow 1.4
 * FLOW_MOD messages, xid 1, 2, ... like 'ovs-ofctl parse-flows' numbers
 * them, so that test/check-golden.sh can compare the two decodings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofp.h"

int main(void)
{
    struct ofp_buf b = { 0 };
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    uint32_t xid = 0;

    while ((n = getline(&line, &cap, stdin)) > 0) {
        line[strcspn(line, "\n")] = '\0';
        if (!*line || *line == '#') {
            continue;
        }
        char *err = ofp_put_flow_mod(&b, line, ++xid);
        if (err) {
            fprintf(stderr, "ofp_encode: line %u: %s\n", xid, err);
            return 1;
        }
    }
    free(line);
    if (fwrite(b.data, 1, b.len, stdout) != b.len) {
        return 1;
    }
    free(b.data);
    return 0;
}
