/* SPDX-License-Identifier: MIT */
/*
 * LZNT1 compressor (MS-XCA §2.5): chunks of 4096 input bytes, each a u16
 * header (body size - 1 | signature 3 << 12 | compressed << 15) and a body
 * of flag bytes (LSB first) with literals and u16 tokens whose
 * displacement/length split depends on the position in the chunk.
 */
#include "lznt1_compress.h"

#include <string.h>

#define CHUNK       4096u
#define MIN_MATCH   3u
#define HASH_BITS   12
#define CHAIN_DEPTH 32u
#define NO_POS      0xFFFFu

size_t
lznt1_compress_bound(size_t in_len)
{
	return (in_len / CHUNK + 1) * (CHUNK + 2) + 2;
}

static unsigned
hash3(const uint8_t *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
	return (v * 2654435761u) >> (32 - HASH_BITS);
}

/* Displacement bits for a token at chunk position @pos (> 0). */
static unsigned
disp_bits(size_t pos)
{
	unsigned bits = 4;
	for (size_t p = (pos - 1) >> 4; p; p >>= 1)
		bits++;
	return bits;
}

/* Compress one chunk's body into @out (room for CHUNK bytes); returns its
 * size, or 0 when it would not be smaller than the chunk. */
static size_t
chunk_compress(const uint8_t *in, size_t n, uint8_t *out)
{
	uint16_t head[1u << HASH_BITS], prev[CHUNK];
	size_t pos = 0, op = 0;

	memset(head, 0xFF, sizeof(head));
	while (pos < n) {
		if (op + 1 + 16 > CHUNK)
			return 0;
		size_t flag_pos = op++;
		unsigned flags = 0;
		for (unsigned bit = 0; bit < 8 && pos < n; bit++) {
			size_t best_len = 0, best_dist = 0;
			if (pos > 0 && n - pos >= MIN_MATCH) {
				unsigned db = disp_bits(pos);
				size_t max_dist = (size_t)1 << db;
				size_t max_len = ((size_t)1 << (16 - db)) - 1 + MIN_MATCH;
				if (max_len > n - pos)
					max_len = n - pos;
				unsigned cand = head[hash3(in + pos)];
				for (unsigned d = 0; d < CHAIN_DEPTH && cand != NO_POS; d++) {
					size_t dist = pos - cand;
					if (dist > max_dist)
						break;
					size_t l = 0;
					while (l < max_len && in[cand + l] == in[pos + l])
						l++;
					if (l > best_len) {
						best_len = l;
						best_dist = dist;
					}
					cand = prev[cand];
				}
			}
			size_t step = best_len >= MIN_MATCH ? best_len : 1;
			if (best_len >= MIN_MATCH) {
				unsigned lb = 16 - disp_bits(pos);
				unsigned tok =
				    (unsigned)((best_dist - 1) << lb | (best_len - MIN_MATCH));
				out[op++] = (uint8_t)tok;
				out[op++] = (uint8_t)(tok >> 8);
				flags |= 1u << bit;
			} else {
				out[op++] = in[pos];
			}
			for (size_t i = 0; i < step; i++, pos++) {
				if (n - pos >= MIN_MATCH) {
					unsigned h = hash3(in + pos);
					prev[pos] = head[h];
					head[h] = (uint16_t)pos;
				}
			}
		}
		out[flag_pos] = (uint8_t)flags;
	}
	return op < n ? op : 0;
}

size_t
lznt1_compress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap)
{
	size_t op = 0;

	if (out_cap < lznt1_compress_bound(in_len))
		return 0;
	for (size_t pos = 0; pos < in_len; pos += CHUNK) {
		size_t n = in_len - pos < CHUNK ? in_len - pos : CHUNK;
		size_t body = chunk_compress(in + pos, n, out + op + 2);
		unsigned header;
		if (body) {
			header = 0x8000u | 0x3000u | (unsigned)(body - 1);
		} else {
			memcpy(out + op + 2, in + pos, n);
			body = n;
			header = 0x3000u | (unsigned)(n - 1);
		}
		out[op] = (uint8_t)header;
		out[op + 1] = (uint8_t)(header >> 8);
		op += 2 + body;
	}
	out[op++] = 0;
	out[op++] = 0;
	return op;
}
