/* SPDX-License-Identifier: MIT */
/*
 * Delivery modes of the reader (lib/reader/reader.c): buffer order must
 * deliver exactly the records of time order (same fields, same counters,
 * same diagnostics), only in another order; any number of threads must
 * deliver the very same sequence as one thread. Checked on generated traces
 * (four processors with interleaved buffers, uncompressed and compressed,
 * with damaged records and an undecompressible buffer) and on every real
 * sample in ../shared/etl-samples when that folder is present.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <alpcscope/alpcscope.h>

#include "check.h"
#include "etl_writer.h"
#include "util/bytes.h"

#define SAMPLES_DIR "../shared/etl-samples"

/* FNV-1a over bytes, chained from @h. */
static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

/* What one read delivered: order-free sums and an order-sensitive chain. */
struct digest {
	enum alpcscope_status open_status, end_status;
	uint64_t records;
	uint64_t sum, xsum;  /* multiset of record fingerprints */
	uint64_t chain;      /* sequence of record fingerprints */
	uint64_t diag_sum;   /* multiset of diagnostics */
	uint64_t diag_chain; /* sequence of diagnostics */
	uint64_t diags;
	uint64_t bad_ordinals;
	struct alpcscope_reader_stats stats;
};

static void
on_diag(void *ctx, const struct alpcscope_diagnostic *d)
{
	struct digest *g = ctx;
	uint64_t h = fnv(0xcbf29ce484222325ull, d->id, strlen(d->id));

	h = fnv(h, d->message, strlen(d->message));
	h = fnv(h, &d->file_offset, sizeof(d->file_offset));
	h = fnv(h, &d->buffer_index, sizeof(d->buffer_index));
	h = fnv(h, &d->severity, sizeof(d->severity));
	g->diag_sum += mix(h);
	g->diag_chain = mix(g->diag_chain ^ h);
	g->diags++;
}

static uint64_t
fingerprint(const struct alpcscope_event *ev)
{
	uint64_t h = 0xcbf29ce484222325ull;

	h = fnv(h, ev->raw, ev->raw_size);
	h = fnv(h, &ev->timestamp_ticks, sizeof(ev->timestamp_ticks));
	h = fnv(h, &ev->filetime_100ns, sizeof(ev->filetime_100ns));
	h = fnv(h, &ev->file_offset, sizeof(ev->file_offset));
	h = fnv(h, &ev->buffer_index, sizeof(ev->buffer_index));
	h = fnv(h, &ev->buffer_offset, sizeof(ev->buffer_offset));
	h = fnv(h, &ev->processor, sizeof(ev->processor));
	h = fnv(h, &ev->kind, sizeof(ev->kind));
	h = fnv(h, &ev->thread_id, sizeof(ev->thread_id));
	h = fnv(h, &ev->process_id, sizeof(ev->process_id));
	h = fnv(h, &ev->provider, sizeof(ev->provider));
	h = fnv(h, &ev->hook_id, sizeof(ev->hook_id));
	h = fnv(h, &ev->event_id, sizeof(ev->event_id));
	h = fnv(h, &ev->has_timestamp, sizeof(ev->has_timestamp));
	h = fnv(h, &ev->ext_count, sizeof(ev->ext_count));
	for (uint16_t i = 0; i < ev->ext_count && i < ALPCSCOPE_MAX_EXT_ITEMS; i++)
		h = fnv(h, ev->ext[i].data, ev->ext[i].size);
	h = fnv(h, ev->payload, ev->payload_size);
	return h;
}

static void
read_digest(const uint8_t *data, size_t size, bool buffer_order, uint32_t threads, struct digest *g)
{
	struct alpcscope_reader_options opt = ALPCSCOPE_READER_OPTIONS_INIT;
	struct alpcscope_reader *r = NULL;
	const struct alpcscope_event *ev;
	struct alpcscope_error err;
	uint64_t expect_ordinal = 0;

	memset(g, 0, sizeof(*g));
	opt.buffer_order = buffer_order;
	opt.threads = threads;
	opt.diag = on_diag;
	opt.diag_ctx = g;
	g->open_status = alpcscope_reader_open_memory(&r, data, size, &opt, &err);
	if (g->open_status != ALPCSCOPE_OK)
		return;
	while ((g->end_status = alpcscope_reader_next(r, &ev, &err)) == ALPCSCOPE_OK) {
		uint64_t h = fingerprint(ev);

		if (ev->ordinal != expect_ordinal++)
			g->bad_ordinals++;
		g->records++;
		g->sum += mix(h);
		g->xsum ^= mix(h + 1);
		g->chain = mix(g->chain ^ h);
	}
	memcpy(&g->stats, alpcscope_reader_stats(r), sizeof(g->stats));
	alpcscope_reader_free(r);
}

