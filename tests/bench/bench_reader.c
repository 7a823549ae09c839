/* SPDX-License-Identifier: MIT */
/*
 * The reader alone: open, iterate every event in merged time order, count.
 * Prints records/s and MB/s so the reader's cost can be told apart from what
 * `info` adds on top. Not a test; run: build/tests/bench/bench-reader FILE.etl
 */
#include <alpcscope/reader.h>

#include <stdio.h>
#include <time.h>

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
	for (int a = 1; a < argc; a++) {
		struct alpcscope_reader *r = NULL;
		struct alpcscope_error err;
		const struct alpcscope_event *ev;
		uint64_t n = 0, sum = 0;
		double t0 = now();

		if (alpcscope_reader_open_file(&r, argv[a], NULL, &err) != ALPCSCOPE_OK) {
			fprintf(stderr, "%s: %s\n", argv[a], err.message);
			return 1;
		}
		while (alpcscope_reader_next(r, &ev, NULL) == ALPCSCOPE_OK) {
			n++;
			sum += ev->payload_size; /* touch the event so nothing is optimised away */
		}
		double t = now() - t0;
		const struct alpcscope_trace_info *in = alpcscope_reader_info(r);
		printf("%s: %llu records in %.3f s: %.1f M records/s, %.0f MB/s (payload bytes "
		       "%llu)\n",
		       argv[a], (unsigned long long)n, t, (double)n / t / 1e6,
		       (double)in->file_size / t / 1e6, (unsigned long long)sum);
		alpcscope_reader_free(r);
	}
	return 0;
}
