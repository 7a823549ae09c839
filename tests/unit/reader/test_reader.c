/* SPDX-License-Identifier: MIT */
/*
 * The reader as a whole (lib/reader/reader.c, logfile_header.c,
 * wmi_buffer.c) on traces from the test writer, patched byte by byte where
 * the writer would not produce the case: log-file header 32/64, merge order
 * across processors (file order is not time order), time conversion for QPC
 * at a frequency other than 10 MHz, system time and CPU cycles, a header
 * buffer with SavedOffset 0, sequence gaps, damaged buffer headers
 * (uncompressed and compressed) with resynchronisation, truncation, strict
 * mode and bad arguments.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <alpcscope/alpcscope.h>

#include "check.h"
#include "etl_writer.h"
#include "util/bytes.h"

#define NREC 600

struct trace {
	uint8_t *data;
	size_t size;
	uint64_t records; /* header buffer included */
	uint32_t buffers;
	int64_t start_ticks;
	int64_t perf_freq;
	int64_t start_filetime;
};

/* Two processors, 4 KiB buffers; record i at tick start + i * 1000 on cpu i % 2. */
static bool
make_trace(struct trace *t, unsigned pointer_size, bool compress, int64_t perf_freq)
{
	struct etl_writer_config c;
	struct etl_writer *w = NULL;
	uint8_t payload[40];

	etl_writer_config_init(&c);
	c.cpus = 2;
	c.buffer_size = 4096;
	c.pointer_size = pointer_size;
	c.compress = compress;
	c.perf_freq = perf_freq;
	c.start_ticks = (c.start_filetime - c.boot_filetime) / 10000000 * perf_freq;
	if (etl_writer_open_memory(&w, &c) != 0)
		return false;
	memset(payload, 0x5A, sizeof(payload));
	for (unsigned i = 0; i < NREC; i++) {
		struct etl_rec r = {0};

		r.cpu = i % 2;
		r.ticks = c.start_ticks + 1000 + (int64_t)i * 1000;
		r.pid = 100 + i % 2;
		r.tid = 200 + i % 2;
		/* Thread/DCStart-like hook with a private opcode, so payloads are not decoded. */
		if (etl_writer_system(w, &r, 0x05F0, 2, payload, 8 + (i % 4) * 8) != 0) {
			etl_writer_free(w);
			return false;
		}
	}
	if (etl_writer_finish(w, 0) != 0) {
		etl_writer_free(w);
		return false;
	}
	t->records = etl_writer_record_count(w);
	t->buffers = etl_writer_buffer_count(w);
	t->data = etl_writer_take_memory(w, &t->size);
	t->start_ticks = c.start_ticks;
	t->perf_freq = perf_freq;
	t->start_filetime = c.start_filetime;
	etl_writer_free(w);
	return t->data != NULL;
}

struct diag_count {
	unsigned damage; /* severity >= warning */
	unsigned by_id_w103, by_id_i106, by_id_w102;
};

static void
on_diag(void *ctx, const struct alpcscope_diagnostic *d)
{
	struct diag_count *dc = ctx;

	if (d->severity >= ALPCSCOPE_SEV_WARNING)
		dc->damage++;
	if (strcmp(d->id, "ALPCSCOPE-W103") == 0)
		dc->by_id_w103++;
	if (strcmp(d->id, "ALPCSCOPE-I106") == 0)
		dc->by_id_i106++;
	if (strcmp(d->id, "ALPCSCOPE-W102") == 0)
		dc->by_id_w102++;
}

struct result {
	enum alpcscope_status open_status, end_status;
	uint64_t records;
	uint64_t data_records; /* after the header buffer */
	bool sorted;           /* data records in non-decreasing time order */
	uint64_t per_buffer[64];
	uint32_t max_buffer_index;
	struct alpcscope_trace_info info;
	struct alpcscope_reader_stats stats;
	struct diag_count diags;
	int64_t ft_first_data;
	int64_t ticks_first_data;
	size_t header_end; /* unpadded end of the header buffer's last record */
};

