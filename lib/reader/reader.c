/* SPDX-License-Identifier: MIT */
/*
 * The public reader: maps the file, indexes every buffer (resynchronising
 * after damage), reads the log-file header, then delivers records in time
 * order with a k-way merge of the per-processor streams (docs/etl-layout.md#event-order). One event
 * struct per stream is reused, so delivering an event allocates nothing; a buffer is read (or a
 * compressed one inflated) into its stream's scratch buffer, so memory is (processors x buffer
 * size), flat in file size (docs/format-notes.md#memory).
 */
#include "reader/reader_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reader/logfile_header.h"
#include "reader/record.h"
#include "reader/wmi_buffer.h"
#include "util/bytes.h"
#include "util/error.h"

__extension__ typedef __int128 int128;

/* ---- diagnostics ---- */

void
reader_diag(struct alpcscope_reader *r, const char *id, enum alpcscope_severity sev,
	    uint64_t offset, uint32_t buffer_index, const char *fmt, ...)
{
	va_list ap;
	struct alpcscope_diagnostic d;

	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
	r->stats.diagnostics++;
	r->stats.diagnostics_by_severity[sev]++;
	d.id = id;
	d.severity = sev;
	d.file_offset = offset;
	d.buffer_index = buffer_index;
	d.message = r->message;
	if (r->opt.diag)
		r->opt.diag(r->opt.diag_ctx, &d);
	if (r->opt.strict && sev >= ALPCSCOPE_SEV_WARNING && !r->strict_failed) {
		r->strict_failed = true;
		error_set(&r->strict_err, ALPCSCOPE_E_CORRUPT, offset, "%s: %s", id, r->message);
	}
}

/* ---- time ---- */

static inline int64_t ticks_to_filetime(const struct alpcscope_reader *r, int64_t ticks);

int64_t
alpcscope_reader_ticks_to_filetime(const struct alpcscope_reader *r, int64_t ticks)
{
	return ticks_to_filetime(r, ticks);
}

static inline int64_t
ticks_to_filetime(const struct alpcscope_reader *r, int64_t ticks)
{
	/* 128-bit so that garbage times in damaged files cannot overflow; saturated. */
	int128 d, ft;
	int64_t d64, ft64;

	if (r->time_mode == TIME_QPC_10MHZ && !__builtin_sub_overflow(ticks, r->t0, &d64) &&
	    !__builtin_add_overflow(r->start_ft, d64, &ft64))
		return ft64; /* the common case, without 128-bit arithmetic */
	d = (int128)ticks - r->t0;
	switch (r->time_mode) {
	case TIME_RAW: return ticks;
	case TIME_QPC_10MHZ: ft = r->start_ft + d; break;
	case TIME_SCALED: ft = r->start_ft + d * r->num / r->den; break;
	default: return ticks;
	}
	return ft > INT64_MAX ? INT64_MAX : ft < INT64_MIN ? INT64_MIN : (int64_t)ft;
}

static void
setup_time(struct alpcscope_reader *r)
{
	const struct alpcscope_trace_info *in = &r->info;

	r->time_mode = TIME_RAW;
	if (!in->header_found)
		return;
	r->t0 = in->header_timestamp_ticks;
	r->start_ft = in->start_filetime;
	switch (in->clock_type) {
	case ALPCSCOPE_CLOCK_SYSTEM_TIME:
		r->time_mode = TIME_QPC_10MHZ; /* raw values are already 100 ns units */
		return;
	case ALPCSCOPE_CLOCK_CPU_CYCLES:
		if (in->cpu_mhz) {
			r->time_mode = TIME_SCALED;
			r->num = 10;
			r->den = in->cpu_mhz;
			return;
		}
		break;
	default:
		if (in->perf_freq > 0) {
			r->time_mode = in->perf_freq == 10000000 ? TIME_QPC_10MHZ : TIME_SCALED;
			r->num = 10000000;
			r->den = in->perf_freq;
			return;
		}
		break;
	}
	reader_diag(r, "ALPCSCOPE-W303", ALPCSCOPE_SEV_WARNING, ALPCSCOPE_NO_OFFSET, UINT32_MAX,
		    "no usable time base (clock type %u, PerfFreq %lld, CPU MHz %u): times are raw",
		    in->clock_type, (long long)in->perf_freq, in->cpu_mhz);
	r->time_mode = TIME_RAW;
}

/* ---- streams ---- */

