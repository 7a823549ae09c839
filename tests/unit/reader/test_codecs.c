/* SPDX-License-Identifier: MIT */
/*
 * The three MS-XCA decoders a compressed ETL buffer may need
 * (lib/reader/xpress.c plain LZ77, lznt1.c LZNT1, xpress_huffman.c
 * LZ77+Huffman), in one table-driven test:
 *  - round trips of every codec through its test compressor
 *    (tests/support) on the same data set — empty, one byte, literals only,
 *    long runs, chunk and block boundaries, random, skewed, text-like, many
 *    small inputs, and the event data of every compressed buffer of a real
 *    trace — with the output-size rules and damaged streams (no crash);
 *  - where libfwnt is installed, a differential check of every well-formed
 *    round-trip stream against its decoder (a test oracle only: it is fed
 *    nothing else, its LZ77+Huffman decoder crashes on bad input);
 *  - per format, hand-made streams for the encoding edges and malformed
 *    streams that must be rejected.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_LIBFWNT
#include <libfwnt.h>
#endif

#include "check.h"
#include "lznt1_compress.h"
#include "reader/lznt1.h"
#include "reader/xpress.h"
#include "reader/xpress_huffman.h"
#include "util/bytes.h"
#include "xpress_compress.h"
#include "xpress_huffman_compress.h"

#define SAMPLE "../shared/etl-samples/perfview__net.4.5.2.x64.etl"

typedef int (*decompress_fn)(const uint8_t *in, size_t in_size, uint8_t *out, size_t out_size);
typedef int (*oracle_fn)(const uint8_t *in, size_t in_size, uint8_t *out, size_t *out_size);

#ifdef HAVE_LIBFWNT
/* libfwnt's decoders return 1 on success; *out_size is capacity in, length out. */
#define FWNT_ORACLE(name, fn)                                                                      \
	static int name(const uint8_t *in, size_t in_size, uint8_t *out, size_t *out_size)         \
	{                                                                                          \
		libfwnt_error_t *err = NULL;                                                       \
		int rc = fn(in, in_size, out, out_size, &err);                                     \
		if (err)                                                                           \
			libfwnt_error_free(&err);                                                  \
		return rc == 1 ? 0 : -1;                                                           \
	}
FWNT_ORACLE(fwnt_xpress, libfwnt_lzxpress_decompress)
FWNT_ORACLE(fwnt_lznt1, libfwnt_lznt1_decompress)
FWNT_ORACLE(fwnt_huffman, libfwnt_lzxpress_huffman_decompress)
#define ORACLE(f) f
#else
#define ORACLE(f) NULL
#endif

/* What decoding into one byte less than the stream holds must give. */
enum shorter_rule {
	SHORTER_AT_CHUNK, /* LZNT1: accepted only when the cut falls on a 4 KiB chunk end */
	SHORTER_ANY,      /* fails when the last item overflows it: only must not crash */
};

struct codec {
	const char *name;
	size_t (*bound)(size_t n);
	size_t (*compress)(const uint8_t *in, size_t n, uint8_t *out, size_t cap);
	decompress_fn decompress;
	oracle_fn oracle;
	enum shorter_rule shorter;
	unsigned streams, oracle_streams;
	uint64_t oracle_bytes;
};

static struct codec codecs[] = {
    {"plain LZ77", xpress_compress_bound, xpress_compress, xpress_decompress, ORACLE(fwnt_xpress),
     SHORTER_ANY, 0, 0, 0},
    {"LZNT1", lznt1_compress_bound, lznt1_compress, lznt1_decompress, ORACLE(fwnt_lznt1),
     SHORTER_AT_CHUNK, 0, 0, 0},
    {"LZ77+Huffman", xpress_huffman_compress_bound, xpress_huffman_compress,
     xpress_huffman_decompress, ORACLE(fwnt_huffman), SHORTER_ANY, 0, 0, 0},
};
enum { NCODECS = sizeof(codecs) / sizeof(codecs[0]) };

