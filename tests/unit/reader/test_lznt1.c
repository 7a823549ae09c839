/* SPDX-License-Identifier: MIT */
/*
 * MS-XCA LZNT1 decoder (lib/reader/lznt1.c): the MS-XCA §3.3 example, round
 * trips through the test compressor on varied data (empty, literals only,
 * long runs, multi-chunk, random, real ETL event data), a differential check
 * of every round-trip stream against libfwnt_lznt1_decompress (the test
 * oracle only), and hand-made malformed streams that must be rejected.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfwnt.h>

#include "check.h"
#include "lznt1_compress.h"
#include "reader/lznt1.h"
#include "reader/xpress.h"
#include "util/bytes.h"

#define SAMPLE "../shared/etl-samples/perfview__net.4.5.2.x64.etl"

static unsigned diff_streams;
static uint64_t diff_bytes;

static uint32_t rng = 12345;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* Compress, decode with ours and with libfwnt; both must give @p data back. */
static void
round_trip(const char *what, const uint8_t *data, size_t n)
{
	size_t cap = lznt1_compress_bound(n);
	uint8_t *z = malloc(cap), *o1 = malloc(n + 1), *o2 = malloc(n + 1);
	size_t zn = lznt1_compress(data, n, z, cap);

	CHECK(zn > 0);
	int ours = lznt1_decompress(z, zn, o1, n);
	CHECK(ours == 0);
	CHECK(ours == 0 && memcmp(o1, data, n) == 0);
	/* Exactly n: one byte more is rejected; one less too unless it ends on
	 * a chunk boundary (then the rest of the stream is trailing input). */
	CHECK(lznt1_decompress(z, zn, o1, n + 1) == -1);
	if (n > 0)
		CHECK(lznt1_decompress(z, zn, o1, n - 1) == ((n - 1) % 4096 == 0 ? 0 : -1));

	size_t got = n + 1;
	libfwnt_error_t *err = NULL;
	int rc = libfwnt_lznt1_decompress(z, zn, o2, &got, &err);
	if (err)
		libfwnt_error_free(&err);
	if (n > 0) { /* libfwnt refuses an empty result */
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
test_spec_example(void)
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
test_round_trips(void)
{
	size_t big = 300000;
	uint8_t *d = malloc(big);

	round_trip("empty", d, 0);
	memcpy(d, "a", 1);
	round_trip("one byte", d, 1);
	for (size_t i = 0; i < 4096; i++) /* no 3-byte repeat within a chunk: literals only */
		d[i] = (uint8_t)(i * 7 + (i >> 8) * 13);
	round_trip("literals", d, 256);
	memset(d, 0, big);
	round_trip("zero run", d, big);
	memset(d, 'x', 4096);
	round_trip("one chunk run", d, 4096);
	round_trip("chunk + 1", d, 4097);
	for (size_t i = 0; i < big; i++)
		d[i] = (uint8_t)rnd();
	round_trip("random", d, big);
	round_trip("random odd", d, 12345);
	for (size_t i = 0; i < big; i++) /* text-like: short repeats at many distances */
		d[i] = (uint8_t)("the quick brown fox jumps over the lazy dog "[(i * 3 + (i >> 6)) %
										44]);
	round_trip("text", d, big);
	for (size_t n = 1; n < 300; n += 7) {
		for (size_t i = 0; i < n; i++)
			d[i] = (uint8_t)(rnd() % 3);
		round_trip("small", d, n);
	}
	free(d);
}

/* Every compressed buffer of the x64 sample, decompressed with the plain
 * LZ77 decoder, recompressed as LZNT1. Skips when the sample is absent. */
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

static void
test_malformed(void)
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

int
main(void)
{
	test_spec_example();
	test_round_trips();
	test_malformed();
	test_real_etl();
	printf("differential vs libfwnt: %u streams, %llu bytes\n", diff_streams,
	       (unsigned long long)diff_bytes);
	return check_summary();
}
