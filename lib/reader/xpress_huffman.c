/* SPDX-License-Identifier: MIT */
/*
 * MS-XCA LZ77+Huffman decoder (§2.2). The output comes in blocks of (at
 * least) 65536 bytes; each block starts with 256 bytes holding 512 4-bit
 * canonical code lengths (symbol 2i in the low nibble of byte i), followed
 * by a bit stream read as little-endian u16 words, most significant bit
 * first. Symbols 0-255 are literals; symbol 256 + 16 * b + l is a match
 * whose distance is 2^b plus the next b bits and whose length is l + 3, with
 * l == 15 extended by a byte, then a u16, then a u32 taken from the input at
 * the current word position. The decoder keeps 32 bits of look-ahead; a
 * block ends when its 65536 bytes are out, and the next block's table starts
 * right after the last word read.
 */
#include "reader/xpress_huffman.h"

#include <stdbool.h>
#include <string.h>

#include "reader/lz_copy.h"
#include "util/bytes.h"

#define XH_SYMBOLS      512u   /* 256 literals + 16 length codes x 16 distance classes */
#define XH_TABLE_BYTES  256u   /* packed 4-bit code lengths at the start of each block */
#define XH_MAX_CODE_LEN 15u    /* the longest code a nibble can give */
#define XH_BLOCK_OUT    65536u /* output bytes per block */
#define XH_FAST_BITS    10u    /* codes up to this long decode with one table look-up */
#define XH_MIN_MATCH    3u

/* Canonical code for one block: a direct table for short codes and the
 * per-length ranges of the canonical order for the longer ones. */
struct xh_code {
	uint16_t fast[1u << XH_FAST_BITS];   /* symbol << 4 | length; 0 = longer or unused */
	uint16_t first[XH_MAX_CODE_LEN + 1]; /* first code of each length */
	uint16_t count[XH_MAX_CODE_LEN + 1]; /* codes of each length */
	uint16_t start[XH_MAX_CODE_LEN + 1]; /* index of each length's first symbol in sorted[] */
	uint16_t sorted[XH_SYMBOLS];         /* symbols in canonical order */
};

/* Build the code from a block's 256-byte length table; -1 when the lengths
 * over-subscribe the code space or no symbol has a code. Incomplete codes
 * are accepted; their unused bit patterns fail when met. */
static int
code_build(struct xh_code *c, const uint8_t *table)
{
	uint16_t next[XH_MAX_CODE_LEN + 1];
	int32_t left = 1;

	memset(c->count, 0, sizeof(c->count));
	for (unsigned s = 0; s < XH_SYMBOLS; s++)
		c->count[(table[s >> 1] >> ((s & 1) * 4)) & 0x0F]++;
	c->count[0] = 0;
	for (unsigned len = 1; len <= XH_MAX_CODE_LEN; len++) {
		left = left * 2 - c->count[len];
		if (left < 0)
			return -1;
	}
	if (left == 1 << XH_MAX_CODE_LEN)
		return -1;

	uint32_t code = 0;
	uint16_t idx = 0;
	for (unsigned len = 1; len <= XH_MAX_CODE_LEN; len++) {
		c->first[len] = (uint16_t)code;
		c->start[len] = idx;
		next[len] = idx;
		idx = (uint16_t)(idx + c->count[len]);
		code = (code + c->count[len]) << 1;
	}
	for (unsigned s = 0; s < XH_SYMBOLS; s++) {
		unsigned len = (table[s >> 1] >> ((s & 1) * 4)) & 0x0F;
		if (len)
			c->sorted[next[len]++] = (uint16_t)s;
	}

	memset(c->fast, 0, sizeof(c->fast));
	for (unsigned len = 1; len <= XH_FAST_BITS; len++) {
		for (unsigned i = 0; i < c->count[len]; i++) {
			unsigned sym = c->sorted[c->start[len] + i];
			unsigned span = 1u << (XH_FAST_BITS - len);
			unsigned base = (c->first[len] + i) << (XH_FAST_BITS - len);
			for (unsigned j = 0; j < span; j++)
				c->fast[base + j] = (uint16_t)(sym << 4 | len);
		}
	}
	return 0;
}

/* Decode the symbol at the top of @p peek15 (the next 15 bits); returns
 * symbol << 4 | length, or 0 for a bit pattern that is not a code. */