/* Bytes ahead of the parse position to prefetch within a buffer. */
#define PREFETCH_DISTANCE 512

/* Pages are dropped in chunks of this size: one madvise (and TLB flush) per chunk. */
#define RELEASE_CHUNK (8u << 20)

/* Drop the mapped pages of [r->released_upto, upto) rounded to pages. */
static void
release_range(struct alpcscope_reader *r, uint64_t upto)
{
	uintptr_t base = (uintptr_t)r->map, ps = r->page_size;
	uintptr_t lo = (base + r->released_upto + ps - 1) & ~(ps - 1);
	uintptr_t hi = (base + upto) & ~(ps - 1);

	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
	r->released_upto = upto;
}

/*
 * Each buffer is read once, and the processor streams advance through the file
 * roughly together, so everything below the lowest buffer any stream still
 * needs can go: resident memory then stays at a few chunks whatever the file
 * size, instead of growing with every page of the mapping touched.
 */
static void
release_consumed(struct alpcscope_reader *r)
{
	uint64_t low = r->size;

	if (!r->owns_map)
		return;
	for (uint32_t i = 0; i < r->nstreams; i++) {
		const struct stream *s = &r->streams[i];

		if (s->data && s->cur && s->cur->file_offset < low)
			low = s->cur->file_offset;
		else if (!s->data && s->next < s->count &&
			 r->buffers[s->order[s->next]].file_offset < low)
			low = r->buffers[s->order[s->next]].file_offset;
	}
	if (r->header.data && r->header.cur)
		low = 0;
	if (low > r->released_upto && (low - r->released_upto >= RELEASE_CHUNK || low == r->size))
		release_range(r, low);
}

/*
 * Map the file ahead of the streams in large steps: one madvise per chunk
 * instead of a page fault per few pages while parsing (Linux 5.14+; on older
 * kernels the call fails harmlessly and pages fault in as usual).
 */
static void
prefault_ahead(struct alpcscope_reader *r, uint64_t end)
{
#ifdef MADV_POPULATE_READ
	uintptr_t base = (uintptr_t)r->map, ps = r->page_size;

	if (!r->owns_map || end <= r->populated_upto || r->populate_failed)
		return;
	uint64_t from = r->populated_upto > r->released_upto ? r->populated_upto : r->released_upto;
	uint64_t to = end + RELEASE_CHUNK < r->size ? end + RELEASE_CHUNK : r->size;
	uintptr_t lo = (base + from) & ~(ps - 1);
	uintptr_t hi = (base + to + ps - 1) & ~(ps - 1);

	if (hi > lo && madvise((void *)lo, hi - lo, MADV_POPULATE_READ) != 0)
		r->populate_failed = true;
	r->populated_upto = to;
	/* Start reading the chunk after it from disk while this one is parsed. */
	uint64_t ahead = to + RELEASE_CHUNK < r->size ? to + RELEASE_CHUNK : r->size;
	uintptr_t alo = (base + to) & ~(ps - 1), ahi = (base + ahead + ps - 1) & ~(ps - 1);
	if (ahi > alo)
		(void)madvise((void *)alo, ahi - alo, MADV_WILLNEED);
#else
	(void)r;
	(void)end;
#endif
}

/*
 * Note where buffers of @p s's processor were lost: between its last record
 * before them and the first after (the record just parsed). Out of memory
 * only loses the window.
 */
static void
close_loss_window(struct alpcscope_reader *r, struct stream *s)
{
	s->window_open = false;
	if (r->nloss_windows == r->cap_loss_windows) {
		uint32_t ncap = r->cap_loss_windows ? r->cap_loss_windows * 2 : 16;
		void *p = realloc(r->loss_windows, ncap * sizeof(*r->loss_windows));

		if (!p)
			return;
		r->loss_windows = p;
		r->cap_loss_windows = ncap;
	}
	r->loss_windows[r->nloss_windows++] =
	    (struct loss_window_ticks){s->last_ticks, s->ev.timestamp_ticks, s->ev.processor};
}

/* File offset of the record at @p pos of @p s's buffer (a compressed buffer's own offset). */
static uint64_t
record_file_offset(const struct stream *s, size_t pos)
{
	const struct buffer_ref *ref = s->cur;

	return (ref->flags & WMIBUF_FLAG_COMPRESSED) ? ref->file_offset : ref->file_offset + pos;
}