static void
read_trace(const uint8_t *data, size_t size, bool file_order, bool strict, struct result *res)
{
	struct alpcscope_reader_options opt = ALPCSCOPE_READER_OPTIONS_INIT;
	struct alpcscope_reader *r = NULL;
	const struct alpcscope_event *ev;
	struct alpcscope_error err;
	int64_t last = INT64_MIN;

	memset(res, 0, sizeof(*res));
	res->sorted = true;
	opt.file_order = file_order;
	opt.strict = strict;
	opt.diag = on_diag;
	opt.diag_ctx = &res->diags;
	res->open_status = alpcscope_reader_open_memory(&r, data, size, &opt, &err);
	if (res->open_status != ALPCSCOPE_OK)
		return;
	while ((res->end_status = alpcscope_reader_next(r, &ev, &err)) == ALPCSCOPE_OK) {
		res->records++;
		if (ev->buffer_index < 64)
			res->per_buffer[ev->buffer_index]++;
		if (ev->buffer_index > res->max_buffer_index)
			res->max_buffer_index = ev->buffer_index;
		if (ev->buffer_index == 0) {
			if (ev->buffer_offset + ev->raw_size > res->header_end)
				res->header_end = ev->buffer_offset + ev->raw_size;
			continue;
		}
		if (res->data_records++ == 0) {
			res->ft_first_data = ev->filetime_100ns;
			res->ticks_first_data = ev->timestamp_ticks;
		}
		if (ev->timestamp_ticks < last)
			res->sorted = false;
		last = ev->timestamp_ticks;
	}
	res->info = *alpcscope_reader_info(r);
	res->stats = *alpcscope_reader_stats(r);
	alpcscope_reader_free(r);
}

/* File offset of buffer @k (walking BufferSize). */
static size_t
buffer_offset(const struct trace *t, uint32_t k)
{
	size_t off = 0;

	for (uint32_t i = 0; i < k && off + 0x48 <= t->size; i++)
		off += le32_load(t->data + off);
	return off;
}

static void
test_basic_and_merge(void)
{
	struct trace t;
	struct result m, f;

	if (!make_trace(&t, 8, false, 10000000)) {
		CHECK(!"writer failed");
		return;
	}
	read_trace(t.data, t.size, false, false, &m);
	CHECK(m.open_status == ALPCSCOPE_OK && m.end_status == ALPCSCOPE_END);
	CHECK_EQ_U64(m.records, t.records);
	CHECK_EQ_U64(m.data_records, NREC);
	CHECK(m.sorted);
	CHECK(m.info.header_found && !m.info.header_is_32bit);
	CHECK_EQ_U64(m.info.pointer_size, 8);
	CHECK_EQ_U64(m.info.cpu_count, 2);
	CHECK_EQ_U64(m.info.buffer_size, 4096);
	CHECK_EQ_U64(m.info.buffer_count, t.buffers);
	CHECK_EQ_U64(m.info.buffers_written, t.buffers);
	CHECK_EQ_U64(m.info.perf_freq, 10000000);
	CHECK_EQ_U64(m.stats.buffers_read, t.buffers);
	CHECK_EQ_U64(m.stats.records_total, t.records);
	CHECK_EQ_U64(m.stats.records_by_kind[ALPCSCOPE_RECORD_SYSTEM64], t.records);
	CHECK_EQ_U64(m.stats.sequence_gaps, 0);
	CHECK_EQ_U64(m.stats.buffers_damaged, 0);
	CHECK_EQ_U64(m.diags.damage, 0);
	CHECK(t.buffers > 6); /* several buffers per processor */
	/* QPC at 10 MHz: ticks are 100 ns units from the header's sync point. */
	CHECK(m.ft_first_data == t.start_filetime + (m.ticks_first_data - t.start_ticks));

	/* File order: every record, but per-processor buffers interleave, so not sorted. */
	read_trace(t.data, t.size, true, false, &f);
	CHECK_EQ_U64(f.records, t.records);
	CHECK(!f.sorted);
	free(t.data);
}

