/* SPDX-License-Identifier: MIT */
/*
 * Compares the in-tree MS-XCA plain LZ77 decoder (lib/reader/xpress.c) with
 * libfwnt's libfwnt_lzxpress_decompress on every compressed buffer of the
 * given ETL files: checks both give identical bytes and prints MB/s of each.
 * Not a test; run: build/tests/bench/bench-xpress FILE.etl...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libfwnt.h>

#include "reader/xpress.h"
#include "util/bytes.h"

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
					int r1 = xpress_decompress(data + off + 0x48, bsize - 0x48, o1, out);
					double t1 = now();
					int r2 = libfwnt_lzxpress_decompress(data + off + 0x48, bsize - 0x48,
									     o2, &got, &e);
					double t2 = now();
					if (e)
						libfwnt_error_free(&e);
					t_in += t1 - t0;
					t_fw += t2 - t1;
					if (rep == 0) {
						nbuf++;
						total += out;
						if (r1 != 0 || r2 != 1 || got != out || memcmp(o1, o2, out))
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
		free(o1);
		free(o2);
		free(data);
	}
	return status;
}