/* The parsed record becomes the stream's event: where it lies, its time, the step past it. */
static inline void
take_record(struct alpcscope_reader *r, struct stream *s, size_t size)
{
	const struct buffer_ref *ref = s->cur;
	struct alpcscope_event *ev = &s->ev;

	ev->processor = ref->processor;
	ev->buffer_index = ref->index;
	ev->buffer_offset = (uint32_t)s->pos;
	ev->file_offset = record_file_offset(s, s->pos);
	if (!ev->has_timestamp)
		ev->timestamp_ticks = s->last_ticks;
	else if (ev->timestamp_ticks < s->last_ticks && s != &r->header)
		r->stats.time_inversions++;
	if (s->window_open)
		close_loss_window(r, s);
	s->last_ticks = ev->timestamp_ticks;
	s->pos += size;
	/* Four processor streams interleave; help the hardware prefetcher. */
	if (s->end - s->pos > PREFETCH_DISTANCE)
		__builtin_prefetch(s->data + s->pos + PREFETCH_DISTANCE);
	s->has_event = true;
}

/*
 * The rare outcomes of a parse, out of the per-record path: a record whose
 * extended items overrun it (still lent), a damaged record (the rest of the
 * buffer is skipped) or the fill. True when a record is lent.
 */
static __attribute__((noinline)) bool
take_unusual_record(struct alpcscope_reader *r, struct stream *s, enum record_result rr,
		    size_t size, const char *why)
{
	if (rr == RECORD_EXT_DAMAGED) {
		reader_diag(r, "ALPCSCOPE-W204", ALPCSCOPE_SEV_WARNING,
			    record_file_offset(s, s->pos), s->cur->index,
			    "extended data items overrun their record at buffer offset 0x%zx",
			    s->pos);
		take_record(r, s, size);
		return true;
	}
	if (rr == RECORD_BAD) {
		reader_diag(r, "ALPCSCOPE-W201", ALPCSCOPE_SEV_ERROR, record_file_offset(s, s->pos),
			    s->cur->index,
			    "%s at buffer offset 0x%zx; rest of buffer (%zu bytes) skipped", why,
			    s->pos, s->end - s->pos);
		r->stats.buffers_damaged++;
	}
	s->pos = s->end; /* fill or damage: this buffer is done */
	return false;
}

/* End-of-buffer bookkeeping: the header's uncounted records, the pool slot, consumed pages. */
static __attribute__((noinline)) void
leave_buffer(struct alpcscope_reader *r, struct stream *s)
{
	if (s == &r->header && s->cur)
		buffer_count_past_saved(r, s->cur);
	s->data = NULL;
	if (r->pool)
		decompress_pool_release(r->pool, &s->pool_slot);
	if (s != &r->header)
		release_consumed(r);
}

/*
 * Lend the next record of the stream's current buffer; false once the buffer
 * is done (filled, damaged or never loaded), after its end-of-buffer
 * bookkeeping. The stream's next buffer is not touched.
 */
static bool
stream_next_in_buffer(struct alpcscope_reader *r, struct stream *s)
{
	if (s->data && s->pos < s->end) {
		size_t size;
		const char *why = NULL;
		enum record_result rr = record_parse(s->data, s->pos, s->end, &s->ev, &size, &why);

		if (__builtin_expect(rr == RECORD_OK, 1)) {
			take_record(r, s, size);
			return true;
		}
		if (take_unusual_record(r, s, rr, size, why))
			return true;
	}
	if (s->data)
		leave_buffer(r, s);
	return false;
}

/* Make the stream's next buffer current; false when the stream has none left. */
static bool
stream_load_next(struct alpcscope_reader *r, struct stream *s)
{
	if (s->next >= s->count) {
		s->has_event = false;
		return false;
	}
	const struct buffer_ref *next = &r->buffers[s->order[s->next++]];

	if (next->gap_before && s->has_event)
		s->window_open = true; /* from the last record before to the next after */
	if (next->flags & WMIBUF_FLAG_COMPRESSED) /* uncompressed ones are read, not mapped */
		prefault_ahead(r, next->file_offset + next->avail);
	(void)buffer_load(r, s, next);
	return true;
}

/* Advance @p s to its next record; false when the stream is exhausted. */
static bool
stream_advance(struct alpcscope_reader *r, struct stream *s)
{
	do {
		if (stream_next_in_buffer(r, s))
			return true;
	} while (stream_load_next(r, s));
	return false;
}

/*
 * Buffer order: the stream whose next buffer comes first in the file. Each
 * processor's buffers still go in sequence order, so the per-stream state
 * (inherited time stamps, inversion counts) is exactly that of time order.
 */
