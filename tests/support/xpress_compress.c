/* SPDX-License-Identifier: MIT */
/*
 * MS-XCA plain LZ77 compressor (the format of ETL buffers with BufferFlag
 * 0x40) and a small reference decoder. Encoding rules from [MS-XCA] §2.3
 * (compression) and §2.4 (decompression), summarised in
 * docs/etl-layout.md#plain-lz77.
 */
#include "xpress_compress.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define HASH_BITS   15
#define HASH_SIZE   (1u << HASH_BITS)
#define WINDOW      8192u /* distance is 13 bits + 1 */
#define MIN_MATCH   3u
#define CHAIN_DEPTH 24u /* enough for ETW records, which repeat at short distances */
#define NO_POS      UINT32_MAX
/*
 * Longest match emitted. MS-XCA allows 32-bit lengths, but libfwnt (an
 * independent decoder, checked against real ETL files) rejects matches
 * of 64 KiB and more; splitting long runs costs 2-3 bytes per 32 KiB.
 */
#define MAX_MATCH 0x8000u

size_t
xpress_compress_bound(size_t in_len)
{
	/* Every 32 literals need one 4-byte flag word; plus the final flag word. */
	return in_len + (in_len / 32 + 2) * 4;
}

static uint32_t
hash3(const uint8_t *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
	return (v * 2654435761u) >> (32 - HASH_BITS);
}

static void
put_u16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

struct out_state {
	uint8_t *out;
	size_t cap, pos;
	size_t flag_pos; /* where the current flag word goes */
	uint32_t flags;  /* bits collected so far, newest in bit 0 */
	unsigned flag_count;
	size_t nibble_pos; /* byte holding a free high nibble, or 0 = none */
	bool has_nibble;
	bool overflow;
};

static bool
reserve(struct out_state *s, size_t n)
{
	if (s->overflow || s->cap - s->pos < n) {
		s->overflow = true;
		return false;
	}
	return true;
}

/* Record one flag bit; starts a new flag word after 32 of them (MS-XCA §2.3). */
static void
push_flag(struct out_state *s, uint32_t bit)
{
	s->flags = (s->flags << 1) | bit;
	if (++s->flag_count == 32) {
		put_u32(s->out + s->flag_pos, s->flags);
		s->flag_count = 0;
		s->flags = 0;
		if (!reserve(s, 4))
			return;
		s->flag_pos = s->pos;
		s->pos += 4;
	}
}

static void
emit_literal(struct out_state *s, uint8_t byte)
{
	if (!reserve(s, 1))
		return;
	s->out[s->pos++] = byte;
	push_flag(s, 0);
}

static void
emit_match(struct out_state *s, size_t dist, size_t len)
{
	size_t l = len - MIN_MATCH;
	uint32_t off = (uint32_t)(dist - 1) << 3;

	if (!reserve(s, 2 + 1 + 1 + 2 + 4))
		return;
	if (l < 7) {
		put_u16(s->out + s->pos, off | (uint32_t)l);
		s->pos += 2;
	} else {
		put_u16(s->out + s->pos, off | 7u);
		s->pos += 2;
		l -= 7;
		/* Two consecutive long matches share one byte: low nibble first. */
		if (!s->has_nibble) {
			s->nibble_pos = s->pos;
			s->has_nibble = true;
			s->out[s->pos++] = (uint8_t)(l < 15 ? l : 15);
		} else {
			s->out[s->nibble_pos] |= (uint8_t)((l < 15 ? l : 15) << 4);
			s->has_nibble = false;
		}
		if (l >= 15) {
			l -= 15;
			if (l < 255) {
				s->out[s->pos++] = (uint8_t)l;
			} else {
				s->out[s->pos++] = 255;
				l += 15 + 7; /* the escape stores length - 3 */
				if (l < 0x10000) {
					put_u16(s->out + s->pos, (uint32_t)l);
					s->pos += 2;
				} else {
					put_u16(s->out + s->pos, 0);
					put_u32(s->out + s->pos + 2, (uint32_t)l);
					s->pos += 6;
				}
			}
		}
	}
	push_flag(s, 1);
}