static uint32_t rng = 12345;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* Compress @p data with @p c, decode with ours (and the oracle): both give it back. */
static void
round_trip(struct codec *c, const char *what, const uint8_t *data, size_t n)
{
	size_t cap = c->bound(n);
	uint8_t *z = malloc(cap), *o1 = malloc(n + 1), *o2 = malloc(n + 1);

	if (!z || !o1 || !o2) {
		CHECK(!"out of memory");
		goto out;
	}
	size_t zn = c->compress(data, n, z, cap);
	int ours = c->decompress(z, zn, o1, n);

	CHECK(zn > 0 || n == 0);
	CHECK(ours == 0 && memcmp(o1, data, n) == 0);
	if (ours != 0 || memcmp(o1, data, n) != 0)
		fprintf(stderr, "%s: round trip failed on %s (%zu bytes)\n", c->name, what, n);
	/* Exactly n: one byte more than the stream holds is rejected. */
	CHECK(c->decompress(z, zn, o1, n + 1) == -1);
	if (n > 0 && c->shorter == SHORTER_AT_CHUNK)
		CHECK(c->decompress(z, zn, o1, n - 1) == ((n - 1) % 4096 == 0 ? 0 : -1));
	else if (n > 0)
		(void)c->decompress(z, zn, o1, n - 1);
	c->streams++;
	if (c->oracle && n > 0) { /* libfwnt refuses an empty result */
		size_t got = n;
		int rc = c->oracle(z, zn, o2, &got);

		CHECK(rc == 0 && got == n && memcmp(o2, data, n) == 0);
		if (rc != 0 || got != n || memcmp(o2, data, n) != 0)
			fprintf(stderr, "%s: libfwnt disagrees on %s (rc %d, %zu of %zu)\n",
				c->name, what, rc, got, n);
		c->oracle_streams++;
		c->oracle_bytes += n;
	}
	/* A flipped byte anywhere must not crash ours; the result may differ or fail. */
	for (size_t i = 0; i < zn && n <= 4096; i += zn / 13 + 1) {
		z[i] ^= 0x5A;
		(void)c->decompress(z, zn, o1, n);
		z[i] ^= 0x5A;
	}
out:
	free(z);
	free(o1);
	free(o2);
}

static void
round_trip_all(const char *what, const uint8_t *data, size_t n)
{
	for (size_t i = 0; i < NCODECS; i++)
		round_trip(&codecs[i], what, data, n);
}

/* The shared data set; sizes straddle LZNT1's 4 KiB chunks and Huffman's 64 KiB blocks. */
static void
test_round_trips(void)
{
	size_t big = 300000;
	uint8_t *d = malloc(big);

	if (!d) {
		CHECK(!"out of memory");
		return;
	}
	round_trip_all("empty", d, 0);
	d[0] = 'q';
	round_trip_all("one byte", d, 1);
	for (size_t i = 0; i < 256; i++) /* a permutation: no repeats, literals only */
		d[i] = (uint8_t)(i * 7);
	round_trip_all("literals", d, 256);
	memset(d, 0, big);
	round_trip_all("zero run", d, big); /* long matches: every length extension */
	const size_t edges[] = {4096, 4097, 65536, 65537, 131072};
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		round_trip_all("run at a chunk or block edge", d, edges[i]);
	for (size_t i = 0; i < big; i++)
		d[i] = (uint8_t)rnd();
	round_trip_all("random", d, big);
	round_trip_all("random odd", d, 70001);
	for (size_t i = 0; i < big; i++)
		d[i] = (uint8_t)(rnd() % 3 == 0 ? rnd() : 'a' + i % 5);
	round_trip_all("skewed", d, big);
	for (size_t i = 0; i < big; i++) /* text-like: short repeats at many distances */
		d[i] = (uint8_t)("the quick brown fox jumps over the lazy dog "[(i * 3 + (i >> 6)) %
										44]);
	round_trip_all("text", d, big);
	/* Runs, repeats at a long distance, and noise. */
	for (size_t i = 0; i < 200000; i++) {
		if (i % 1000 < 300)
			d[i] = (uint8_t)(i % 7);
		else if (i >= 5000 && i % 1000 < 700)
			d[i] = d[i - 4999];
		else
			d[i] = (uint8_t)rnd();
	}
	round_trip_all("mixed", d, 200000);
	/* Fibonacci-like frequencies force Huffman code lengths past 15 before limiting. */
	size_t k = 0;
	uint32_t fa = 1, fb = 1;
	for (unsigned s = 0; s < 30 && k < big; s++) {
		for (uint32_t j = 0; j < fa && k < big; j++)
			d[k++] = (uint8_t)(s * 8 + (j & 1) * 3 + (uint8_t)rnd() % 2);
		uint32_t t = fa + fb;
		fa = fb;
		fb = t;
	}
	for (size_t i = 1; i < k; i++) /* break up runs so literals dominate */
		if (d[i] == d[i - 1])
			d[i] ^= 0x80;
	round_trip_all("deep code", d, k);
	for (size_t n = 1; n < 300; n += 7) {
		for (size_t i = 0; i < n; i++)
			d[i] = (uint8_t)(rnd() % 3);
		round_trip_all("small", d, n);
	}
	free(d);
}