static struct stream *
stream_with_first_buffer(struct alpcscope_reader *r)
{
	struct stream *best = NULL;
	uint64_t best_off = UINT64_MAX;

	for (uint32_t i = 0; i < r->nstreams; i++) {
		struct stream *s = &r->streams[i];

		if (s->next < s->count && r->buffers[s->order[s->next]].file_offset < best_off) {
			best = s;
			best_off = r->buffers[s->order[s->next]].file_offset;
		}
	}
	return best;
}

static inline bool
heap_less(const struct heap_entry *a, const struct heap_entry *b)
{
	return a->ticks < b->ticks || (a->ticks == b->ticks && a->stream < b->stream);
}

static void
heap_sift_down(struct alpcscope_reader *r, uint32_t i)
{
	struct heap_entry *h = r->heap;
	uint32_t n = r->heap_len;

	for (;;) {
		uint32_t l = 2 * i + 1, m = i;

		if (l < n && heap_less(&h[l], &h[m]))
			m = l;
		if (l + 1 < n && heap_less(&h[l + 1], &h[m]))
			m = l + 1;
		if (m == i)
			return;
		struct heap_entry t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* Sort key of a data buffer: processor, then sequence, then file order. */
struct order_key {
	uint32_t processor;
	uint32_t index;
	uint64_t sequence;
};

static int
cmp_order(const void *a, const void *b)
{
	const struct order_key *x = a, *y = b;

	if (x->processor != y->processor)
		return x->processor < y->processor ? -1 : 1;
	if (x->sequence != y->sequence)
		return x->sequence < y->sequence ? -1 : 1;
	return x->index < y->index ? -1 : (x->index > y->index);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : (x > y);
}

/* Index of the first value >= @p key in the sorted array @p v. */
static size_t
bsearch_u64(const uint64_t *v, size_t n, uint64_t key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static enum alpcscope_status
build_streams(struct alpcscope_reader *r, struct alpcscope_error *err)
{
	uint32_t first_data = 0;

	r->order_storage = malloc(((size_t)r->nbuffers + 1) * sizeof(uint32_t));
	if (!r->order_storage)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	if (r->nbuffers && r->buffers[0].type == WMIBUF_TYPE_HEADER && !r->opt.file_order) {
		r->header.order = r->order_storage;
		r->header.order[0] = 0;
		r->header.count = 1;
		first_data = 1;
	}
	uint32_t *data_order = r->order_storage + first_data;
	uint32_t ndata = r->nbuffers - first_data;

	for (uint32_t i = 0; i < ndata; i++)
		data_order[i] = first_data + i;
	if (r->opt.file_order) {
		r->streams = calloc(1, sizeof(*r->streams));
		r->heap = calloc(1, sizeof(*r->heap));
		if (!r->streams || !r->heap)
			return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
					 "out of memory");
		r->nstreams = 1;
		r->streams[0].order = data_order;
		r->streams[0].count = ndata;
		return ALPCSCOPE_OK;
	}
	struct order_key *keys = malloc((ndata ? ndata : 1) * sizeof(*keys));
	if (!keys)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	for (uint32_t i = 0; i < ndata; i++) {
		const struct buffer_ref *b = &r->buffers[data_order[i]];

		keys[i] = (struct order_key){b->processor, data_order[i], b->sequence};
	}
	qsort(keys, ndata, sizeof(*keys), cmp_order);
	for (uint32_t i = 0; i < ndata; i++)
		data_order[i] = keys[i].index;
	free(keys);

	uint32_t nstreams = 0;
	for (uint32_t i = 0; i < ndata; i++)
		if (i == 0 ||
		    r->buffers[data_order[i]].processor != r->buffers[data_order[i - 1]].processor)
			nstreams++;
	r->streams = calloc(nstreams ? nstreams : 1, sizeof(*r->streams));
	r->heap = calloc(nstreams ? nstreams : 1, sizeof(*r->heap));
	if (!r->streams || !r->heap)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	for (uint32_t i = 0; i < ndata; i++) {
		if (i == 0 || r->buffers[data_order[i]].processor !=
				  r->buffers[data_order[i - 1]].processor) {
			r->streams[r->nstreams].order = data_order + i;
			r->nstreams++;
		}
		r->streams[r->nstreams - 1].count++;
	}

	/* Sequence numbers are global across processors; report holes among data buffers. */
	if (ndata > 1) {
		uint64_t *seq = malloc(ndata * sizeof(uint64_t));

		if (!seq)
			return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
					 "out of memory");
		for (uint32_t i = 0; i < ndata; i++)
			seq[i] = r->buffers[data_order[i]].sequence;
		qsort(seq, ndata, sizeof(uint64_t), cmp_u64);
		/*
		 * A buffer follows lost ones when its processor's previous buffer
		 * has a lower number and not every number between is present.
		 */
		for (uint32_t i = 1; i < ndata; i++) {
			struct buffer_ref *b = &r->buffers[data_order[i]];
			const struct buffer_ref *a = &r->buffers[data_order[i - 1]];

			if (a->processor != b->processor || b->sequence <= a->sequence + 1)
				continue;
			size_t lo = bsearch_u64(seq, ndata, a->sequence + 1),
			       hi = bsearch_u64(seq, ndata, b->sequence);
			b->gap_before = hi - lo < b->sequence - a->sequence - 1;
		}
		uint64_t missing = 0, duplicates = 0;
		for (uint32_t i = 1; i < ndata; i++) {
			if (seq[i] == seq[i - 1])
				duplicates++;
			else if (seq[i] - seq[i - 1] > 1)
				missing += seq[i] - seq[i - 1] - 1;
		}
		free(seq);
		if (missing) {
			r->stats.sequence_gaps =
			    (uint32_t)(missing > UINT32_MAX ? UINT32_MAX : missing);
			reader_diag(
			    r, "ALPCSCOPE-I106", ALPCSCOPE_SEV_INFO, ALPCSCOPE_NO_OFFSET,
			    UINT32_MAX,
			    "%llu buffer sequence number(s) missing among data buffers (buffers "
			    "may have been lost or the file is part of a series)",
			    (unsigned long long)missing);
		}
		if (duplicates)
			reader_diag(r, "ALPCSCOPE-I110", ALPCSCOPE_SEV_INFO, ALPCSCOPE_NO_OFFSET,
				    UINT32_MAX, "%llu duplicate buffer sequence number(s)",
				    (unsigned long long)duplicates);
	}
	return ALPCSCOPE_OK;
}

/* Read the log-file header from the first record of buffer 0 (@p ref). */
static void
read_logfile_header(struct alpcscope_reader *r, const struct buffer_ref *ref)
{
	struct stream probe;
	uint32_t zero = 0;

	memset(&probe, 0, sizeof(probe));
	probe.pool_slot = POOL_NO_SLOT;
	probe.order = &zero;
	probe.count = 1;
	/* The header buffer is never compressed; decode its first record directly. */
	if (!(ref->flags & WMIBUF_FLAG_COMPRESSED) && buffer_load(r, &probe, ref)) {
		size_t size;
		const char *why = NULL;
		enum record_result rr =
		    record_parse(probe.data, probe.pos, probe.end, &probe.ev, &size, &why);

		r->stats.buffers_read--; /* the probe is not a read of the buffer */
		if (rr == RECORD_OK && probe.ev.is_kernel && probe.ev.hook_id == 0 &&
		    (probe.ev.kind == ALPCSCOPE_RECORD_SYSTEM32 ||
		     probe.ev.kind == ALPCSCOPE_RECORD_SYSTEM64)) {
			const char *warning = NULL;
			const char *bad = logfile_header_decode(&probe.ev, &r->info, &warning);

			if (bad)
				reader_diag(r, "ALPCSCOPE-W301", ALPCSCOPE_SEV_ERROR,
					    ref->file_offset + WMIBUF_HEADER_SIZE, 0, "%s", bad);
			else if (warning)
				reader_diag(r, "ALPCSCOPE-W302", ALPCSCOPE_SEV_WARNING,
					    ref->file_offset + WMIBUF_HEADER_SIZE, 0, "%s",
					    warning);
			if (!bad) {
				/* snail reads the compression format from the header buffer's
				 * State; it is 3 (= Flush) in uncompressed files too, so it only
				 * matters once a buffer is compressed. */
				uint32_t fmt =
				    le32_load(r->map + ref->file_offset + WMIBUF_OFF_STATE) &
				    0xFFFF;

				r->info.compression_format = (fmt >= 2 && fmt <= 4) ? fmt : 3u;
			}
			free(probe.scratch);
			return;
		}
	} else {
		r->stats.buffers_read = 0;
	}
	free(probe.scratch);
	reader_diag(r, "ALPCSCOPE-W301", ALPCSCOPE_SEV_ERROR, ref->file_offset + WMIBUF_HEADER_SIZE,
		    0, "first record is not a log-file header event; times stay raw");
}

static enum alpcscope_status
reader_init(struct alpcscope_reader *r, struct alpcscope_error *err)
{
	struct wmi_buffer b0;
	enum alpcscope_status st;

	r->info.file_size = r->size;
	if (!wmi_buffer_decode(r->map, r->size, 0, &b0) || !buffer_header_plausible(&b0))
		return error_set(err, ALPCSCOPE_E_NOT_ETL, 0,
				 "no ETL buffer header at offset 0 (%zu bytes)", r->size);
	/* The log-file header comes first: its buffer size and mode tell whether a
	 * damaged buffer header can be skipped by a fixed stride. */
	struct buffer_ref ref0;
	memset(&ref0, 0, sizeof(ref0));
	ref0.avail = b0.size < r->size ? b0.size : (uint32_t)r->size;
	ref0.saved_offset = b0.saved_offset;
	ref0.offset = b0.offset;
	ref0.flags = b0.flags;
	ref0.type = b0.type;
	read_logfile_header(r, &ref0);
	if (r->info.header_found && !(r->info.log_file_mode & 0x04000000u) &&
	    r->info.buffer_size == b0.size && b0.size >= WMIBUF_HEADER_SIZE)
		r->resync_stride = b0.size;
	st = buffer_index_build(r, err);
	if (st != ALPCSCOPE_OK)
		return st;
	if (r->info.compressed_buffer_count)
		r->info.compressed = true;
	if (!r->info.compressed)
		r->info.compression_format = 0;
	else if (r->info.compression_format == 0)
		r->info.compression_format = 3;
	setup_time(r);
	if (r->info.header_found) {
		if (r->info.events_lost)
			reader_diag(r, "ALPCSCOPE-I107", ALPCSCOPE_SEV_INFO, ALPCSCOPE_NO_OFFSET,
				    UINT32_MAX, "the logger lost %u event(s) (EventsLost)",
				    r->info.events_lost);
		if (r->info.buffers_lost)
			reader_diag(r, "ALPCSCOPE-I108", ALPCSCOPE_SEV_INFO, ALPCSCOPE_NO_OFFSET,
				    UINT32_MAX, "the logger lost %u buffer(s) (BuffersLost)",
				    r->info.buffers_lost);
		if (r->info.buffers_written && r->info.buffers_written != r->nbuffers)
			reader_diag(
			    r, "ALPCSCOPE-I109", ALPCSCOPE_SEV_INFO, ALPCSCOPE_NO_OFFSET,
			    UINT32_MAX,
			    "log-file header says %u buffers were written, the file holds %u",
			    r->info.buffers_written, r->nbuffers);
	}
	st = build_streams(r, err);
	if (st != ALPCSCOPE_OK)
		return st;
	r->header.pool_slot = POOL_NO_SLOT;
	for (uint32_t i = 0; i < r->nstreams; i++)
		r->streams[i].pool_slot = POOL_NO_SLOT;
	/* Threads: the caller's thread reads; the others inflate compressed buffers ahead. */
	uint32_t threads = r->opt.threads ? r->opt.threads : decompress_pool_default_threads();

	if (threads > 1)
		r->pool = decompress_pool_start(r, threads - 1);
	return ALPCSCOPE_OK;
}

/* ---- public API ---- */

static struct alpcscope_reader *
reader_new(const struct alpcscope_reader_options *options)
{
	struct alpcscope_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (options && options->version < 2) {
		/* Version 1 callers allocated the struct without the later fields. */
		struct alpcscope_reader_options def = ALPCSCOPE_READER_OPTIONS_INIT;

		r->opt = def;
		memcpy(&r->opt, options, offsetof(struct alpcscope_reader_options, buffer_order));
	} else if (options) {
		r->opt = *options;
	} else {
		struct alpcscope_reader_options def = ALPCSCOPE_READER_OPTIONS_INIT;
		r->opt = def;
	}
	r->in_header_phase = true;
	r->fd = -1;
	r->buffer_order = r->opt.buffer_order && !r->opt.file_order;
	return r;
}

enum alpcscope_status
alpcscope_reader_open_memory(struct alpcscope_reader **out, const void *data, size_t size,
			     const struct alpcscope_reader_options *options,
			     struct alpcscope_error *err)
{
	struct alpcscope_reader *r = NULL;
	enum alpcscope_status st;

	if (!out || (!data && size))
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "NULL argument");
	*out = NULL;
	r = reader_new(options);
	if (!r)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	r->map = data;
	r->size = size;
	st = reader_init(r, err);
	if (st != ALPCSCOPE_OK) {
		alpcscope_reader_free(r);
		return st;
	}
	*out = r;
	return ALPCSCOPE_OK;
}

