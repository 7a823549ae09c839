/* SPDX-License-Identifier: MIT */
/*
 * Round trip: write traces in memory with tests/support/etl_writer (every
 * record kind, 32- and 64-bit, uncompressed and compressed, small buffers so
 * that many buffers interleave across CPUs), read them back with the
 * project's reader, and compare every header field, payload byte,
 * extended item and time stamp; then check the writer's limits.
 */
#include <stdlib.h>
#include <string.h>

#include "alpcscope/reader.h"
#include "check.h"
#include "etl_writer.h"

enum kind { K_SYSTEM, K_PERFINFO, K_FULL, K_EVENT, K_WPP };

struct expect {
	enum kind kind;
	unsigned width;
	uint32_t cpu, pid, tid;
	int64_t ticks;
	uint16_t hook;
	uint8_t version, opcode;
	uint16_t id;
	struct etl_guid guid;
	uint8_t payload[256];
	size_t len;
	unsigned ext_count;
	uint8_t ext0[24];
};

static uint64_t rng_state;

static uint32_t
rnd(uint32_t n)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return (uint32_t)((z ^ (z >> 31)) % n);
}

static bool
guid_eq(const struct alpcscope_guid *a, const struct etl_guid *b)
{
	return a->data1 == b->data1 && a->data2 == b->data2 && a->data3 == b->data3 &&
	       memcmp(a->data4, b->data4, 8) == 0;
}

static enum alpcscope_record_kind
want_kind(const struct expect *e)
{
	bool w64 = e->width == 8;
	switch (e->kind) {
	case K_SYSTEM: return w64 ? ALPCSCOPE_RECORD_SYSTEM64 : ALPCSCOPE_RECORD_SYSTEM32;
	case K_PERFINFO: return w64 ? ALPCSCOPE_RECORD_PERFINFO64 : ALPCSCOPE_RECORD_PERFINFO32;
	case K_FULL: return w64 ? ALPCSCOPE_RECORD_FULL64 : ALPCSCOPE_RECORD_FULL32;
	case K_EVENT:
		return w64 ? ALPCSCOPE_RECORD_EVENT_HEADER64 : ALPCSCOPE_RECORD_EVENT_HEADER32;
	case K_WPP: return ALPCSCOPE_RECORD_WPP_MESSAGE;
	}
	return ALPCSCOPE_RECORD_OPAQUE;
}