/* The event data of every compressed buffer of the x64 sample (plain LZ77
 * on disk), through every codec. Skips when the sample is absent. */
static void
test_real_etl(void)
{
	FILE *f = fopen(SAMPLE, "rb");

	if (!f) {
		printf("skip: %s absent\n", SAMPLE);
		return;
	}
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *data = malloc((size_t)size), *ev = malloc(1 << 20);
	CHECK(data && ev && fread(data, 1, (size_t)size, f) == (size_t)size);
	fclose(f);
	unsigned n = 0;
	for (long off = 0; data && ev && off + 0x48 <= size;) {
		uint32_t bsize = le32_load(data + off), saved = le32_load(data + off + 4);
		if (bsize < 0x48 || bsize > size - off)
			break;
		if ((le16_load(data + off + 0x34) & 0x40) && saved > 0x48 &&
		    saved - 0x48 <= (1 << 20) &&
		    xpress_decompress(data + off + 0x48, bsize - 0x48, ev, saved - 0x48) == 0) {
			round_trip_all("etl buffer", ev, saved - 0x48);
			n++;
		}
		off += bsize;
	}
	CHECK(n > 100);
	printf("real ETL: %u buffers\n", n);
	free(data);
	free(ev);
}

/* ---------------- plain LZ77: hand-made streams ---------------- */

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

static void
sb_byte(struct sb *s, uint8_t b)
{
	sb_put(s, &b, 1);
}

