/* SPDX-License-Identifier: MIT */
/*
 * MS-XCA LZ77+Huffman decoder (lib/reader/xpress_huffman.c): round trips
 * through the test compressor on varied data (empty, literals only, long
 * runs, several 65536-byte blocks, random, real ETL event data), a
 * differential check of every round-trip stream against
 * libfwnt_lzxpress_huffman_decompress (the test oracle only; it is fed
 * well-formed streams only because it crashes on bad ones), hand-made
 * streams for the length extensions and block rules, and malformed streams
 * that must be rejected.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfwnt.h>

#include "check.h"
#include "reader/xpress.h"
#include "reader/xpress_huffman.h"
#include "util/bytes.h"
#include "xpress_huffman_compress.h"

#define SAMPLE "../shared/etl-samples/perfview__net.4.5.2.x64.etl"

static unsigned diff_streams;
static uint64_t diff_bytes;

static uint32_t rng = 987654321;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void
round_trip(const char *what, const uint8_t *data, size_t n)
{
	size_t cap = xpress_huffman_compress_bound(n);
	uint8_t *z = malloc(cap), *o1 = malloc(n + 1), *o2 = malloc(n + 1);
	size_t zn = xpress_huffman_compress(data, n, z, cap);

	CHECK(zn > 0);
	int ours = xpress_huffman_decompress(z, zn, o1, n);
	CHECK(ours == 0);
	CHECK(ours == 0 && memcmp(o1, data, n) == 0);
	if (ours != 0 || memcmp(o1, data, n) != 0)
		fprintf(stderr, "round trip failed: %s (%zu bytes)\n", what, n);
	/* One byte more than the stream holds is rejected. */
	CHECK(xpress_huffman_decompress(z, zn, o1, n + 1) == -1);

	if (n > 0) { /* libfwnt refuses an empty result */
		size_t got = n;
		libfwnt_error_t *err = NULL;
		int rc = libfwnt_lzxpress_huffman_decompress(z, zn, o2, &got, &err);
		if (err)
			libfwnt_error_free(&err);
		CHECK(rc == 1 && got == n && memcmp(o2, data, n) == 0);
		if (rc != 1 || got != n || memcmp(o2, data, n) != 0)
			fprintf(stderr, "libfwnt disagrees on %s (rc %d, %zu of %zu)\n", what, rc,
				got, n);
		diff_streams++;
		diff_bytes += n;
	}
	free(z);
	free(o1);
	free(o2);
}

static void
test_round_trips(void)
{
	size_t big = 300000;
	uint8_t *d = malloc(big);

	round_trip("empty", d, 0);
	d[0] = 'q';
	round_trip("one byte", d, 1);
	for (size_t i = 0; i < 256; i++) /* a permutation: no repeats, literals only */
		d[i] = (uint8_t)(i * 7);
	round_trip("literals", d, 256);
	memset(d, 0, big);
	round_trip("zero run", d, big); /* long matches: u16 length extension */
	round_trip("one block", d, 65536);
	round_trip("block + 1", d, 65537);
	round_trip("two blocks", d, 131072);
	for (size_t i = 0; i < big; i++)
		d[i] = (uint8_t)rnd();
	round_trip("random", d, big);
	round_trip("random odd", d, 70001);
	for (size_t i = 0; i < big; i++)
		d[i] = (uint8_t)(rnd() % 3 == 0 ? rnd() : 'a' + i % 5);
	round_trip("skewed", d, big);
	for (size_t i = 0; i < big; i++) /* text-like: short repeats at many distances */
		d[i] = (uint8_t)("the quick brown fox jumps over the lazy dog "[(i * 3 + (i >> 6)) %
										44]);
	round_trip("text", d, big);
	/* Fibonacci-like frequencies force code lengths past 15 before limiting. */
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
	round_trip("deep code", d, k);
	for (size_t n = 1; n < 300; n += 7) {
		for (size_t i = 0; i < n; i++)
			d[i] = (uint8_t)(rnd() % 3);
		round_trip("small", d, n);
	}
	free(d);
}

static void
test_length_limit(void)
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
	CHECK(fread(data, 1, (size_t)size, f) == (size_t)size);
	fclose(f);
	unsigned n = 0;
	for (long off = 0; off + 0x48 <= size;) {
		uint32_t bsize = le32_load(data + off), saved = le32_load(data + off + 4);
		if (bsize < 0x48 || bsize > size - off)
			break;
		if ((le16_load(data + off + 0x34) & 0x40) && saved > 0x48 &&
		    saved - 0x48 <= (1 << 20) &&
		    xpress_decompress(data + off + 0x48, bsize - 0x48, ev, saved - 0x48) == 0) {
			round_trip("etl buffer", ev, saved - 0x48);
			n++;
		}
		off += bsize;
	}
	CHECK(n > 100);
	printf("real ETL: %u buffers\n", n);
	free(data);
	free(ev);
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
test_hand_made(void)
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
test_malformed(void)
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
	test_length_limit();
	test_hand_made();
	test_malformed();
	test_round_trips();
	test_real_etl();
	printf("differential vs libfwnt: %u streams, %llu bytes\n", diff_streams,
	       (unsigned long long)diff_bytes);
	return check_summary();
}