size_t
xpress_compress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap)
{
	struct out_state s = {.out = out, .cap = out_cap};
	uint32_t *head = NULL, *prev = NULL;
	size_t i = 0;

	if (in_len > UINT32_MAX - 1 || out_cap < 4)
		return 0;
	head = malloc(HASH_SIZE * sizeof(*head));
	prev = malloc(WINDOW * sizeof(*prev));
	if (!head || !prev) {
		free(head);
		free(prev);
		return 0;
	}
	for (size_t h = 0; h < HASH_SIZE; h++)
		head[h] = NO_POS;
	s.flag_pos = 0;
	s.pos = 4;

	while (i < in_len && !s.overflow) {
		size_t best_len = 0, best_dist = 0;
		if (in_len - i >= MIN_MATCH) {
			uint32_t h = hash3(in + i);
			uint32_t cand = head[h];
			unsigned depth = 0;
			size_t max_len = in_len - i < MAX_MATCH ? in_len - i : MAX_MATCH;
			while (cand != NO_POS && i - cand <= WINDOW && depth++ < CHAIN_DEPTH) {
				size_t n = 0;
				while (n < max_len && in[cand + n] == in[i + n])
					n++;
				if (n > best_len) {
					best_len = n;
					best_dist = i - cand;
					if (n == max_len)
						break;
				}
				uint32_t nx = prev[cand % WINDOW];
				if (nx == NO_POS || nx >= cand)
					break;
				cand = nx;
			}
		}
		size_t step = best_len >= MIN_MATCH ? best_len : 1;
		if (best_len >= MIN_MATCH)
			emit_match(&s, best_dist, best_len);
		else
			emit_literal(&s, in[i]);
		/* Index every position we pass so later matches can find it. */
		for (size_t k = 0; k < step; k++, i++) {
			if (in_len - i >= MIN_MATCH) {
				uint32_t h = hash3(in + i);
				prev[i % WINDOW] = head[h];
				head[h] = (uint32_t)i;
			}
		}
	}
	free(head);
	free(prev);
	if (s.overflow)
		return 0;
	/* Unused flag bits are set to 1; decoders stop at the end of input. */
	if (s.flag_count == 0)
		put_u32(out + s.flag_pos, UINT32_MAX);
	else
		put_u32(out + s.flag_pos,
			(s.flags << (32 - s.flag_count)) | ((1u << (32 - s.flag_count)) - 1));
	return s.pos;
}

size_t
xpress_ref_decompress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap)
{
	size_t ip = 0, op = 0, nibble_at = 0;
	bool have_nibble = false;
	uint32_t flags = 0;
	unsigned flag_left = 0;

	for (;;) {
		if (flag_left == 0) {
			if (in_len - ip < 4)
				return op; /* stream exhausted */
			flags = (uint32_t)in[ip] | (uint32_t)in[ip + 1] << 8 |
				(uint32_t)in[ip + 2] << 16 | (uint32_t)in[ip + 3] << 24;
			ip += 4;
			flag_left = 32;
		}
		flag_left--;
		if (!((flags >> flag_left) & 1)) {
			if (ip >= in_len)
				return op;
			if (op >= out_cap)
				return (size_t)-1;
			out[op++] = in[ip++];
			continue;
		}
		if (ip >= in_len)
			return op;
		if (in_len - ip < 2)
			return (size_t)-1;
		uint32_t t = (uint32_t)in[ip] | (uint32_t)in[ip + 1] << 8;
		ip += 2;
		size_t dist = (t >> 3) + 1, len = t & 7;
		if (len == 7) {
			if (!have_nibble) {
				if (ip >= in_len)
					return (size_t)-1;
				nibble_at = ip++;
				len = in[nibble_at] & 15;
				have_nibble = true;
			} else {
				len = in[nibble_at] >> 4;
				have_nibble = false;
			}
			if (len == 15) {
				if (ip >= in_len)
					return (size_t)-1;
				len = in[ip++];
				if (len == 255) {
					if (in_len - ip < 2)
						return (size_t)-1;
					len = (size_t)in[ip] | (size_t)in[ip + 1] << 8;
					ip += 2;
					if (len == 0) {
						if (in_len - ip < 4)
							return (size_t)-1;
						len = (size_t)in[ip] | (size_t)in[ip + 1] << 8 |
						      (size_t)in[ip + 2] << 16 |
						      (size_t)in[ip + 3] << 24;
						ip += 4;
					}
					if (len < 15 + 7)
						return (size_t)-1;
					len -= 15 + 7;
				}
				len += 15;
			}
			len += 7;
		}
		len += 3;
		if (dist > op || out_cap - op < len)
			return (size_t)-1;
		for (size_t k = 0; k < len; k++, op++)
			out[op] = out[op - dist];
	}
}