enum alpcscope_status
alpcscope_reader_open_file(struct alpcscope_reader **out, const char *path,
			   const struct alpcscope_reader_options *options,
			   struct alpcscope_error *err)
{
	struct alpcscope_reader *r = NULL;
	enum alpcscope_status st;
	struct stat sb;
	int fd;

	if (!out || !path)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "NULL argument");
	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "cannot open: %s",
				 strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		int e = errno;
		close(fd);
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "not a regular file%s%s",
				 e ? ": " : "", e ? strerror(e) : "");
	}
	if (sb.st_size < WMIBUF_HEADER_SIZE) {
		close(fd);
		return error_set(err, ALPCSCOPE_E_NOT_ETL, 0,
				 "file too small for an ETL buffer (%lld bytes)",
				 (long long)sb.st_size);
	}
	void *map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		int e = errno;
		close(fd);
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "cannot map: %s",
				 strerror(e));
	}
	r = reader_new(options);
	if (!r) {
		munmap(map, (size_t)sb.st_size);
		close(fd);
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	}
	r->fd = fd;
	r->map = map;
	r->size = (size_t)sb.st_size;
	r->owns_map = true;
	r->page_size = sysconf(_SC_PAGESIZE) > 0 ? (uintptr_t)sysconf(_SC_PAGESIZE) : 4096;
	st = reader_init(r, err);
	if (st != ALPCSCOPE_OK) {
		alpcscope_reader_free(r);
		return st;
	}
	*out = r;
	return ALPCSCOPE_OK;
}