/* Write one record of a random kind with a unique time stamp; remember it. */
static int
write_one(struct etl_writer *w, struct expect *e, unsigned session_width, uint32_t cpus,
	  int64_t ticks)
{
	struct etl_rec r = {0};
	struct etl_bytes b = {0};
	int rc;
	memset(e, 0, sizeof(*e));
	e->kind = (enum kind)rnd(5);
	/* Mixed widths within one file, as in the relogged samples (§3.9). */
	e->width = rnd(4) == 0 ? (session_width == 8 ? 4 : 8) : session_width;
	e->cpu = rnd(cpus);
	e->pid = 100 + rnd(50) * 4;
	e->tid = 1000 + rnd(200) * 4;
	e->ticks = ticks;
	r.cpu = e->cpu;
	r.ticks = ticks;
	r.width = e->width;
	r.pid = e->pid;
	r.tid = e->tid;
	switch (e->kind) {
	case K_SYSTEM: {
		/* An ALPC or process payload through the real encoders. */
		if (rnd(2)) {
			e->hook = ETL_HOOK_ALPC_SEND + (uint16_t)rnd(3);
			e->version = 2;
			etl_enc_alpc_msg(&b, 0x1000 + rnd(1000));
		} else {
			struct etl_process p = {
			    0x8610080, e->pid,       4,    1,
			    0,         0x1AD000,     0,    "S-1-5-21-1-2-3-1001",
			    "app.exe", "app.exe -x", NULL, NULL};
			e->hook = ETL_HOOK_PROCESS_START;
			e->version = 4;
			etl_enc_process(&b, e->width, 4, &p);
		}
		rc = etl_writer_system(w, &r, e->hook, e->version, b.data, b.len);
		break;
	}
	case K_PERFINFO: {
		uint64_t frames[4] = {0xFFFFF80312C3E1A4ull, 0x7FFA1B34F7E4ull, 0x7FF6E0012A0Cull,
				      rnd(1000)};
		if (e->width == 4)
			frames[0] = 0x82C3E1A4, frames[1] = 0x77A1F7E4, frames[2] = 0x00341000;
		e->hook = ETL_HOOK_STACKWALK;
		e->version = 2;
		etl_enc_stackwalk(&b, e->width, ticks - 1, e->pid, e->tid, frames, 4);
		rc = etl_writer_perfinfo(w, &r, e->hook, e->version, b.data, b.len);
		e->pid = e->tid = ALPCSCOPE_ID_UNKNOWN; /* PERFINFO carries no ids */
		break;
	}
	case K_FULL:
		e->guid = etl_guid_image_id;
		e->opcode = 36;
		e->version = 2;
		etl_enc_dbgid_rsds(&b, e->width, 0x7FF712340000ull, e->pid, &etl_guid_rpc, 3,
				   "client.pdb");
		rc = etl_writer_full(w, &r, &e->guid, 36, 0, 2, b.data, b.len);
		break;
	case K_EVENT: {
		struct etl_event_desc d;
		struct etl_rpc_call c = {etl_guid_iwbemservices, 24, 3, "", "LRPC-x", "", 6, 20, 3};
		memset(&d, 0, sizeof(d));
		d.provider = etl_guid_rpc;
		d.id = 5;
		d.version = 1;
		d.level = 4;
		d.opcode = 1;
		d.task = 1;
		d.keyword = 0x4000000000000000ull;
		d.activity.data1 = rnd(100000);
		etl_enc_rpc_call_start(&b, &c);
		if (rnd(2)) {
			/* STACK_TRACE item: MatchId + 2 addresses of the record width. */
			memset(e->ext0, 0, sizeof(e->ext0));
			e->ext0[8] = 0xA4;
			e->ext0[16] = 0xE4;
			d.ext[0].type = e->width == 8 ? 6 : 5;
			d.ext[0].size = (uint16_t)(8 + 2 * e->width);
			d.ext[0].data = e->ext0;
			d.ext_count = 1;
			e->ext_count = 1;
		}
		e->guid = d.provider;
		e->id = 5;
		e->version = 1;
		e->opcode = 1;
		rc = etl_writer_event(w, &r, &d, b.data, b.len);
		break;
	}
	case K_WPP:
	default:
		e->guid = etl_guid_wmi_activity;
		e->id = 43;
		etl_bytes_put(&b, "wpp-args", 8);
		rc = etl_writer_wpp(w, &r, &e->guid, 43, b.data, b.len);
		break;
	}
	CHECK(b.len <= sizeof(e->payload));
	memcpy(e->payload, b.data, b.len < sizeof(e->payload) ? b.len : sizeof(e->payload));
	e->len = b.len;
	etl_bytes_free(&b);
	return rc;
}

static void
check_event(const struct alpcscope_event *ev, const struct expect *e, int64_t start_ft,
	    int64_t start_ticks, int64_t freq)
{
	CHECK_EQ_U64(ev->kind, want_kind(e));
	CHECK_EQ_U64(ev->timestamp_ticks, e->ticks);
	CHECK_EQ_U64(ev->processor, e->cpu);
	int64_t d = e->ticks - start_ticks;
	CHECK_EQ_U64(ev->filetime_100ns,
		     start_ft + (d / freq) * 10000000 + ((d % freq) * 10000000) / freq);
	CHECK_EQ_U64(ev->payload_size, e->len);
	CHECK(ev->payload_size == e->len && memcmp(ev->payload, e->payload, e->len) == 0);
	if (e->kind != K_WPP)
		CHECK_EQ_U64(ev->pointer_size, e->width);
	switch (e->kind) {
	case K_SYSTEM:
	case K_PERFINFO:
		CHECK(ev->is_kernel);
		CHECK_EQ_U64(ev->hook_id, e->hook);
		CHECK_EQ_U64(ev->version, e->version);
		if (e->kind == K_SYSTEM) {
			CHECK_EQ_U64(ev->process_id, e->pid);
			CHECK_EQ_U64(ev->thread_id, e->tid);
		}
		break;
	case K_FULL:
		CHECK(guid_eq(&ev->provider, &e->guid));
		CHECK_EQ_U64(ev->opcode, e->opcode);
		CHECK_EQ_U64(ev->version, e->version);
		CHECK_EQ_U64(ev->process_id, e->pid);
		CHECK_EQ_U64(ev->thread_id, e->tid);
		break;
	case K_EVENT:
		CHECK(guid_eq(&ev->provider, &e->guid));
		CHECK_EQ_U64(ev->event_id, e->id);
		CHECK_EQ_U64(ev->version, e->version);
		CHECK_EQ_U64(ev->opcode, e->opcode);
		CHECK_EQ_U64(ev->task, 1);
		CHECK_EQ_U64(ev->keywords, 0x4000000000000000ull);
		CHECK_EQ_U64(ev->ext_count, e->ext_count);
		if (e->ext_count && ev->ext_count) {
			CHECK_EQ_U64(ev->ext[0].type, e->width == 8 ? 6 : 5);
			CHECK_EQ_U64(ev->ext[0].size, 8 + 2 * e->width);
			CHECK(memcmp(ev->ext[0].data, e->ext0, ev->ext[0].size) == 0);
		}
		CHECK_EQ_U64(ev->process_id, e->pid);
		CHECK_EQ_U64(ev->thread_id, e->tid);
		break;
	case K_WPP:
		CHECK(ev->has_timestamp);
		CHECK_EQ_U64(ev->event_id, e->id);
		CHECK(guid_eq(&ev->provider, &e->guid));
		CHECK_EQ_U64(ev->process_id, e->pid);
		CHECK_EQ_U64(ev->thread_id, e->tid);
		break;
	}
}