/* Time order against buffer order, and both against 2 and 4 threads. */
static void
check_orders(const char *what, const uint8_t *data, size_t size, bool orders_differ)
{
	struct digest t1, b1, tn, bn;

	read_digest(data, size, false, 1, &t1);
	read_digest(data, size, true, 1, &b1);
	CHECK(t1.bad_ordinals == 0 && b1.bad_ordinals == 0);
	if (orders_differ) /* the trace really tests something */
		CHECK(t1.chain != b1.chain && t1.records > 1000);
	CHECK(t1.open_status == b1.open_status && t1.end_status == b1.end_status);
	if (t1.records != b1.records || t1.sum != b1.sum || t1.xsum != b1.xsum ||
	    t1.diag_sum != b1.diag_sum || memcmp(&t1.stats, &b1.stats, sizeof(t1.stats)) != 0) {
		fprintf(stderr,
			"%s: buffer order differs from time order (%" PRIu64 " / %" PRIu64
			" records, %" PRIu64 " / %" PRIu64 " diagnostics)\n",
			what, t1.records, b1.records, t1.diags, b1.diags);
		CHECK(!"buffer order delivers what time order delivers");
	} else {
		CHECK(1);
	}
	for (uint32_t threads = 2; threads <= 4; threads += 2) {
		read_digest(data, size, false, threads, &tn);
		read_digest(data, size, true, threads, &bn);
		if (tn.records != t1.records || tn.chain != t1.chain ||
		    tn.diag_chain != t1.diag_chain || tn.end_status != t1.end_status ||
		    memcmp(&tn.stats, &t1.stats, sizeof(tn.stats)) != 0 || bn.chain != b1.chain ||
		    bn.diag_chain != b1.diag_chain ||
		    memcmp(&bn.stats, &b1.stats, sizeof(bn.stats)) != 0) {
			fprintf(stderr, "%s: %u threads differ from one thread\n", what, threads);
			CHECK(!"threads deliver what one thread delivers");
		} else {
			CHECK(1);
		}
	}
}

/*
 * Four processors, small buffers, records of varied kinds whose times make
 * the processors' buffers interleave in the file out of time order.
 */
static uint8_t *
make_trace(bool compress, size_t *size)
{
	struct etl_writer_config c;
	struct etl_writer *w = NULL;
	uint8_t payload[96];
	uint64_t seed = 7;
	int64_t at[4];

	etl_writer_config_init(&c);
	c.cpus = 4;
	c.buffer_size = 4096;
	c.compress = compress;
	if (etl_writer_open_memory(&w, &c) != 0)
		return NULL;
	for (unsigned i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7);
	for (int k = 0; k < 4; k++)
		at[k] = c.start_ticks + 1000;
	for (unsigned i = 0; i < 6000; i++) {
		struct etl_rec r = {0};
		int rc;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		r.cpu = (uint32_t)(seed >> 60) & 3;
		/* Bursts: a processor's clock runs ahead, so buffers flush out of time order. */
		at[r.cpu] += (int64_t)((seed >> 40) % (r.cpu == 3 ? 9000 : 1500));
		r.ticks = at[r.cpu];
		r.pid = 100 + r.cpu;
		r.tid = 200 + (uint32_t)(seed >> 20) % 8;
		switch ((seed >> 32) % 4) {
		case 0: rc = etl_writer_system(w, &r, 0x05F0, 2, payload, 8 + (i % 8) * 8); break;
		case 1: rc = etl_writer_perfinfo(w, &r, 0x0F2E, 2, payload, 16); break;
		case 2: rc = etl_writer_full(w, &r, &etl_guid_rpc, 5, 4, 1, payload, 24); break;
		default:
			rc = etl_writer_wpp(w, &r, &etl_guid_rpc, 12, payload, 8 + (i % 5) * 4);
			break;
		}
		if (rc != 0) {
			etl_writer_free(w);
			return NULL;
		}
	}
	uint8_t *data = NULL;

	if (etl_writer_finish(w, 0) == 0)
		data = etl_writer_take_memory(w, size);
	etl_writer_free(w);
	return data;
}

static void
test_generated(void)
{
	for (int compress = 0; compress <= 1; compress++) {
		size_t size = 0;
		uint8_t *t = make_trace(compress, &size);

		CHECK(t != NULL);
		if (!t)
			return;
		check_orders(compress ? "compressed" : "uncompressed", t, size, true);

		/* Damage: a bad record marker in buffer 5, garbage in buffer 9's data. */
		size_t off = 0;
		for (uint32_t k = 0; off + 0x48 <= size; k++) {
			uint32_t bsize = le32_load(t + off);

			if (bsize < 0x48 || bsize > size - off)
				break;
			if (k == 5)
				memcpy(t + off + 0x48, "\x78\x56\x34\x12", 4);
			if (k == 9)
				for (size_t j = 0x48; j < 0x80 && off + j < size; j++)
					t[off + j] ^= 0xA5;
			off += bsize;
		}
		struct digest dg;

		read_digest(t, size, false, 1, &dg);
		CHECK(dg.stats.buffers_damaged >= 2);
		check_orders(compress ? "compressed, damaged" : "uncompressed, damaged", t, size,
			     true);
		free(t);
	}
}

static uint8_t *
slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		data = malloc((size_t)n);
		if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
			free(data);
			data = NULL;
		}
		*size = (size_t)n;
	}
	fclose(f);
	return data;
}

static void
test_samples(void)
{
	DIR *d = opendir(SAMPLES_DIR);
	struct dirent *e;
	unsigned n = 0;

	if (!d) {
		printf("skip: %s absent, real samples not checked\n", SAMPLES_DIR);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name), size = 0;
		char path[512];

		if (len < 4 || strcmp(e->d_name + len - 4, ".etl") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", SAMPLES_DIR, e->d_name);
		uint8_t *data = slurp(path, &size);

		CHECK(data != NULL);
		if (!data)
			continue;
		check_orders(e->d_name, data, size, false);
		free(data);
		n++;
	}
	closedir(d);
	printf("%u real samples checked\n", n);
}

int
main(void)
{
	test_generated();
	test_samples();
	return check_summary();
}
