/* SPDX-License-Identifier: MIT */
/*
 * MS-XCA plain LZ77 decoder (lib/reader/xpress.c) on hand-made streams:
 * literals, flag words beyond 32 items, plain and overlapping copies, the
 * shared length nibble, the byte / u16 / u32 length extensions, every error
 * path, and a round trip through the test compressor.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "reader/xpress.h"
#include "xpress_compress.h"

/* A tiny stream builder: flag words are patched in as items are added. */
struct sb {
	uint8_t b[256];
	size_t n;
	size_t flag_pos;
	int flag_bits; /* items in the current flag word */
	uint32_t flags;
};

static void
sb_put(struct sb *s, const void *p, size_t n)
{
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

static void
sb_u16(struct sb *s, uint16_t v)
{
	uint8_t t[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	sb_put(s, t, 2);
}

static void
sb_u32_at(struct sb *s, size_t pos, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		s->b[pos + (size_t)i] = (uint8_t)(v >> (8 * i));
}

static void
sb_u32(struct sb *s, uint32_t v)
{
	sb_u32_at(s, s->n, v);
	s->n += 4;
}

static void
sb_flag(struct sb *s, int bit)
{
	if (s->flag_bits == 0) {
		s->flag_pos = s->n;
		s->n += 4;
		s->flags = 0;
	}
	if (bit)
		s->flags |= 1u << (31 - s->flag_bits);
	sb_u32_at(s, s->flag_pos, s->flags);
	s->flag_bits = (s->flag_bits + 1) % 32;
}

static void
sb_init(struct sb *s)
{
	memset(s, 0, sizeof(*s));
}

static void
sb_lit(struct sb *s, uint8_t c)
{
	sb_flag(s, 0);
	sb_put(s, &c, 1);
}

/* Match token with a length below 10 (no extension). */
static void
sb_match_short(struct sb *s, unsigned dist, unsigned len)
{
	sb_flag(s, 1);
	sb_u16(s, (uint16_t)((dist - 1) << 3 | (len - 3)));
}

static int
dec(const struct sb *s, uint8_t *out, size_t out_size)
{
	return xpress_decompress(s->b, s->n, out, out_size);
}

static void
test_literals(void)
{
	struct sb s;
	uint8_t out[64];

	sb_init(&s);
	for (int i = 0; i < 40; i++) /* crosses into a second flag word */
		sb_lit(&s, (uint8_t)('A' + i));
	CHECK(dec(&s, out, 40) == 0);
	CHECK(out[0] == 'A' && out[31] == 'A' + 31 && out[32] == 'A' + 32 && out[39] == 'A' + 39);
	/* Asking for fewer bytes than the stream holds stops early and succeeds. */
	CHECK(dec(&s, out, 10) == 0);
	/* Asking for more fails: the stream runs out. */
	CHECK(dec(&s, out, 41) == -1);
	/* Zero output needs no input at all. */
	CHECK(xpress_decompress(NULL, 0, out, 0) == 0);
}

static void
test_plain_and_overlapping_copy(void)
{
	struct sb s;
	uint8_t out[64];

	sb_init(&s);
	for (const char *p = "abcdef"; *p; p++)
		sb_lit(&s, (uint8_t)*p);
	sb_match_short(&s, 6, 6); /* non-overlapping: distance >= length */
	sb_match_short(&s, 2, 5); /* overlapping: repeats "ef" */
	CHECK(dec(&s, out, 17) == 0);
	CHECK(memcmp(out, "abcdefabcdefefefe", 17) == 0);

	/* Distance 1 run: one literal repeated. */
	sb_init(&s);
	sb_lit(&s, 'z');
	sb_match_short(&s, 1, 9);
	CHECK(dec(&s, out, 10) == 0);
	CHECK(memcmp(out, "zzzzzzzzzz", 10) == 0);
}

static void
test_shared_nibble(void)
{
	struct sb s;
	uint8_t out[64], want[64];

	/* Two long matches share one nibble byte: low nibble first, then high. */
	sb_init(&s);
	sb_lit(&s, 'x');
	sb_flag(&s, 1);
	sb_u16(&s, 7);       /* distance 1, length 3 + 7 + nibble */
	uint8_t nib = 0x32;  /* first match: 2, second match: 3 */
	sb_put(&s, &nib, 1); /* the nibble byte follows the first token */
	sb_lit(&s, 'y');     /* items in between do not disturb it */
	sb_flag(&s, 1);
	sb_u16(&s, 7); /* distance 1: repeats 'y' */
	/* 1 + 12 + 1 + 13 bytes */
	CHECK(dec(&s, out, 27) == 0);
	memset(want, 'x', 13);
	memset(want + 13, 'y', 14);
	CHECK(memcmp(out, want, 27) == 0);
	/* A third long match would need a fresh nibble byte. */
	sb_flag(&s, 1);
	sb_u16(&s, 7);
	CHECK(dec(&s, out, 40) == -1); /* no nibble byte left */
	nib = 0x01;
	sb_put(&s, &nib, 1);
	CHECK(dec(&s, out, 38) == 0);
	CHECK(out[37] == 'y');
}

static void
test_length_extensions(void)
{
	struct sb s;
	static uint8_t out[80000];
	uint8_t b;

	/* Byte extension: nibble 15, then a byte: length = byte + 15 + 7 + 3. */
	sb_init(&s);
	sb_lit(&s, 'q');
	sb_flag(&s, 1);
	sb_u16(&s, 7);
	b = 0x0F;
	sb_put(&s, &b, 1);
	b = 100;
	sb_put(&s, &b, 1);
	CHECK(dec(&s, out, 1 + 125) == 0);
	CHECK(out[125] == 'q');
	CHECK(dec(&s, out, 1 + 124) == -1); /* the match overflows the output */

	/* u16 extension: byte 255, then u16 = length - 3. */
	sb_init(&s);
	sb_lit(&s, 'r');
	sb_flag(&s, 1);
	sb_u16(&s, 7);
	b = 0x0F;
	sb_put(&s, &b, 1);
	b = 255;
	sb_put(&s, &b, 1);
	sb_u16(&s, 997);
	CHECK(dec(&s, out, 1 + 1000) == 0);
	CHECK(out[1000] == 'r');

	/* u32 extension: u16 0, then u32 = length - 3. */
	sb_init(&s);
	sb_lit(&s, 's');
	sb_flag(&s, 1);
	sb_u16(&s, 7);
	b = 0x0F;
	sb_put(&s, &b, 1);
	b = 255;
	sb_put(&s, &b, 1);
	sb_u16(&s, 0);
	sb_u32(&s, 69997);
	CHECK(dec(&s, out, 1 + 70000) == 0);
	CHECK(out[70000] == 's');

	/* The smallest legal u16 value (15 + 7) gives length 25. */
	sb_init(&s);
	sb_lit(&s, 't');
	sb_flag(&s, 1);
	sb_u16(&s, 7);
	b = 0x0F;
	sb_put(&s, &b, 1);
	b = 255;
	sb_put(&s, &b, 1);
	sb_u16(&s, 22);
	CHECK(dec(&s, out, 26) == 0);
	/* One less is malformed. */
	s.b[s.n - 2] = 21;
	CHECK(dec(&s, out, 25) == -1);
}

/* Every truncation of a stream using all extensions fails cleanly. */
static void
test_truncations(void)
{
	struct sb s;
	static uint8_t out[80000];
	uint8_t b;

	sb_init(&s);
	sb_lit(&s, 'u');
	sb_match_short(&s, 1, 4);
	sb_flag(&s, 1);
	sb_u16(&s, 7);
	b = 0xFF; /* nibble 15 for this match */
	sb_put(&s, &b, 1);
	b = 255;
	sb_put(&s, &b, 1);
	sb_u16(&s, 0);
	sb_u32(&s, 30000 - 3);
	size_t total = 1 + 4 + 30000;
	CHECK(dec(&s, out, total) == 0);
	for (size_t cut = 0; cut < s.n; cut++)
		CHECK(xpress_decompress(s.b, cut, out, total) == -1);
}

static void
test_errors(void)
{
	struct sb s;
	uint8_t out[64];

	/* A match before any output: distance beyond the start. */
	sb_init(&s);
	sb_match_short(&s, 1, 3);
	CHECK(dec(&s, out, 3) == -1);
	/* Distance larger than what was produced. */
	sb_init(&s);
	sb_lit(&s, 'a');
	sb_lit(&s, 'b');
	sb_match_short(&s, 3, 3);
	CHECK(dec(&s, out, 5) == -1);
	/* Flag word truncated. */
	uint8_t two[2] = {0, 0};
	CHECK(xpress_decompress(two, 2, out, 1) == -1);
	/* Match token truncated (one byte of it). */
	sb_init(&s);
	sb_lit(&s, 'a');
	sb_flag(&s, 1);
	uint8_t half = 0;
	sb_put(&s, &half, 1);
	CHECK(dec(&s, out, 4) == -1);
	/* Output larger than the stream describes. */
	sb_init(&s);
	sb_lit(&s, 'a');
	sb_match_short(&s, 1, 3);
	CHECK(dec(&s, out, 4) == 0);
	CHECK(dec(&s, out, 5) == -1);
}

static void
test_round_trip(void)
{
	size_t n = 200000;
	uint8_t *in = malloc(n), *out = malloc(n);
	size_t cap = xpress_compress_bound(n);
	uint8_t *z = malloc(cap);
	uint32_t x = 12345;

	if (!in || !out || !z) {
		CHECK(!"out of memory");
		goto out;
	}
	/* Compressible but varied: runs, repeats at many distances, noise. */
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		if (i % 1000 < 300)
			in[i] = (uint8_t)(i % 7);
		else if (i >= 5000 && i % 1000 < 700)
			in[i] = in[i - 4999];
		else
			in[i] = (uint8_t)(x >> 24);
	}
	size_t zn = xpress_compress(in, n, z, cap);
	CHECK(zn > 0 && zn < n);
	CHECK(xpress_decompress(z, zn, out, n) == 0);
	CHECK(memcmp(in, out, n) == 0);
	/* A flipped byte anywhere must not crash; the result may differ or fail. */
	for (size_t i = 0; i < zn; i += zn / 97 + 1) {
		z[i] ^= 0x5A;
		(void)xpress_decompress(z, zn, out, n);
		z[i] ^= 0x5A;
	}
out:
	free(in);
	free(out);
	free(z);
}

int
main(void)
{
	test_literals();
	test_plain_and_overlapping_copy();
	test_shared_nibble();
	test_length_extensions();
	test_truncations();
	test_errors();
	test_round_trip();
	return check_summary();
}