static void
test_32bit(void)
{
	struct trace t;
	struct result m;

	if (!make_trace(&t, 4, false, 10000000)) {
		CHECK(!"writer failed");
		return;
	}
	read_trace(t.data, t.size, false, false, &m);
	CHECK(m.info.header_found && m.info.header_is_32bit);
	CHECK_EQ_U64(m.info.pointer_size, 4);
	CHECK_EQ_U64(m.records, t.records);
	CHECK_EQ_U64(m.stats.records_by_kind[ALPCSCOPE_RECORD_SYSTEM32], t.records);
	CHECK(m.sorted);
	CHECK_EQ_U64(m.diags.damage, 0);
	free(t.data);
}

static void
test_time(void)
{
	struct trace t;
	struct result m;
	struct alpcscope_reader *r = NULL;

	/* QPC at 3,117,777 Hz (perfview__smallEtlFile's frequency). */
	if (!make_trace(&t, 8, false, 3117777)) {
		CHECK(!"writer failed");
		return;
	}
	read_trace(t.data, t.size, false, false, &m);
	CHECK_EQ_U64(m.info.perf_freq, 3117777);
	CHECK_EQ_U64(m.records, t.records);
	CHECK(alpcscope_reader_open_memory(&r, t.data, t.size, NULL, NULL) == ALPCSCOPE_OK);
	if (r) {
		const struct alpcscope_trace_info *in = alpcscope_reader_info(r);
		int64_t t0 = in->header_timestamp_ticks;

		CHECK_EQ_U64(in->clock_type, ALPCSCOPE_CLOCK_QPC);
		CHECK(alpcscope_reader_ticks_to_filetime(r, t0) == in->start_filetime);
		/* Two seconds of ticks are 20,000,000 units of 100 ns. */
		CHECK(alpcscope_reader_ticks_to_filetime(r, t0 + 2 * 3117777) ==
		      in->start_filetime + 20000000);
		CHECK(alpcscope_reader_ticks_to_filetime(r, t0 - 3117777) ==
		      in->start_filetime - 10000000);
		/* Garbage times from damaged files: no overflow (fuzzer finding), order kept. */
		CHECK(alpcscope_reader_ticks_to_filetime(r, INT64_MIN) <
		      alpcscope_reader_ticks_to_filetime(r, 0));
		CHECK(alpcscope_reader_ticks_to_filetime(r, INT64_MAX) >=
		      alpcscope_reader_ticks_to_filetime(r, INT64_MAX / 2));
		alpcscope_reader_free(r);
	}

	/* ReservedFlags (payload + 0x110 of the 64-bit header) = 2: system time. */
	size_t rf = 0x48 + 0x20 + 0x110;
	le32_store(t.data + rf, ALPCSCOPE_CLOCK_SYSTEM_TIME);
	r = NULL;
	CHECK(alpcscope_reader_open_memory(&r, t.data, t.size, NULL, NULL) == ALPCSCOPE_OK);
	if (r) {
		const struct alpcscope_trace_info *in = alpcscope_reader_info(r);
		int64_t t0 = in->header_timestamp_ticks;

		CHECK_EQ_U64(in->clock_type, ALPCSCOPE_CLOCK_SYSTEM_TIME);
		CHECK(alpcscope_reader_ticks_to_filetime(r, t0 + 12345) ==
		      in->start_filetime + 12345);
		CHECK(alpcscope_reader_ticks_to_filetime(r, INT64_MAX) == INT64_MAX);
		alpcscope_reader_free(r);
	}

	/* Clock type 3: CPU cycles at CpuSpeedInMHz (2995 from the writer). */
	le32_store(t.data + rf, ALPCSCOPE_CLOCK_CPU_CYCLES);
	r = NULL;
	CHECK(alpcscope_reader_open_memory(&r, t.data, t.size, NULL, NULL) == ALPCSCOPE_OK);
	if (r) {
		const struct alpcscope_trace_info *in = alpcscope_reader_info(r);
		int64_t t0 = in->header_timestamp_ticks;

		CHECK_EQ_U64(in->clock_type, ALPCSCOPE_CLOCK_CPU_CYCLES);
		CHECK_EQ_U64(in->cpu_mhz, 2995);
		/* 2995 cycles = 1 us = 10 units. */
		CHECK(alpcscope_reader_ticks_to_filetime(r, t0 + 2995LL * 1000) ==
		      in->start_filetime + 10000);
		alpcscope_reader_free(r);
	}
	free(t.data);
}

