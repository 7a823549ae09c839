/* SPDX-License-Identifier: MIT */
/*
 * The MS-XCA plain LZ77 compressor against two decoders: the reference
 * decoder next to the compressor and, when installed, libfwnt's
 * libfwnt_lzxpress_decompress (an independent implementation, checked
 * against real ETL buffers). Covers the encoding edges: literal-only input,
 * flag-word boundaries, shared nibbles, the 1-byte, 2-byte and 4-byte length
 * escapes, maximum distance, and ETW-like records.
 */
#ifdef HAVE_LIBFWNT
#include <libfwnt.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xpress_compress.h"

static uint64_t seed = 1;

static uint8_t
rnd8(void)
{
	seed = seed * 6364136223846793005ull + 1442695040888963407ull;
	return (uint8_t)(seed >> 56);
}

static void
roundtrip(const char *what, const uint8_t *in, size_t len)
{
	size_t cap = xpress_compress_bound(len);
	uint8_t *z = malloc(cap), *out = malloc(len + 16);
	size_t zlen = xpress_compress(in, len, z, cap);
	CHECK(zlen > 0);
#ifdef HAVE_LIBFWNT
	/* libfwnt: capacity in, produced length out; 1 on success. */
	size_t outlen = len + 16;
	libfwnt_error_t *err = NULL;
	int rc = libfwnt_lzxpress_decompress(z, zlen, out, &outlen, &err);
	if (rc != 1 || outlen != len || memcmp(out, in, len) != 0)
		fprintf(stderr, "libfwnt round trip failed for %s (rc %d, %zu of %zu bytes)\n",
			what, rc, outlen, len);
	CHECK_EQ_U64(rc, 1);
	CHECK_EQ_U64(outlen, len);
	CHECK(outlen == len && memcmp(out, in, len) == 0);
	if (err)
		libfwnt_error_free(&err);
#else
	(void)what;
#endif
	memset(out, 0, len + 16);
	size_t n = xpress_ref_decompress(z, zlen, out, len + 16);
	CHECK_EQ_U64(n, len);
	CHECK(n == len && memcmp(out, in, len) == 0);
	free(z);
	free(out);
}

int
main(void)
{
	static uint8_t buf[300000];
	size_t i;

	roundtrip("one byte", (const uint8_t *)"A", 1);
	roundtrip("three bytes", (const uint8_t *)"abc", 3);

	/* Incompressible: literals only, many flag words; stays within the bound. */
	for (i = 0; i < 70000; i++)
		buf[i] = rnd8();
	roundtrip("random", buf, 70000);
	for (size_t n = 30; n < 36; n++)
		roundtrip("flag boundary", buf, n);

	/* Run lengths around every escape: 3..9, 10..24 (nibble), 25..279 (byte), u16, u32. */
	static const size_t runs[] = {3,   9,   10,  24,    25,    100,   279,
				      280, 281, 300, 65537, 70000, 250000};
	for (size_t k = 0; k < sizeof(runs) / sizeof(runs[0]); k++) {
		buf[0] = 'x';
		memset(buf + 1, 'y', runs[k]);
		buf[runs[k] + 1] = 'z';
		roundtrip("run", buf, runs[k] + 2);
	}

	/* Two long matches in a row share one nibble byte. */
	for (i = 0; i < 4000; i++)
		buf[i] = (uint8_t)(i % 16 < 12 ? 'a' + (i / 16) % 7 : rnd8());
	roundtrip("shared nibbles", buf, 4000);

	/* A repeat at the maximum distance 8192 and just beyond it. */
	for (i = 0; i < 20000; i++)
		buf[i] = rnd8();
	memcpy(buf + 8192, buf, 64);
	memcpy(buf + 16000, buf + 16000 - 8193, 64);
	roundtrip("window edge", buf, 20000);

	/* ETW-like: 40-byte ALPC records differing in time stamp and message id. */
	for (i = 0; i + 40 <= 65536 - 0x48; i += 40) {
		uint8_t *p = buf + i;
		memset(p, 0, 40);
		p[0] = 2, p[2] = 2, p[3] = 0xC0, p[4] = 0x24, p[6] = 0x21, p[7] = 0x1A;
		p[8] = 0x94, p[9] = 0x08, p[12] = 0xD4, p[13] = 0x04;
		uint32_t t = (uint32_t)(i * 37);
		memcpy(p + 16, &t, 4);
		uint32_t m = (uint32_t)(0x1000 + i / 40);
		memcpy(p + 32, &m, 4);
	}
	roundtrip("etw records", buf, 65536 - 0x48);

	/* Output capacity too small is refused, not overrun. */
	uint8_t small[8];
	CHECK_EQ_U64(xpress_compress(buf, 1000, small, sizeof(small)), 0);
#ifndef HAVE_LIBFWNT
	printf("skip: libfwnt absent, checked against the reference decoder only\n");
#endif
	return check_summary();
}
