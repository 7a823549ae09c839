/* SPDX-License-Identifier: MIT */
/*
 * Compares the in-tree MS-XCA plain LZ77 decoder (lib/reader/xpress.c) with
 * libfwnt's libfwnt_lzxpress_decompress on every compressed buffer of the
 * given ETL files: checks both give identical bytes and prints MB/s of each.
 * Then the same event data re-encoded as LZNT1 and LZ77+Huffman (test
 * encoders) decoded by lib/reader/lznt1.c and xpress_huffman.c versus
 * libfwnt's decoders of those formats.
 * Not a test; run: build/tests/bench/bench-xpress FILE.etl...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libfwnt.h>

#include "lznt1_compress.h"
#include "reader/lznt1.h"
#include "reader/xpress.h"
#include "reader/xpress_huffman.h"
#include "util/bytes.h"
#include "xpress_huffman_compress.h"

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Decode @n streams of the other formats @reps times with ours and libfwnt's. */
struct stream_set {
	uint8_t **z;
	size_t *zn, *n;
	size_t count, total;
};

static void
set_add(struct stream_set *s, uint8_t *z, size_t zn, size_t n)
{
	s->z = realloc(s->z, (s->count + 1) * sizeof(*s->z));
	s->zn = realloc(s->zn, (s->count + 1) * sizeof(*s->zn));
	s->n = realloc(s->n, (s->count + 1) * sizeof(*s->n));
	s->z[s->count] = z;
	s->zn[s->count] = zn;
	s->n[s->count] = n;
	s->count++;
	s->total += n;
}

static int
bench_format(const char *name, struct stream_set *s, int fmt, uint8_t *o1, uint8_t *o2)
{
	double t_in = 0, t_fw = 0;
	size_t mismatches = 0;

	for (int rep = 0; rep < 5; rep++) {
		for (size_t i = 0; i < s->count; i++) {
			size_t got = s->n[i];
			libfwnt_error_t *e = NULL;
			double t0 = now();
			int r1 = fmt == 2
				     ? lznt1_decompress(s->z[i], s->zn[i], o1, s->n[i])
				     : xpress_huffman_decompress(s->z[i], s->zn[i], o1, s->n[i]);
			double t1 = now();
			int r2 = fmt == 2
				     ? libfwnt_lznt1_decompress(s->z[i], s->zn[i], o2, &got, &e)
				     : libfwnt_lzxpress_huffman_decompress(s->z[i], s->zn[i], o2,
									   &got, &e);
			double t2 = now();
			if (e)
				libfwnt_error_free(&e);
			t_in += t1 - t0;
			t_fw += t2 - t1;
			if (rep == 0 &&
			    (r1 != 0 || r2 != 1 || got != s->n[i] || memcmp(o1, o2, s->n[i]) != 0))
				mismatches++;
		}
	}
	printf("  %s: %zu streams, %.1f MB; in-tree %.0f MB/s, libfwnt %.0f MB/s; %zu "
	       "mismatches\n",
	       name, s->count, s->total / 1e6, 5 * s->total / 1e6 / t_in, 5 * s->total / 1e6 / t_fw,
	       mismatches);
	for (size_t i = 0; i < s->count; i++)
		free(s->z[i]);
	free(s->z);
	free(s->zn);
	free(s->n);
	return mismatches != 0;
}

int
main(int argc, char **argv)
{
	int status = 0;

	for (int a = 1; a < argc; a++) {
		FILE *f = fopen(argv[a], "rb");
		if (!f) {
			perror(argv[a]);
			return 1;
		}
		fseek(f, 0, SEEK_END);
		long size = ftell(f);
		fseek(f, 0, SEEK_SET);
		uint8_t *data = malloc((size_t)size);
		if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
			fprintf(stderr, "%s: read failed\n", argv[a]);
			return 1;
		}
		fclose(f);
		uint8_t *o1 = malloc(1 << 24), *o2 = malloc(1 << 24);
		double t_in = 0, t_fw = 0;
		size_t total = 0, nbuf = 0, mismatches = 0;

		for (int rep = 0; rep < 5; rep++) {
			for (long off = 0; off + 0x48 <= size;) {
				uint32_t bsize = le32_load(data + off);
				uint32_t saved = le32_load(data + off + 4);
				uint16_t flags = le16_load(data + off + 0x34);
				if (bsize < 0x48 || off + bsize > size)
					break;
				if ((flags & 0x40) && saved > 0x48 && saved - 0x48 <= (1 << 24)) {
					size_t out = saved - 0x48, got = out;
					libfwnt_error_t *e = NULL;
					double t0 = now();
					int r1 = xpress_decompress(data + off + 0x48, bsize - 0x48,
								   o1, out);
					double t1 = now();
					int r2 = libfwnt_lzxpress_decompress(
					    data + off + 0x48, bsize - 0x48, o2, &got, &e);
					double t2 = now();
					if (e)
						libfwnt_error_free(&e);
					t_in += t1 - t0;
					t_fw += t2 - t1;
					if (rep == 0) {
						nbuf++;
						total += out;
						if (r1 != 0 || r2 != 1 || got != out ||
						    memcmp(o1, o2, out))
							mismatches++;
					}
				}
				off += bsize;
			}
		}
		printf("%s: %zu compressed buffers, %.1f MB inflated; in-tree %.0f MB/s, libfwnt "
		       "%.0f MB/s; %zu mismatches\n",
		       argv[a], nbuf, total / 1e6, 5 * total / 1e6 / t_in, 5 * total / 1e6 / t_fw,
		       mismatches);
		if (mismatches)
			status = 1;

		/* The same event data as LZNT1 and LZ77+Huffman streams. */
		struct stream_set s2 = {0}, s4 = {0};
		for (long off = 0; off + 0x48 <= size;) {
			uint32_t bsize = le32_load(data + off);
			uint32_t saved = le32_load(data + off + 4);
			if (bsize < 0x48 || off + bsize > size)
				break;
			if ((le16_load(data + off + 0x34) & 0x40) && saved > 0x48 &&
			    saved - 0x48 <= (1 << 24) &&
			    xpress_decompress(data + off + 0x48, bsize - 0x48, o1, saved - 0x48) ==
				0) {
				size_t n = saved - 0x48;
				uint8_t *z2 = malloc(lznt1_compress_bound(n));
				uint8_t *z4 = malloc(xpress_huffman_compress_bound(n));
				set_add(&s2, z2, lznt1_compress(o1, n, z2, lznt1_compress_bound(n)),
					n);
				set_add(&s4, z4,
					xpress_huffman_compress(o1, n, z4,
								xpress_huffman_compress_bound(n)),
					n);
			}
			off += bsize;
		}
		if (s2.count) {
			status |= bench_format("LZNT1", &s2, 2, o1, o2);
			status |= bench_format("LZ77+Huffman", &s4, 4, o1, o2);
		}
		free(o1);
		free(o2);
		free(data);
	}
	return status;
}
