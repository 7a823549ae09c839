/* SPDX-License-Identifier: MIT */
/*
 * Symbolization throughput (a benchmark, not a test): read TRACE into a
 * model, then name every frame of every stack through a new symbolizer on
 * SYMBOL_PATH twice: cold (the first pass searches the path, opens the PDBs
 * and builds their tables) and warm (tables cached). Prints frames, seconds
 * and frames per second of each pass, and the peak RSS of the process.
 *
 * usage: bench-symbols TRACE SYMBOL_PATH
 */
#include <alpcscope/alpcscope.h>

#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
peak_rss_kib(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

static unsigned long long
pass(const struct alpcscope_model *m, struct alpcscope_symbolizer *s, unsigned long long *named)
{
	unsigned long long frames = 0;

	*named = 0;
	for (uint32_t i = 0; i < alpcscope_model_stack_count(m); i++) {
		const struct alpcscope_stack *st = alpcscope_model_stack_at(m, i);

		for (uint32_t f = 0; f < st->frame_count; f++) {
			struct alpcscope_frame_symbol fs;

			if (alpcscope_symbolize(s, m, st->process, st->frames[f],
						st->filetime_100ns, &fs, NULL) != ALPCSCOPE_OK)
				return frames;
			frames++;
			*named += fs.function != NULL;
		}
	}
	return frames;
}

int
main(int argc, char **argv)
{
	struct alpcscope_reader *r = NULL;
	struct alpcscope_model *m = NULL;
	struct alpcscope_symbolizer *s = NULL;
	struct alpcscope_symbolizer_options o = ALPCSCOPE_SYMBOLIZER_OPTIONS_INIT;
	const struct alpcscope_event *ev;
	struct alpcscope_error err;

	if (argc != 3) {
		fprintf(stderr, "usage: bench-symbols TRACE SYMBOL_PATH\n");
		return 2;
	}
	if (alpcscope_reader_open_file(&r, argv[1], NULL, &err) != ALPCSCOPE_OK ||
	    alpcscope_model_new(&m, NULL, &err) != ALPCSCOPE_OK) {
		fprintf(stderr, "bench-symbols: %s\n", err.message);
		return 1;
	}
	double t0 = now();

	while (alpcscope_reader_next(r, &ev, NULL) == ALPCSCOPE_OK)
		alpcscope_model_add_event(m, ev, NULL);
	alpcscope_model_finish(m, NULL);
	alpcscope_reader_free(r);
	double t1 = now();
	long rss_model = peak_rss_kib();

	o.symbol_path = argv[2];
	if (alpcscope_symbolizer_new(&s, &o, &err) != ALPCSCOPE_OK) {
		fprintf(stderr, "bench-symbols: %s\n", err.message);
		return 1;
	}
	unsigned long long named_cold, named_warm;
	double t2 = now();
	unsigned long long cold = pass(m, s, &named_cold);
	double t3 = now();
	unsigned long long warm = pass(m, s, &named_warm);
	double t4 = now();

	printf("model: %u stacks read in %.3f s, peak RSS %ld KiB\n",
	       alpcscope_model_stack_count(m), t1 - t0, rss_model);
	printf("cold: %llu frames (%llu named) in %.3f s = %.0f frames/s\n", cold, named_cold,
	       t3 - t2, (double)cold / (t3 - t2));
	printf("warm: %llu frames (%llu named) in %.3f s = %.0f frames/s\n", warm, named_warm,
	       t4 - t3, (double)warm / (t4 - t3));
	printf("peak RSS %ld KiB (%+ld KiB for symbols)\n", peak_rss_kib(),
	       peak_rss_kib() - rss_model);
	alpcscope_symbolizer_free(s);
	alpcscope_model_free(m);
	return 0;
}