/* Distance-1 match with length code 7: its length goes on in @p nibble_byte (low nibble). */
static void
sb_escape_match(struct sb *s, uint8_t nibble_byte)
{
	sb_flag(s, 1);
	sb_u16(s, 7);
	sb_byte(s, nibble_byte);
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

	/* Byte extension: nibble 15, then a byte: length = byte + 15 + 7 + 3. */
	sb_init(&s);
	sb_lit(&s, 'q');
	sb_escape_match(&s, 0x0F);
	sb_byte(&s, 100);
	CHECK(dec(&s, out, 1 + 125) == 0);
	CHECK(out[125] == 'q');
	CHECK(dec(&s, out, 1 + 124) == -1); /* the match overflows the output */

	/* u16 extension: byte 255, then u16 = length - 3. */
	sb_init(&s);
	sb_lit(&s, 'r');
	sb_escape_match(&s, 0x0F);
	sb_byte(&s, 255);
	sb_u16(&s, 997);
	CHECK(dec(&s, out, 1 + 1000) == 0);
	CHECK(out[1000] == 'r');

	/* u32 extension: u16 0, then u32 = length - 3. */
	sb_init(&s);
	sb_lit(&s, 's');
	sb_escape_match(&s, 0x0F);
	sb_byte(&s, 255);
	sb_u16(&s, 0);
	sb_u32(&s, 69997);
	CHECK(dec(&s, out, 1 + 70000) == 0);
	CHECK(out[70000] == 's');

	/* The smallest legal u16 value (15 + 7) gives length 25. */
	sb_init(&s);
	sb_lit(&s, 't');
	sb_escape_match(&s, 0x0F);
	sb_byte(&s, 255);
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

	sb_init(&s);
	sb_lit(&s, 'u');
	sb_match_short(&s, 1, 4);
	sb_escape_match(&s, 0xFF); /* nibble 15 for this match */
	sb_byte(&s, 255);
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

/* ---------------- LZNT1: the MS-XCA example and malformed streams ---------------- */

static void
test_lznt1_spec_example(void)
{
	/* MS-XCA §3.3: a 142-byte string (NUL included) in one 59-byte chunk. */
	static const uint8_t z[] = {0x38, 0xb0, 0x88, 0x46, 0x23, 0x20, 0x00, 0x20, 0x47, 0x20,
				    0x41, 0x00, 0x10, 0xa2, 0x47, 0x01, 0xa0, 0x45, 0x20, 0x44,
				    0x00, 0x08, 0x45, 0x01, 0x50, 0x79, 0x00, 0xc0, 0x45, 0x20,
				    0x05, 0x24, 0x13, 0x88, 0x05, 0xb4, 0x02, 0x4a, 0x44, 0xef,
				    0x03, 0x58, 0x02, 0x8c, 0x09, 0x16, 0x01, 0x48, 0x45, 0x00,
				    0xbe, 0x00, 0x9e, 0x00, 0x04, 0x01, 0x18, 0x90, 0x00};
	static const char text[] =
	    "F# F# G A A G F# E D D E F# F# E E F# F# G A A G F# E D D E F# E "
	    "D D E E F# D E F# G F# D E F# G F# E D E A F# F# G A A G F# E "
	    "D D E F# E D D";
	uint8_t out[sizeof(text)];

	CHECK(sizeof(text) == 142);
	CHECK(lznt1_decompress(z, sizeof(z), out, sizeof(out)) == 0);
	CHECK(memcmp(out, text, sizeof(text)) == 0);
}

static void
test_lznt1_malformed(void)
{
	uint8_t d[10000], z[13000], out[10000];
	for (size_t i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)("abcabdabe"[i % 9] + (i % 97 == 0));
	size_t zn = lznt1_compress(d, sizeof(d), z, sizeof(z));
	CHECK(zn > 4 && lznt1_decompress(z, zn, out, sizeof(d)) == 0);

	/* Truncated anywhere before the end header: rejected. */
	unsigned accepted = 0;
	for (size_t cut = 0; cut + 2 < zn; cut++)
		accepted += lznt1_decompress(z, cut, out, sizeof(d)) == 0;
	CHECK(accepted == 0);
	/* Output larger than the stream: rejected; smaller: rejected (chunk overflows). */
	CHECK(lznt1_decompress(z, zn, out, sizeof(d) - 100) == -1);

	/* Bad signature (bits 12-14 not 3). */
	uint8_t bad[8] = {0x03, 0xA0, 0x00, 'a', 'b', 'c'};
	CHECK(lznt1_decompress(bad, 6, out, 3) == -1);
	bad[1] = 0xB0; /* now valid: 3 literals */
	CHECK(lznt1_decompress(bad, 6, out, 3) == 0 && memcmp(out, "abc", 3) == 0);
	/* Zero header before the output is complete. */
	uint8_t zero[4] = {0, 0, 0, 0};
	CHECK(lznt1_decompress(zero, 4, out, 1) == -1);
	/* Chunk body larger than the input. */
	uint8_t longbody[4] = {0x10, 0xB0, 0x00, 'a'};
	CHECK(lznt1_decompress(longbody, 4, out, 1) == -1);
	/* A match before any output (distance before the start). */
	uint8_t first_match[5] = {0x02, 0xB0, 0x01, 0x00, 0x00};
	CHECK(lznt1_decompress(first_match, 5, out, 3) == -1);
	/* Distance 2 after one literal: before the start. */
	uint8_t far[6] = {0x03, 0xB0, 0x02, 'a', 0x00, 0x10};
	CHECK(lznt1_decompress(far, 6, out, 4) == -1);
	far[5] = 0x00; /* distance 1, length 3 */
	CHECK(lznt1_decompress(far, 6, out, 4) == 0 && memcmp(out, "aaaa", 4) == 0);
	/* Length overflow: a length-4098 match (12 length bits at position 1). */
	uint8_t overflow[6] = {0x03, 0xB0, 0x02, 'a', 0xFF, 0x0F};
	CHECK(lznt1_decompress(overflow, 6, out, 4) == -1);
	/* Truncated token. */
	CHECK(lznt1_decompress(far, 5, out, 4) == -1);
	/* Uncompressed chunk whose size does not match the output. */
	uint8_t raw[6] = {0x03, 0x30, 'w', 'x', 'y', 'z'};
	CHECK(lznt1_decompress(raw, 6, out, 4) == 0 && memcmp(out, "wxyz", 4) == 0);
	CHECK(lznt1_decompress(raw, 6, out, 3) == -1);
	CHECK(lznt1_decompress(raw, 6, out, 5) == -1);
	/* A short compressed chunk before the last one: ambiguous, rejected. */
	uint8_t two[12] = {0x03, 0xB0, 0x00, 'a', 'b', 'c', 0x03, 0xB0, 0x00, 'd', 'e', 'f'};
	CHECK(lznt1_decompress(two, 12, out, 6) == -1);
}

/* ---------------- LZ77+Huffman: code lengths, hand-made and malformed streams ---------------- */

static void
test_huffman_length_limit(void)
{
	uint32_t freq[512] = {0};
	uint8_t len[512];
	uint32_t a = 1, b = 1;

	for (unsigned s = 0; s < 40; s++) {
		freq[s] = a;
		uint32_t t = a + b;
		a = b;
		b = t;
	}
	xpress_huffman_lengths(freq, len);
	unsigned max = 0;
	double kraft = 0;
	for (unsigned s = 0; s < 512; s++) {
		if (len[s] > max)
			max = len[s];
		if (len[s])
			kraft += 1.0 / (double)(1u << len[s]);
	}
	CHECK(max == 15);
	CHECK(kraft <= 1.0);
}

/* ---- hand-made streams ----
 * A flat code (every symbol 9 bits, code = symbol) and the writer's
 * look-ahead rule: word k's slot is taken once more than 16 * (k - 1) bits
 * are written. */
struct hb {
	uint8_t b[4096];
	size_t pos, slot[4];
	unsigned nslots, reserved, total, nacc;
	uint32_t acc;
};

static void
hb_reserve(struct hb *h)
{
	h->slot[h->nslots++] = h->pos;
	h->pos += 2;
	h->reserved++;
}

static void
hb_word(struct hb *h, uint32_t w)
{
	h->b[h->slot[0]] = (uint8_t)w;
	h->b[h->slot[0] + 1] = (uint8_t)(w >> 8);
	memmove(h->slot, h->slot + 1, --h->nslots * sizeof(h->slot[0]));
}

/* A block table of 256 bytes @fill, then the two look-ahead word slots. */
static void
hb_start(struct hb *h, uint8_t fill)
{
	memset(h->b + h->pos, fill, 256);
	h->pos += 256;
	h->nslots = h->reserved = h->total = h->nacc = 0;
	h->acc = 0;
	hb_reserve(h);
	hb_reserve(h);
}

static void
hb_bits(struct hb *h, uint32_t v, unsigned n)
{
	for (unsigned i = n; i-- > 0;) {
		h->acc = h->acc << 1 | ((v >> i) & 1);
		h->total++;
		if (++h->nacc == 16) {
			hb_word(h, h->acc & 0xFFFF);
			h->nacc = 0;
		}
	}
	if (n && h->total > 16 * (h->reserved - 1))
		hb_reserve(h);
}

static void
hb_byte(struct hb *h, uint8_t v)
{
	h->b[h->pos++] = v;
}

static void
hb_end(struct hb *h)
{
	if (h->nacc)
		hb_word(h, (h->acc << (16 - h->nacc)) & 0xFFFF);
	while (h->nslots)
		hb_word(h, 0);
}

static void
hb_lit(struct hb *h, uint8_t c)
{
	hb_bits(h, c, 9);
}

/* Match symbol for a length code and distance class, then its distance bits. */
static void
hb_match(struct hb *h, unsigned len_code, unsigned dist)
{
	unsigned db = 0;
	while ((dist >> db) > 1)
		db++;
	hb_bits(h, 256 + db * 16 + len_code, 9);
}

static void
hb_dist(struct hb *h, unsigned dist)
{
	unsigned db = 0;
	while ((dist >> db) > 1)
		db++;
	hb_bits(h, dist - (1u << db), db);
}

static void
test_huffman_hand_made(void)
{
	struct hb h;
	uint8_t out[70000], want[70000];

	/* Literals and a short overlapping match. */
	memset(&h, 0, sizeof(h));
	hb_start(&h, 0x99);
	hb_lit(&h, 'a');
	hb_lit(&h, 'b');
	hb_match(&h, 4, 2); /* length 7, distance 2 */
	hb_dist(&h, 2);
	hb_end(&h);
	CHECK(xpress_huffman_decompress(h.b, h.pos, out, 9) == 0);
	CHECK(memcmp(out, "ababababa", 9) == 0);
	/* The 48 bits of the three words hold 28 bits of symbols; the zero
	 * padding decodes as literal 0 (9 bits) twice more, never a third time. */
	CHECK(xpress_huffman_decompress(h.b, h.pos, out, 11) == 0 && out[10] == 0);
	CHECK(xpress_huffman_decompress(h.b, h.pos, out, 12) == -1);

	/* Length extensions: byte (15 + b), u16, u32; the bytes sit at the
	 * input position between the symbol and its distance bits. */
	unsigned lengths[3] = {3 + 15 + 200, 3 + 1000, 3 + 66000};
	for (int kind = 0; kind < 3; kind++) {
		memset(&h, 0, sizeof(h));
		hb_start(&h, 0x99);
		hb_lit(&h, 'z');
		hb_match(&h, 15, 1);
		unsigned l = lengths[kind] - 3;
		if (kind == 0) {
			hb_byte(&h, (uint8_t)(l - 15));
		} else {
			hb_byte(&h, 255);
			if (kind == 1) {
				hb_byte(&h, (uint8_t)l);
				hb_byte(&h, (uint8_t)(l >> 8));
			} else {
				hb_byte(&h, 0);
				hb_byte(&h, 0);
				for (int i = 0; i < 4; i++)
					hb_byte(&h, (uint8_t)(l >> (8 * i)));
			}
		}
		hb_dist(&h, 1);
		hb_end(&h);
		size_t n = 1 + lengths[kind];
		memset(want, 'z', n);
		CHECK(xpress_huffman_decompress(h.b, h.pos, out, n) == 0);
		CHECK(memcmp(out, want, n) == 0);
		/* Cutting the stream inside the extension bytes is rejected. */
		CHECK(xpress_huffman_decompress(h.b, 260 + 2 + (size_t)kind, out, n) == -1);
	}

	/* u16 length below 15 is invalid. */
	memset(&h, 0, sizeof(h));
	hb_start(&h, 0x99);
	hb_lit(&h, 'z');
	hb_match(&h, 15, 1);
	hb_byte(&h, 255);
	hb_byte(&h, 14);
	hb_byte(&h, 0);
	hb_end(&h);
	CHECK(xpress_huffman_decompress(h.b, h.pos, out, 1 + 3 + 14) == -1);

	/* Symbol 256 before the end is a match of length 3, distance 1 (§2.2). */
	memset(&h, 0, sizeof(h));
	hb_start(&h, 0x99);
	hb_lit(&h, 'k');
	hb_bits(&h, 256, 9);
	hb_end(&h);
	CHECK(xpress_huffman_decompress(h.b, h.pos, out, 4) == 0 && memcmp(out, "kkkk", 4) == 0);

	/* A match crossing the block end: the next block starts where the
	 * match ended, its table right after the words read so far. */
	memset(&h, 0, sizeof(h));
	hb_start(&h, 0x99);
	hb_lit(&h, 'm');
	hb_match(&h, 15, 1);
	hb_byte(&h, 255); /* 65540 - 3 does not fit the u16 form: u16 0, then u32 */
	hb_byte(&h, 0);
	hb_byte(&h, 0);
	for (int i = 0; i < 4; i++)
		hb_byte(&h, (uint8_t)((65540u - 3) >> (8 * i)));
	hb_dist(&h, 1);
	hb_end(&h);
	hb_start(&h, 0x99);
	hb_lit(&h, 'n');
	hb_end(&h);
	memset(want, 'm', 65541);
	want[65541] = 'n';
	CHECK(xpress_huffman_decompress(h.b, h.pos, out, 65542) == 0);
	CHECK(memcmp(out, want, 65542) == 0);
	/* Without the second block's table: rejected. */
	CHECK(xpress_huffman_decompress(h.b, h.pos - 256 - 4, out, 65542) == -1);
}

static void
test_huffman_malformed(void)
{
	uint8_t buf[600], out[64];
	struct hb h;

	/* Truncated table. */
	memset(buf, 0x99, sizeof(buf));
	CHECK(xpress_huffman_decompress(buf, 255, out, 1) == -1);
	CHECK(xpress_huffman_decompress(buf, 0, out, 1) == -1);
	/* Table only, no bits: the first symbol would use bits past the end. */
	CHECK(xpress_huffman_decompress(buf, 256, out, 1) == -1);
	/* One word holds a 9-bit literal: accepted (the second word reads as zero). */
	buf[256] = 0x00;
	buf[257] = 0x30; /* 0x3000: top 9 bits = 0x060 = '`' */
	CHECK(xpress_huffman_decompress(buf, 258, out, 1) == 0 && out[0] == 0x60);
	CHECK(xpress_huffman_decompress(buf, 258, out, 2) == -1);

	/* Over-subscribed: every symbol 8 bits (512 > 256 codes). */
	memset(buf, 0x88, 256);
	CHECK(xpress_huffman_decompress(buf, sizeof(buf), out, 1) == -1);
	/* Over-subscribed by one: 511 symbols of 9 bits plus one of 1 bit. */
	memset(buf, 0x99, 256);
	buf[0] = 0x91;
	CHECK(xpress_huffman_decompress(buf, sizeof(buf), out, 1) == -1);
	/* Empty code: no symbol has a length. */
	memset(buf, 0, 256);
	CHECK(xpress_huffman_decompress(buf, sizeof(buf), out, 1) == -1);
	/* Incomplete code (one 1-bit symbol, 'A'): the other half of the code
	 * space is no symbol. */
	memset(buf, 0, 256);
	buf['A' / 2] = 0x10; /* 'A' is odd: high nibble */
	memset(buf + 256, 0x00, 4);
	CHECK(xpress_huffman_decompress(buf, 260, out, 3) == 0 && memcmp(out, "AAA", 3) == 0);
	buf[257] = 0x80; /* first bit 1: unused pattern */
	CHECK(xpress_huffman_decompress(buf, 260, out, 3) == -1);
	/* Nibbles cannot express lengths > 15; a complete code reaching the
	 * longest length, 15, decodes (the slow path past the 10-bit table). */
	memset(buf, 0, 256);
	for (unsigned s = 0; s < 14; s++) /* lengths 1..14 for symbols 0..13, 15 for 14 and 15 */
		buf[s / 2] |= (uint8_t)((s + 1) << ((s & 1) * 4));
	buf[7] = 0xFF;
	memset(buf + 256, 0xFF, 4); /* all ones: symbol 15 (the last 15-bit code) */
	CHECK(xpress_huffman_decompress(buf, 260, out, 1) == 0 && out[0] == 15);

	/* Distance before the start: a match as the first symbol. */
	memset(&h, 0, sizeof(h));
	hb_start(&h, 0x99);
	hb_match(&h, 0, 1);
	hb_end(&h);
	CHECK(xpress_huffman_decompress(h.b, h.pos, out, 3) == -1);
	/* Distance 4 after two literals. */
	memset(&h, 0, sizeof(h));
	hb_start(&h, 0x99);
	hb_lit(&h, 'a');
	hb_lit(&h, 'b');
	hb_match(&h, 0, 4);
	hb_dist(&h, 4);
	hb_end(&h);
	CHECK(xpress_huffman_decompress(h.b, h.pos, out, 5) == -1);
	/* Length overflow: a 3 + 15 + 254 match into a 10-byte output. */
	memset(&h, 0, sizeof(h));
	hb_start(&h, 0x99);
	hb_lit(&h, 'a');
	hb_match(&h, 15, 1);
	hb_byte(&h, 254);
	hb_dist(&h, 1);
	hb_end(&h);
	CHECK(xpress_huffman_decompress(h.b, h.pos, out, 10) == -1);
	/* Truncation of a longer valid stream, at every length. */
	uint8_t d[3000], z[8000], o[3000];
	for (size_t i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)("abcabdabe"[i % 9] + (i % 97 == 0));
	size_t zn = xpress_huffman_compress(d, sizeof(d), z, sizeof(z));
	CHECK(zn > 260 && xpress_huffman_decompress(z, zn, o, sizeof(d)) == 0);
	unsigned accepted = 0;
	for (size_t cut = 0; cut + 4 < zn; cut++)
		accepted += xpress_huffman_decompress(z, cut, o, sizeof(d)) == 0;
	CHECK(accepted == 0);
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
	test_lznt1_spec_example();
	test_lznt1_malformed();
	test_huffman_length_limit();
	test_huffman_hand_made();
	test_huffman_malformed();
	test_round_trips();
	test_real_etl();
	for (size_t i = 0; i < NCODECS; i++) {
		const struct codec *c = &codecs[i];

		if (c->oracle)
			printf(
			    "%s: %u round trips, %u streams (%llu bytes) checked against libfwnt\n",
			    c->name, c->streams, c->oracle_streams,
			    (unsigned long long)c->oracle_bytes);
		else
			printf("%s: %u round trips; skip: libfwnt absent, no differential check\n",
			       c->name, c->streams);
	}
	return check_summary();
}