static void
test_header_saved_offset_zero(void)
{
	struct trace t;
	struct result m;

	if (!make_trace(&t, 8, false, 10000000)) {
		CHECK(!"writer failed");
		return;
	}
	/* Windows 7-era header buffer: SavedOffset 0; Offset (0x30) ends the data. */
	uint32_t saved = le32_load(t.data + 4);
	CHECK(saved > 0x48);
	le32_store(t.data + 0x30, saved);
	le32_store(t.data + 4, 0);
	read_trace(t.data, t.size, false, false, &m);
	CHECK_EQ_U64(m.records, t.records);
	CHECK(m.info.header_found);
	CHECK_EQ_U64(m.diags.damage, 0);
	/* Offset unaligned (436 in perfview__net.4.5.x86: the unpadded end of the
	 * last record): same records. */
	CHECK(m.header_end > 0x48 && m.header_end <= saved && saved - m.header_end < 8);
	le32_store(t.data + 0x30, (uint32_t)m.header_end);
	read_trace(t.data, t.size, false, false, &m);
	CHECK_EQ_U64(m.records, t.records);
	/* Offset 0 as well: the walk stops at the 0xFFFFFFFF fill. */
	le32_store(t.data + 0x30, 0);
	read_trace(t.data, t.size, false, false, &m);
	CHECK_EQ_U64(m.records, t.records);
	free(t.data);
}

static void
test_sequence_gap(void)
{
	struct trace t;
	struct result m;

	if (!make_trace(&t, 8, false, 10000000)) {
		CHECK(!"writer failed");
		return;
	}
	/* The last buffer's sequence number jumps by 3: 3 missing numbers. */
	size_t off = buffer_offset(&t, t.buffers - 1);
	uint64_t seq = le64_load(t.data + off + 0x18);
	le64_store(t.data + off + 0x18, seq + 3);
	read_trace(t.data, t.size, false, false, &m);
	CHECK_EQ_U64(m.stats.sequence_gaps, 3);
	CHECK_EQ_U64(m.diags.by_id_i106, 1);
	CHECK_EQ_U64(m.records, t.records); /* a gap loses nothing that is present */
	CHECK_EQ_U64(m.diags.damage, 0);
	free(t.data);
}

/* Damage buffer @k's header with @field/@value; every other buffer must still be read. */
static void
check_resync(bool compress, uint32_t k, unsigned field, uint32_t value, unsigned width)
{
	struct trace t;
	struct result intact, m;

	if (!make_trace(&t, 8, compress, 10000000)) {
		CHECK(!"writer failed");
		return;
	}
	read_trace(t.data, t.size, true, false, &intact);
	CHECK(k < t.buffers && t.buffers < 64);
	size_t off = buffer_offset(&t, k);
	if (width == 2)
		le16_store(t.data + off + field, (uint16_t)value);
	else
		le32_store(t.data + off + field, value);
	read_trace(t.data, t.size, false, false, &m);
	CHECK(m.open_status == ALPCSCOPE_OK);
	CHECK_EQ_U64(m.records, intact.records - intact.per_buffer[k]);
	CHECK(m.stats.buffers_damaged >= 1);
	CHECK(m.diags.damage >= 1);
	/* The buffers after k are all there (buffer indices shift by one past k). */
	for (uint32_t i = k + 1; i < t.buffers; i++)
		CHECK_EQ_U64(m.per_buffer[i - 1], intact.per_buffer[i]);
	CHECK(m.sorted);
	free(t.data);
}

