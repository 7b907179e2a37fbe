/* Big-endian (network order) integers in byte buffers, for the wire
 * formats ovsgw writes and reads (OpenFlow, Neighbor Discovery). */
#ifndef OVSGW_BYTES_H
#define OVSGW_BYTES_H

#include <stdint.h>

static inline void be16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static inline void be32(uint8_t *p, uint32_t v)
{
    be16(p, v >> 16);
    be16(p + 2, v);
}

static inline void be64(uint8_t *p, uint64_t v)
{
    be32(p, v >> 32);
    be32(p + 4, v);
}

static inline uint16_t get16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
    return (uint32_t) get16(p) << 16 | get16(p + 2);
}

#endif