static void
roundtrip(unsigned width, bool compress, uint32_t buffer_size, unsigned count)
{
	struct etl_writer_config cfg;
	struct etl_writer *w = NULL;
	struct expect *exp = calloc(count, sizeof(*exp));
	const uint32_t cpus = 3;
	etl_writer_config_init(&cfg);
	cfg.cpus = cpus;
	cfg.pointer_size = width;
	cfg.compress = compress;
	cfg.buffer_size = buffer_size;
	cfg.perf_freq = width == 4 ? 3117777 : 10000000;
	cfg.start_ticks = 123456789;
	rng_state = width * 100 + compress;
	CHECK(exp != NULL);
	if (!exp || etl_writer_open_memory(&w, &cfg) != 0) {
		CHECK(false);
		free(exp);
		return;
	}
	int64_t t = cfg.start_ticks;
	for (unsigned i = 0; i < count; i++) {
		t += 1 + rnd(50); /* unique, increasing: delivery order = this order */
		CHECK(write_one(w, &exp[i], width, cpus, t) == 0);
	}
	CHECK(etl_writer_finish(w, 0) == 0);
	size_t size = 0;
	const uint8_t *data = etl_writer_memory(w, &size);
	CHECK(data != NULL && size > 0);

	struct alpcscope_reader *r = NULL;
	CHECK_EQ_U64(alpcscope_reader_open_memory(&r, data, size, NULL, NULL), ALPCSCOPE_OK);
	if (!r) {
		etl_writer_free(w);
		free(exp);
		return;
	}
	const struct alpcscope_trace_info *info = alpcscope_reader_info(r);
	CHECK(info->header_found);
	CHECK_EQ_U64(info->header_is_32bit, width == 4);
	CHECK_EQ_U64(info->pointer_size, width);
	CHECK_EQ_U64(info->cpu_count, cpus);
	CHECK_EQ_U64(info->buffer_size, buffer_size);
	CHECK_EQ_U64(info->perf_freq, cfg.perf_freq);
	CHECK_EQ_U64(info->start_filetime, cfg.start_filetime);
	CHECK_EQ_U64(info->boot_filetime, cfg.boot_filetime);
	CHECK_EQ_U64(info->header_timestamp_ticks, cfg.start_ticks);
	CHECK_EQ_U64(info->clock_type, ALPCSCOPE_CLOCK_QPC);
	CHECK_EQ_U64(info->buffers_written, etl_writer_buffer_count(w));
	CHECK_EQ_U64(info->buffer_count, etl_writer_buffer_count(w));
	CHECK_EQ_U64(info->compressed, compress);
	CHECK_EQ_U64(info->compressed_buffer_count, compress ? etl_writer_buffer_count(w) - 1 : 0);
	CHECK_EQ_U64(info->version[2], compress ? 2 : 1);
	CHECK_EQ_U64(info->log_file_mode & 0x04000000u, compress ? 0x04000000u : 0);
	if (buffer_size <= 0x2000)
		CHECK(etl_writer_buffer_count(w) > 10); /* small buffers: many of them */

	const struct alpcscope_event *ev;
	unsigned i = 0, header = 0;
	enum alpcscope_status st;
	while ((st = alpcscope_reader_next(r, &ev, NULL)) == ALPCSCOPE_OK) {
		if (header < 3) {
			/* Header buffer: 0x0000 header, 0x0005 extension, 0x0050 partition info. */
			static const uint16_t hooks[3] = {0x0000, 0x0005, 0x0050};
			CHECK_EQ_U64(ev->hook_id, hooks[header]);
			CHECK_EQ_U64(ev->kind, width == 8 ? ALPCSCOPE_RECORD_SYSTEM64
							  : ALPCSCOPE_RECORD_SYSTEM32);
			CHECK_EQ_U64(ev->timestamp_ticks, cfg.start_ticks);
			if (header == 1)
				CHECK(ev->payload_size == 0x24 &&
				      (ev->payload[2] & 0x10)); /* ALPC flag 0x00100000 */
			header++;
			continue;
		}
		if (i < count)
			check_event(ev, &exp[i], cfg.start_filetime, cfg.start_ticks,
				    cfg.perf_freq);
		i++;
	}
	CHECK_EQ_U64(st, ALPCSCOPE_END);
	CHECK_EQ_U64(header, 3);
	CHECK_EQ_U64(i, count);
	const struct alpcscope_reader_stats *s = alpcscope_reader_stats(r);
	CHECK_EQ_U64(s->records_total, count + 3);
	CHECK_EQ_U64(s->buffers_damaged, 0);
	CHECK_EQ_U64(s->buffers_undecompressible, 0);
	CHECK_EQ_U64(s->sequence_gaps, 0);
	CHECK_EQ_U64(s->time_inversions, 0);
	CHECK_EQ_U64(s->diagnostics, 0);
	alpcscope_reader_free(r);
	etl_writer_free(w);
	free(exp);
}

