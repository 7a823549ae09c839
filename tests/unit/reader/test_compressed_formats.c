/* SPDX-License-Identifier: MIT */
/*
 * Compressed ETL files in formats 2 (LZNT1) and 4 (LZ77+Huffman) through the
 * public reader (docs/etl-layout.md#compression). The trace writer only compresses with
 * plain LZ77 and always writes State 3, so each compressed buffer of a
 * written trace is re-encoded here (BufferSize follows, SavedOffset stays)
 * and the header buffer's State set to the format. Checks: the same records
 * as the uncompressed trace; an LZNT1 file whose State says 3 is still read
 * (fallback), an LZ77+Huffman file whose State says 3 is not (never
 * guessed); a damaged Huffman buffer is skipped and the rest still read.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <alpcscope/reader.h>

#include "check.h"
#include "etl_writer.h"
#include "lznt1_compress.h"
#include "reader/xpress.h"
#include "util/bytes.h"
#include "xpress_huffman_compress.h"

#define NREC       3000
#define HDR        0x48u /* WMI_BUFFER_HEADER */
#define OFF_STATE  0x2Cu
#define OFF_FLAGS  0x34u
#define FLAG_COMPR 0x40u

struct trace {
	uint8_t *data;
	size_t size;
};

/* 2 processors, 64 KiB buffers; payloads vary so every buffer is distinct. */
static bool
make_trace(struct trace *t, bool compress)
{
	struct etl_writer_config c;
	struct etl_writer *w = NULL;
	uint8_t payload[64];

	etl_writer_config_init(&c);
	c.cpus = 2;
	c.compress = compress;
	if (etl_writer_open_memory(&w, &c) != 0)
		return false;
	for (unsigned i = 0; i < NREC; i++) {
		struct etl_rec r = {0};

		for (unsigned j = 0; j < sizeof(payload); j++)
			payload[j] = (uint8_t)(j < 8 ? i >> (j * 4) : (i * 31 + j) % 7);
		r.cpu = i % 2;
		r.ticks = c.start_ticks + 1000 + (int64_t)i * 1000;
		r.pid = 100 + i % 3;
		r.tid = 200 + i % 5;
		if (etl_writer_system(w, &r, 0x05F0, 2, payload, 8 + (i % 8) * 8) != 0) {
			etl_writer_free(w);
			return false;
		}
	}
	bool ok = etl_writer_finish(w, 0) == 0;
	t->data = ok ? etl_writer_take_memory(w, &t->size) : NULL;
	etl_writer_free(w);
	return t->data != NULL;
}

/* Re-encode every compressed buffer of @src in format @fmt (2 or 4) and
 * write @state into the header buffer's State. */
static bool
transcode(const struct trace *src, unsigned fmt, uint16_t state, struct trace *dst)
{
	size_t cap = src->size * 3 + 65536;
	uint8_t *out = malloc(cap), *ev = malloc(1 << 20), *z = malloc(1 << 21);
	size_t op = 0;
	bool ok = out && ev && z;

	for (size_t off = 0; ok && off + HDR <= src->size;) {
		const uint8_t *b = src->data + off;
		uint32_t bsize = le32_load(b), saved = le32_load(b + 4);
		if (bsize < HDR || bsize > src->size - off || op + bsize * 2 + HDR > cap) {
			ok = false;
			break;
		}
		memcpy(out + op, b, HDR);
		if (off == 0) /* the header buffer */
			le32_store(out + op + OFF_STATE,
				   (le32_load(b + OFF_STATE) & 0xFFFF0000u) | state);
		if (le16_load(b + OFF_FLAGS) & FLAG_COMPR) {
			size_t n = saved - HDR, zn;
			ok = saved > HDR && n <= (1 << 20) &&
			     xpress_decompress(b + HDR, bsize - HDR, ev, n) == 0;
			if (!ok)
				break;
			zn = fmt == 2 ? lznt1_compress(ev, n, z, 1 << 21)
				      : xpress_huffman_compress(ev, n, z, 1 << 21);
			ok = zn > 0;
			le32_store(out + op, (uint32_t)(HDR + zn));
			memcpy(out + op + HDR, z, zn);
			op += HDR + zn;
		} else {
			memcpy(out + op + HDR, b + HDR, bsize - HDR);
			op += bsize;
		}
		off += bsize;
	}
	free(ev);
	free(z);
	dst->data = out;
	dst->size = op;
	return ok;
}

struct rec {
	int64_t ticks;
	uint32_t pid, tid, cpu;
	uint16_t hook;
	size_t size;
	uint8_t payload[64];
};

struct result {
	struct rec *recs;
	size_t n;
	struct alpcscope_reader_stats stats;
	unsigned w105;
};

static void
on_diag(void *ctx, const struct alpcscope_diagnostic *d)
{
	if (strcmp(d->id, "ALPCSCOPE-W105") == 0)
		((struct result *)ctx)->w105++;
}