const struct alpcscope_trace_info *
alpcscope_reader_info(const struct alpcscope_reader *r)
{
	return &r->info;
}

uint32_t
alpcscope_reader_loss_window_count(const struct alpcscope_reader *r)
{
	return r ? r->nloss_windows : 0;
}

bool
alpcscope_reader_loss_window_at(const struct alpcscope_reader *r, uint32_t index,
				struct alpcscope_loss_window *out)
{
	if (!r || !out || index >= r->nloss_windows)
		return false;
	const struct loss_window_ticks *w = &r->loss_windows[index];

	out->start_filetime_100ns = alpcscope_reader_ticks_to_filetime(r, w->start);
	out->end_filetime_100ns = alpcscope_reader_ticks_to_filetime(r, w->end);
	out->processor = w->processor;
	return true;
}

const struct alpcscope_reader_stats *
alpcscope_reader_stats(const struct alpcscope_reader *r)
{
	return &r->stats;
}

static const struct alpcscope_event *
lend(struct alpcscope_reader *r, struct stream *s)
{
	struct alpcscope_event *ev = &s->ev;

	r->lent = s;
	ev->ordinal = r->ordinal++;
	ev->filetime_100ns = ticks_to_filetime(r, ev->timestamp_ticks);
	r->stats.records_total++;
	r->stats.records_by_kind[ev->kind]++;
	if (ev->ext_count) {
		uint16_t kept = ev->ext_count;

		if (kept > ALPCSCOPE_MAX_EXT_ITEMS) {
			reader_diag(r, "ALPCSCOPE-W205", ALPCSCOPE_SEV_WARNING, ev->file_offset,
				    ev->buffer_index,
				    "%u extended items in one record; only %d kept", kept,
				    ALPCSCOPE_MAX_EXT_ITEMS);
			kept = ALPCSCOPE_MAX_EXT_ITEMS;
			ev->ext_count = kept;
		}
		r->stats.ext_items += kept;
		for (uint16_t i = 0; i < kept; i++)
			r->stats.ext_items_by_type[ev->ext[i].type < 19 ? ev->ext[i].type : 19]++;
	}
	return ev;
}

