/* SPDX-License-Identifier: MIT */
/*
 * Typed little-endian loads and a bounds-checked read cursor with a sticky
 * overrun flag, for every read of untrusted bytes. Decode a whole record,
 * then check `overrun` once before using any value read.
 */
#ifndef ALPCSCOPE_UTIL_BYTES_H
#define ALPCSCOPE_UTIL_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline uint16_t
le16_load(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)(p[1] << 8));
}

static inline uint32_t
le32_load(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t
le64_load(const uint8_t *p)
{
	return (uint64_t)le32_load(p) | (uint64_t)le32_load(p + 4) << 32;
}

static inline void
le16_store(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void
le32_store(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void
le64_store(uint8_t *p, uint64_t v)
{
	le32_store(p, (uint32_t)v);
	le32_store(p + 4, (uint32_t)(v >> 32));
}

/* Round up to the 8-byte record alignment; 32-bit safe for any u16/u32 size. */
static inline uint64_t
align8(uint64_t x)
{
	return (x + 7) & ~(uint64_t)7;
}

/*
 * A read position over untrusted bytes. Reads past the end return 0 and set
 * `overrun`, which stays set.
 */
struct cursor {
	const uint8_t *pos;
	const uint8_t *end;
	bool overrun;
};

static inline struct cursor
cursor_make(const uint8_t *data, size_t size)
{
	struct cursor c = {data, data + size, false};
	return c;
}

static inline size_t
cursor_left(const struct cursor *c)
{
	return c->overrun ? 0 : (size_t)(c->end - c->pos);
}

static inline const uint8_t *
cursor_take(struct cursor *c, size_t n)
{
	const uint8_t *p = c->pos;

	if (c->overrun || n > (size_t)(c->end - c->pos)) {
		c->overrun = true;
		return NULL;
	}
	c->pos += n;
	return p;
}

static inline uint8_t
cursor_u8(struct cursor *c)
{
	const uint8_t *p = cursor_take(c, 1);
	return p ? p[0] : 0;
}

static inline uint16_t
cursor_u16(struct cursor *c)
{
	const uint8_t *p = cursor_take(c, 2);
	return p ? le16_load(p) : 0;
}

static inline uint32_t
cursor_u32(struct cursor *c)
{
	const uint8_t *p = cursor_take(c, 4);
	return p ? le32_load(p) : 0;
}

static inline uint64_t
cursor_u64(struct cursor *c)
{
	const uint8_t *p = cursor_take(c, 8);
	return p ? le64_load(p) : 0;
}

/* A pointer-sized field of a payload: 4 or 8 bytes, widened to 64 bits. */
static inline uint64_t
cursor_ptr(struct cursor *c, unsigned pointer_size)
{
	return pointer_size == 4 ? cursor_u32(c) : cursor_u64(c);
}

static inline void
cursor_skip(struct cursor *c, size_t n)
{
	(void)cursor_take(c, n);
}

#endif