static void
read_all(const struct trace *t, struct result *res)
{
	struct alpcscope_reader_options opt = ALPCSCOPE_READER_OPTIONS_INIT;
	struct alpcscope_reader *r = NULL;
	const struct alpcscope_event *ev;
	struct alpcscope_error err;

	memset(res, 0, sizeof(*res));
	res->recs = calloc(NREC + 16, sizeof(*res->recs));
	opt.diag = on_diag;
	opt.diag_ctx = res;
	if (alpcscope_reader_open_memory(&r, t->data, t->size, &opt, &err) != ALPCSCOPE_OK)
		return;
	while (alpcscope_reader_next(r, &ev, &err) == ALPCSCOPE_OK) {
		if (ev->hook_id != 0x05F0 || res->n >= NREC + 16)
			continue; /* the header event differs with the log-file mode */
		struct rec *x = &res->recs[res->n++];
		x->ticks = ev->timestamp_ticks;
		x->pid = ev->process_id;
		x->tid = ev->thread_id;
		x->cpu = ev->processor;
		x->hook = ev->hook_id;
		x->size = ev->payload_size < 64 ? ev->payload_size : 64;
		memcpy(x->payload, ev->payload, x->size);
	}
	res->stats = *alpcscope_reader_stats(r);
	alpcscope_reader_free(r);
}

static bool
same_records(const struct result *a, const struct result *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct rec *x = &a->recs[i], *y = &b->recs[i];
		if (x->ticks != y->ticks || x->pid != y->pid || x->tid != y->tid ||
		    x->cpu != y->cpu || x->hook != y->hook || x->size != y->size ||
		    memcmp(x->payload, y->payload, x->size) != 0)
			return false;
	}
	return true;
}

static unsigned
compressed_buffers(const struct trace *t)
{
	unsigned n = 0;
	for (size_t off = 0; off + HDR <= t->size; off += le32_load(t->data + off))
		n += (le16_load(t->data + off + OFF_FLAGS) & FLAG_COMPR) != 0;
	return n;
}

int
main(void)
{
	struct trace plain, x3, f2, f4, f2s3, f4s3, f4bad;
	struct result rp, r3, r2, r4, r2s3, r4s3, r4bad;

	CHECK(make_trace(&plain, false));
	CHECK(make_trace(&x3, true));
	if (!plain.data || !x3.data)
		return check_summary();
	unsigned nz = compressed_buffers(&x3);
	CHECK(nz >= 4);
	CHECK(transcode(&x3, 2, 2, &f2));
	CHECK(transcode(&x3, 4, 4, &f4));
	CHECK(transcode(&x3, 2, 3, &f2s3));
	CHECK(transcode(&x3, 4, 3, &f4s3));
	CHECK(transcode(&x3, 4, 4, &f4bad));
	CHECK(compressed_buffers(&f2) == nz && compressed_buffers(&f4) == nz);
	CHECK(f2.size != x3.size && f4.size != x3.size); /* really re-encoded */

	read_all(&plain, &rp);
	read_all(&x3, &r3);
	CHECK(rp.n == NREC);
	CHECK(same_records(&rp, &r3));

	/* Format 2 and format 4, named by the header buffer's State. */
	read_all(&f2, &r2);
	read_all(&f4, &r4);
	CHECK(same_records(&rp, &r2));
	CHECK(same_records(&rp, &r4));
	CHECK(r2.stats.buffers_undecompressible == 0 && r2.stats.buffers_damaged == 0);
	CHECK(r4.stats.buffers_undecompressible == 0 && r4.stats.buffers_damaged == 0);
	CHECK(r2.w105 == 0 && r4.w105 == 0);
	CHECK(r2.stats.bytes_decompressed == r3.stats.bytes_decompressed);
	CHECK(r4.stats.bytes_decompressed == r3.stats.bytes_decompressed);

	/* State 3: LZNT1 is still tried after plain LZ77; LZ77+Huffman is not. */
	read_all(&f2s3, &r2s3);
	CHECK(same_records(&rp, &r2s3));
	read_all(&f4s3, &r4s3);
	CHECK(r4s3.n == 0);
	CHECK(r4s3.stats.buffers_undecompressible == nz && r4s3.w105 == nz);

	/* One over-subscribed Huffman table (every length 1): that buffer is
	 * reported and skipped, the others are read. */
	size_t off = le32_load(f4bad.data); /* first buffer after the header buffer */
	while (off + HDR <= f4bad.size && !(le16_load(f4bad.data + off + OFF_FLAGS) & FLAG_COMPR))
		off += le32_load(f4bad.data + off);
	CHECK(off + HDR + 256 <= f4bad.size);
	if (off + HDR + 256 <= f4bad.size)
		memset(f4bad.data + off + HDR, 0x11, 256);
	read_all(&f4bad, &r4bad);
	CHECK(r4bad.stats.buffers_undecompressible == 1 && r4bad.w105 == 1);
	CHECK(r4bad.n > 0 && r4bad.n < NREC);

	printf("%u compressed buffers; LZNT1 file %zu bytes, LZ77+Huffman %zu, plain LZ77 %zu\n",
	       nz, f2.size, f4.size, x3.size);
	struct trace *ts[] = {&plain, &x3, &f2, &f4, &f2s3, &f4s3, &f4bad};
	struct result *rs[] = {&rp, &r3, &r2, &r4, &r2s3, &r4s3, &r4bad};
	for (unsigned i = 0; i < 7; i++) {
		free(ts[i]->data);
		free(rs[i]->recs);
	}
	return check_summary();
}