/* The end of the records: the closing diagnostics, then END (or the strict error). */
static enum alpcscope_status
reader_end(struct alpcscope_reader *r, const struct alpcscope_event **out,
	   struct alpcscope_error *err)
{
	*out = NULL;
	if (r->stats.time_inversions && !r->reported_inversions) {
		r->reported_inversions = true;
		reader_diag(r, "ALPCSCOPE-I112", ALPCSCOPE_SEV_INFO, ALPCSCOPE_NO_OFFSET,
			    UINT32_MAX,
			    "%llu time stamp(s) went backwards within a processor stream; those "
			    "events were delivered in stream order",
			    (unsigned long long)r->stats.time_inversions);
	}
	if (r->strict_failed) {
		if (err)
			*err = r->strict_err;
		return r->strict_err.status;
	}
	return ALPCSCOPE_END;
}

/* The header buffer's records come first, in every order; NULL once they are done. */
static struct stream *
next_in_header(struct alpcscope_reader *r)
{
	if (r->lent == &r->header || (!r->started && r->header.count)) {
		r->started = true;
		if (stream_advance(r, &r->header))
			return &r->header;
	}
	r->in_header_phase = false;
	r->started = true;
	r->lent = NULL;
	return NULL;
}

/* The second-smallest key: the root's smaller child (none: the largest key). */
static void
heap_update_runner(struct alpcscope_reader *r)
{
	const struct heap_entry *h = r->heap;

	if (r->heap_len < 2)
		r->runner = (struct heap_entry){INT64_MAX, UINT32_MAX};
	else if (r->heap_len == 2 || heap_less(&h[1], &h[2]))
		r->runner = h[1];
	else
		r->runner = h[2];
}