/* Same input, same bytes. */
static void
determinism(void)
{
	uint8_t *a = NULL, *b = NULL;
	size_t la = 0, lb = 0;
	for (int round = 0; round < 2; round++) {
		struct etl_writer_config cfg;
		struct etl_writer *w;
		struct expect e;
		etl_writer_config_init(&cfg);
		cfg.compress = true;
		rng_state = 7;
		CHECK(etl_writer_open_memory(&w, &cfg) == 0);
		for (int i = 0; i < 500; i++)
			write_one(w, &e, 8, cfg.cpus, cfg.start_ticks + 10 * i);
		CHECK(etl_writer_finish(w, 0) == 0);
		if (round == 0)
			a = etl_writer_take_memory(w, &la);
		else
			b = etl_writer_take_memory(w, &lb);
		etl_writer_free(w);
	}
	CHECK(a && b && la == lb && memcmp(a, b, la) == 0);
	free(a);
	free(b);
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Byte-level layout of what docs/etl-layout.md#what-windows-writes asks the writer to mirror. */
static void
layout(bool compress)
{
	struct etl_writer_config cfg;
	struct etl_writer *w;
	struct expect e;
	etl_writer_config_init(&cfg);
	cfg.compress = compress;
	cfg.buffer_size = 0x1000;
	rng_state = 3;
	CHECK(etl_writer_open_memory(&w, &cfg) == 0);
	for (int i = 0; i < 400; i++)
		write_one(w, &e, 8, cfg.cpus, cfg.start_ticks + 3 * i);
	CHECK(etl_writer_finish(w, 0) == 0);
	size_t size;
	const uint8_t *d = etl_writer_memory(w, &size);
	/* Header buffer: type 4, flag 0x21, seq 0, State 3, SavedOffset == Offset == CurrentOffset.
	 */
	CHECK_EQ_U64(le32(d + 0x00), compress ? 0x400 : 0x1000);
	CHECK_EQ_U64(le32(d + 0x04), le32(d + 0x30));
	CHECK_EQ_U64(le32(d + 0x08), le32(d + 0x30));
	CHECK_EQ_U64(le16(d + 0x34), 0x21);
	CHECK_EQ_U64(le16(d + 0x36), 4);
	CHECK_EQ_U64(le32(d + 0x2C), 3);
	CHECK_EQ_U64(le32(d + 0x18), 0);
	/* Header event: SYSTEM64 version 2, hook 0, then TRACE_LOGFILE_HEADER64. */
	CHECK_EQ_U64(le32(d + 0x48), 0xC0020002u);
	CHECK_EQ_U64(le16(d + 0x4E), 0x0000);
	const uint8_t *lh = d + 0x68;
	CHECK_EQ_U64(le32(lh + 0x00), 0x1000);
	CHECK_EQ_U64(lh[6], compress ? 2 : 1);
	CHECK_EQ_U64(lh[7], compress ? 0 : 5);
	CHECK_EQ_U64(le32(lh + 0x24), etl_writer_buffer_count(w));
	CHECK_EQ_U64(le32(lh + 0x2C), 8);
	CHECK_EQ_U64(le32(lh + 0xF4), 0);  /* the 4 padding bytes before BootTime */
	CHECK_EQ_U64(le32(lh + 0x110), 1); /* ReservedFlags: QPC */
	/* Data buffers: walk by BufferSize; per-cpu sequence numbers increase; last has 0x01. */
	size_t off = le32(d), n = 1;
	int64_t last_seq[8] = {0};
	uint64_t seen = 0;
	while (off < size) {
		const uint8_t *b = d + off;
		uint32_t bs = le32(b), so = le32(b + 4);
		uint16_t flag = le16(b + 0x34), cpu = le16(b + 0x28);
		int64_t seq = (int64_t)le32(b + 0x18);
		bool last = off + bs == size;
		CHECK_EQ_U64(flag, (compress ? 0x60 : 0x20) | (last ? 1 : 0));
		CHECK_EQ_U64(so, le32(b + 0x30));
		CHECK_EQ_U64(so % 8, 0);
		CHECK(cpu < 8 && seq > last_seq[cpu]);
		if (cpu < 8)
			last_seq[cpu] = seq;
		CHECK(seq >= 1 && seq < 64);
		seen |= 1ull << (seq & 63);
		if (!compress) {
			CHECK_EQ_U64(bs, 0x1000);
			bool fill = true;
			for (uint32_t k = so; k < bs; k++)
				fill = fill && b[k] == 0xFF;
			CHECK(fill);
		} else {
			CHECK(bs < so); /* records compress well */
		}
		off += bs;
		n++;
	}
	CHECK_EQ_U64(off, size);
	CHECK_EQ_U64(n, etl_writer_buffer_count(w));
	CHECK_EQ_U64(seen, ((1ull << n) - 1) & ~1ull); /* contiguous 1..n-1 */
	etl_writer_free(w);
}

static void
limits(void)
{
	struct etl_writer_config cfg;
	struct etl_writer *w;
	static uint8_t big[0x10000];
	etl_writer_config_init(&cfg);
	cfg.buffer_size = 0x1000;
	CHECK(etl_writer_open_memory(&w, &cfg) == 0);
	struct etl_rec r = {.cpu = 0, .ticks = cfg.start_ticks + 10, .pid = 4, .tid = 8};
	/* Larger than 0xFFFF: refused whatever the buffer size. */
	CHECK(etl_writer_system(w, &r, 0x1A21, 2, big, 0xFFFF - 0x10) != 0);
	CHECK(strstr(etl_writer_error(w), "0xFFFF") != NULL);
	/* Fits the u16 size but not a 4 KiB buffer. */
	CHECK(etl_writer_system(w, &r, 0x1A21, 2, big, 0x1000) != 0);
	CHECK(strstr(etl_writer_error(w), "buffer") != NULL);
	/* Exactly filling a buffer works. */
	CHECK(etl_writer_system(w, &r, 0x1A21, 2, big, 0x1000 - 0x48 - 0x20) == 0);
	/* Unknown processor, time going backwards on one processor. */
	r.cpu = 99;
	CHECK(etl_writer_system(w, &r, 0x1A21, 2, big, 4) != 0);
	r.cpu = 0;
	r.ticks -= 5;
	CHECK(etl_writer_system(w, &r, 0x1A21, 2, big, 4) != 0);
	r.cpu = 1; /* another processor may be earlier */
	CHECK(etl_writer_system(w, &r, 0x1A21, 2, big, 4) == 0);
	CHECK(etl_writer_finish(w, 0) == 0);
	CHECK(etl_writer_system(w, &r, 0x1A21, 2, big, 4) != 0);
	etl_writer_free(w);

	/* Bad configurations. */
	etl_writer_config_init(&cfg);
	cfg.pointer_size = 6;
	CHECK(etl_writer_open_memory(&w, &cfg) != 0);
	etl_writer_config_init(&cfg);
	cfg.buffer_size = 1024;
	CHECK(etl_writer_open_memory(&w, &cfg) != 0);
	etl_writer_config_init(&cfg);
	cfg.cpus = 0;
	CHECK(etl_writer_open_memory(&w, &cfg) != 0);
}

int
main(void)
{
	roundtrip(8, false, 0x1000, 3000);
	roundtrip(8, true, 0x1000, 3000);
	roundtrip(4, false, 0x1000, 3000);
	roundtrip(4, true, 0x2000, 3000);
	roundtrip(8, false, 0x100000, 20000); /* 1 MiB buffers */
	determinism();
	layout(false);
	layout(true);
	limits();
	return check_summary();
}