static unsigned
code_lookup(const struct xh_code *c, unsigned peek15)
{
	unsigned e = c->fast[peek15 >> (XH_MAX_CODE_LEN - XH_FAST_BITS)];

	if (e)
		return e;
	for (unsigned len = XH_FAST_BITS + 1; len <= XH_MAX_CODE_LEN; len++) {
		unsigned code = peek15 >> (XH_MAX_CODE_LEN - len);
		unsigned rel = code - c->first[len];
		if (code >= c->first[len] && rel < c->count[len])
			return (unsigned)c->sorted[c->start[len] + rel] << 4 | len;
	}
	return 0;
}

/* Bit reader: @p bits holds 16 + @p extra valid bits, most significant first;
 * of them @p real came from the input. Words wanted past the end of the input
 * read as zero (they are look-ahead only); consuming one of their bits is an
 * error. */
struct xh_bits {
	const uint8_t *in;
	size_t in_size, pos;
	uint32_t bits;
	int extra, real;
};

static uint32_t
bits_word(struct xh_bits *b)
{
	if (b->in_size - b->pos < 2) {
		b->pos = b->in_size;
		return 0;
	}
	uint32_t word = le16_load(b->in + b->pos);
	b->pos += 2;
	b->real += 16;
	return word;
}

static void
bits_refill(struct xh_bits *b)
{
	if (b->extra < 0) {
		b->bits |= bits_word(b) << -b->extra;
		b->extra += 16;
	}
}

/* Drop @p n (<= 15) bits; false when that would use bits beyond the input. */
static bool
bits_consume(struct xh_bits *b, unsigned n)
{
	b->real -= (int)n;
	if (b->real < 0)
		return false;
	b->bits = n ? b->bits << n : b->bits;
	b->extra -= (int)n;
	bits_refill(b);
	return true;
}

int
xpress_huffman_decompress(const uint8_t *in, size_t in_size, uint8_t *out, size_t out_size)
{
	struct xh_code code;
	struct xh_bits b = {.in = in, .in_size = in_size};
	size_t op = 0, block_end = 0;

	while (op < out_size) {
		if (op >= block_end) {
			if (b.in_size - b.pos < XH_TABLE_BYTES ||
			    code_build(&code, in + b.pos) != 0)
				return -1;
			b.pos += XH_TABLE_BYTES;
			/* Two words of look-ahead: 32 bits, 16 of them "extra". */
			b.real = 0;
			b.bits = bits_word(&b) << 16;
			b.bits |= bits_word(&b);
			b.extra = 16;
			block_end = op + XH_BLOCK_OUT;
		}
		unsigned e = code_lookup(&code, b.bits >> (32 - XH_MAX_CODE_LEN));
		if (e == 0 || !bits_consume(&b, e & 0x0F))
			return -1;
		unsigned sym = e >> 4;
		if (sym < 256) {
			out[op++] = (uint8_t)sym;
			continue;
		}
		/* Symbol 256 ends the stream only once the output is complete, which
		 * the loop condition already covers; before that it is a match. */
		sym -= 256;
		size_t length = sym & 0x0F;
		unsigned dist_bits = sym >> 4;

		if (length == 15) {
			if (b.pos >= b.in_size)
				return -1;
			length = in[b.pos++];
			if (length == 255) {
				if (b.in_size - b.pos < 2)
					return -1;
				length = le16_load(in + b.pos);
				b.pos += 2;
				if (length == 0) {
					if (b.in_size - b.pos < 4)
						return -1;
					length = le32_load(in + b.pos);
					b.pos += 4;
				}
				/* Bounding it first keeps the additions below from wrapping
				 * where size_t is 32 bits. */
				if (length < 15 || length > out_size)
					return -1;
				length -= 15;
			}
			length += 15;
		}
		length += XH_MIN_MATCH;

		size_t distance = 1;
		if (dist_bits) {
			distance = ((size_t)1 << dist_bits) + (b.bits >> (32 - dist_bits));
			if (!bits_consume(&b, dist_bits))
				return -1;
		}
		if (distance > op || length > out_size - op)
			return -1;
		op = lz_copy_match(out, op, distance, length);
	}
	return 0;
}