/*
 * Time order: the k-way merge of the processor streams. The root's stream
 * keeps delivering, one comparison a record, while it stays ahead of the
 * runner-up: a run of records costs no sifting; the heap is touched only when
 * the lead changes hands.
 */
static struct stream *
next_in_time_order(struct alpcscope_reader *r)
{
	if (!r->merge_started) {
		r->merge_started = true;
		for (uint32_t i = 0; i < r->nstreams; i++) {
			if (stream_advance(r, &r->streams[i])) {
				r->heap[r->heap_len].ticks = r->streams[i].ev.timestamp_ticks;
				r->heap[r->heap_len++].stream = i;
			}
		}
		for (uint32_t i = r->heap_len / 2; i-- > 0;)
			heap_sift_down(r, i);
		heap_update_runner(r);
	} else if (r->lent) {
		struct heap_entry *top = &r->heap[0];

		r->lent = NULL;
		if (stream_advance(r, &r->streams[top->stream])) {
			top->ticks = r->streams[top->stream].ev.timestamp_ticks;
			if (heap_less(top, &r->runner))
				return &r->streams[top->stream];
		} else {
			*top = r->heap[--r->heap_len];
		}
		if (r->heap_len > 1)
			heap_sift_down(r, 0);
		heap_update_runner(r);
	}
	return r->heap_len ? &r->streams[r->heap[0].stream] : NULL;
}

/* Buffer order: the rest of the current buffer, then the buffer first in the file. */
static struct stream *
next_in_buffer_order(struct alpcscope_reader *r)
{
	struct stream *s = r->lent;

	for (;;) {
		if (s && stream_next_in_buffer(r, s))
			return s;
		s = stream_with_first_buffer(r);
		if (!s) {
			r->lent = NULL;
			return NULL;
		}
		(void)stream_load_next(r, s);
	}
}

enum alpcscope_status
alpcscope_reader_next(struct alpcscope_reader *r, const struct alpcscope_event **out,
		      struct alpcscope_error *err)
{
	struct stream *s = NULL;

	if (!r || !out)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "NULL argument");
	if (r->in_header_phase)
		s = next_in_header(r);
	if (!s)
		s = r->buffer_order ? next_in_buffer_order(r) : next_in_time_order(r);
	if (!s)
		return reader_end(r, out, err);
	*out = lend(r, s);
	if (r->strict_failed) {
		if (err)
			*err = r->strict_err;
		return r->strict_err.status;
	}
	return ALPCSCOPE_OK;
}

void
alpcscope_reader_free(struct alpcscope_reader *r)
{
	if (!r)
		return;
	decompress_pool_free(r->pool); /* joins the workers before anything they read goes */
	for (uint32_t i = 0; i < r->nstreams; i++)
		free(r->streams[i].scratch);
	free(r->header.scratch);
	free(r->streams);
	free(r->heap);
	free(r->order_storage);
	free(r->buffers);
	free(r->loss_windows);
	if (r->owns_map)
		munmap((void *)(uintptr_t)r->map, r->size);
	if (r->fd >= 0)
		close(r->fd);
	free(r);
}
