/* SPDX-License-Identifier: MIT */
/*
 * The reader's private state, shared by the files of lib/reader that build
 * it: reader.c (open, merge, public API), buffer_index.c (finding every
 * buffer, resynchronising after damage) and buffer_load.c (turning one
 * buffer into its event area, decompressing when needed).
 */
#ifndef ALPCSCOPE_READER_READER_INTERNAL_H
#define ALPCSCOPE_READER_READER_INTERNAL_H

#include <alpcscope/reader.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reader/decompress_pool.h"
#include "reader/wmi_buffer.h"

/* One buffer found by the index pass. */
struct buffer_ref {
	uint64_t file_offset;
	uint64_t sequence;
	uint32_t avail; /* bytes of the buffer present in the file */
	uint32_t saved_offset;
	uint32_t offset;
	uint32_t processor;
	uint32_t index; /* position in file order */
	uint16_t flags;
	uint16_t type;
	bool gap_before; /* sequence numbers missing since its processor's previous buffer */
};

/* The buffers of one processor in sequence order, and the record being lent. */
struct stream {
	uint32_t *order; /* indices into reader->buffers */
	uint32_t count;
	uint32_t next;
	const struct buffer_ref *cur;
	const uint8_t *data;
	size_t pos;
	size_t end;
	uint8_t *scratch;
	size_t scratch_cap;
	uint32_t
	    pool_slot; /* decompression pool slot holding the current buffer, or POOL_NO_SLOT */
	int64_t last_ticks;
	bool has_event;
	bool window_open; /* a loss window waits for this buffer's first record */
	struct alpcscope_event ev;
};

enum time_mode { TIME_RAW, TIME_QPC_10MHZ, TIME_SCALED };

/* The key travels with the stream index so sifting touches only this array. */
struct heap_entry {
	int64_t ticks;
	uint32_t stream;
};

struct alpcscope_reader {
	const uint8_t *map;
	size_t size;
	bool owns_map;
	int fd;                  /* open file of an owned map, for header reads; -1 otherwise */
	uint64_t released_upto;  /* file pages below this were dropped (owned maps) */
	uint64_t populated_upto; /* file pages below this were prefaulted */
	bool populate_failed;
	uintptr_t page_size;
	struct alpcscope_reader_options opt;
	struct alpcscope_trace_info info;
	struct alpcscope_reader_stats stats;

	struct buffer_ref *buffers;
	uint32_t nbuffers;
	uint32_t *order_storage;

	struct stream header;
	bool in_header_phase;
	struct stream *streams;
	uint32_t nstreams;
	/* where lost buffers sat: raw-tick windows, filled while reading */
	struct loss_window_ticks {
		int64_t start, end;
		uint32_t processor;
	} * loss_windows;
	uint32_t nloss_windows, cap_loss_windows;
	struct heap_entry *heap; /* min-heap by (next ticks, stream index) */
	uint32_t heap_len;
	struct heap_entry runner;     /* second-smallest heap key (merge runs) */
	struct decompress_pool *pool; /* NULL: one thread */
	struct stream *lent;          /* buffer order: the stream whose buffer is being delivered */
	bool buffer_order;
	bool merge_started;
	bool started;
	uint64_t ordinal;

	enum time_mode time_mode;
	int64_t t0;
	int64_t start_ft;
	int64_t num; /* filetime = start + d * num / den */
	int64_t den;

	uint32_t resync_stride; /* fixed buffer spacing of uncompressed files, 0 if unknown */
	bool strict_failed;
	bool reported_inversions;
	struct alpcscope_error strict_err;
	char message[512];
};

/* Raise a diagnostic (counted, passed to the caller's callback, strict mode). */
void reader_diag(struct alpcscope_reader *r, const char *id, enum alpcscope_severity sev,
		 uint64_t offset, uint32_t buffer_index, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* True when a decoded buffer header could start a buffer (type, flags, sizes). */
bool buffer_header_plausible(const struct wmi_buffer *b);

/* Step through the file from offset 0 and fill r->buffers; resynchronise after damage. */
enum alpcscope_status buffer_index_build(struct alpcscope_reader *r, struct alpcscope_error *err);

/*
 * Inflate compressed buffer @p ref into @p dst (header + @p out_size bytes).
 * Pure: touches nothing but @p dst, so pool workers call it too.
 */
bool buffer_inflate(const struct alpcscope_reader *r, const struct buffer_ref *ref, uint8_t *dst,
		    size_t out_size);

/* Make @p ref the stream's current buffer; false when it has no readable events. */
bool buffer_load(struct alpcscope_reader *r, struct stream *s, const struct buffer_ref *ref);

/* Count complete records between SavedOffset and Offset (header buffers only). */
void buffer_count_past_saved(struct alpcscope_reader *r, const struct buffer_ref *ref);

#endif