static void
test_damaged_buffer_headers(void)
{
	check_resync(false, 1, 0x36, 0x1234, 2);     /* BufferType */
	check_resync(false, 3, 0x34, 0xFF00, 2);     /* unknown BufferFlag bits */
	check_resync(false, 2, 0x00, 0, 4);          /* BufferSize 0 */
	check_resync(false, 2, 0x04, 0x7FFFFFF0, 4); /* SavedOffset huge */
	check_resync(true, 1, 0x36, 0x1234, 2);      /* compressed: packed buffers */
	check_resync(true, 1, 0x00, 0xFFFFFFFF, 4);
	check_resync(true, 2, 0x34, 0xFF00, 2);
}

static void
test_truncation_and_strict(void)
{
	struct trace t;
	struct result intact, m;

	if (!make_trace(&t, 8, false, 10000000)) {
		CHECK(!"writer failed");
		return;
	}
	read_trace(t.data, t.size, true, false, &intact);
	/* Cut in the middle of the last buffer: the earlier buffers are complete. */
	size_t last = buffer_offset(&t, t.buffers - 1);
	read_trace(t.data, last + 2048, false, false, &m);
	CHECK(m.open_status == ALPCSCOPE_OK);
	CHECK_EQ_U64(m.diags.by_id_w103, 1);
	CHECK(m.records >= intact.records - intact.per_buffer[t.buffers - 1]);
	CHECK(m.records <= intact.records);
	/* Cut inside a buffer header. */
	read_trace(t.data, last + 0x20, false, false, &m);
	CHECK_EQ_U64(m.records, intact.records - intact.per_buffer[t.buffers - 1]);
	CHECK(m.diags.damage >= 1);

	/* Strict mode turns damage into ALPCSCOPE_E_CORRUPT. */
	le16_store(t.data + buffer_offset(&t, 2) + 0x36, 0x1234);
	read_trace(t.data, t.size, false, true, &m);
	CHECK(m.open_status == ALPCSCOPE_OK);
	CHECK(m.end_status == ALPCSCOPE_E_CORRUPT);
	read_trace(t.data, t.size, false, false, &m);
	CHECK(m.end_status == ALPCSCOPE_END);
	free(t.data);
}

static void
test_bad_input(void)
{
	struct alpcscope_reader *r = (struct alpcscope_reader *)1;
	struct alpcscope_error err;
	const struct alpcscope_event *ev;
	uint8_t small[0x48];

	memset(small, 0, sizeof(small));
	CHECK(alpcscope_reader_open_memory(NULL, small, sizeof(small), NULL, &err) ==
	      ALPCSCOPE_E_INVALID_ARG);
	CHECK(alpcscope_reader_open_memory(&r, NULL, 10, NULL, &err) == ALPCSCOPE_E_INVALID_ARG);
	CHECK(alpcscope_reader_open_memory(&r, small, 10, NULL, &err) == ALPCSCOPE_E_NOT_ETL);
	CHECK(r == NULL);
	memset(small, 0, sizeof(small));
	CHECK(alpcscope_reader_open_memory(&r, small, sizeof(small), NULL, &err) ==
	      ALPCSCOPE_E_NOT_ETL);
	CHECK(alpcscope_reader_open_file(&r, "/nonexistent/x.etl", NULL, &err) == ALPCSCOPE_E_IO);
	CHECK(alpcscope_reader_next(NULL, &ev, &err) == ALPCSCOPE_E_INVALID_ARG);
	alpcscope_reader_free(NULL);
}

int
main(void)
{
	test_basic_and_merge();
	test_32bit();
	test_time();
	test_header_saved_offset_zero();
	test_sequence_gap();
	test_damaged_buffer_headers();
	test_truncation_and_strict();
	test_bad_input();
	return check_summary();
}
