/* SPDX-License-Identifier: MIT */
/*
 * ETL container writer: the header buffer (TRACE_LOGFILE_HEADER event,
 * 0x0005 header extension, 0x0050 PartitionInfo), per-processor data
 * buffers, the record header kinds, and relogger-style compression.
 * Layouts: docs/etl-layout.md (#what-windows-writes); byte values that
 * imitate a real file were read from airbus__ShutdownPerfDiagLogger.etl
 * (live) and the perfview net.4.5.2 samples (compressed).
 */
#include "etl_writer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xpress_compress.h"

/* WMI_BUFFER_HEADER field offsets (docs/etl-layout.md#buffer-header). */
#define BUF_OFF_BUFFER_SIZE    0x00 /* bytes on disk */
#define BUF_OFF_SAVED_OFFSET   0x04 /* end of valid data */
#define BUF_OFF_CURRENT_OFFSET 0x08
#define BUF_OFF_TIMESTAMP      0x10
#define BUF_OFF_SEQUENCE       0x18
#define BUF_OFF_PROCESSOR      0x28 /* u16 ProcessorIndex (BufferFlag 0x20) */
#define BUF_OFF_LOGGER_ID      0x2A
#define BUF_OFF_STATE          0x2C
#define BUF_OFF_OFFSET         0x30
#define BUF_OFF_FLAG           0x34
#define BUF_OFF_TYPE           0x36

#define BUF_FLAG_FLUSH_MARKER 0x0001u
#define BUF_FLAG_PROC_INDEX   0x0020u
#define BUF_FLAG_COMPRESSED   0x0040u
#define BUF_TYPE_GENERIC      0u
#define BUF_TYPE_HEADER       4u
#define BUF_STATE_FLUSH       3u /* also the compression format code XPRESS (#compression) */

/* Record header sizes (docs/etl-layout.md#record-kinds). */
#define SYSTEM_HDR_SIZE   0x20u
#define PERFINFO_HDR_SIZE 0x10u
#define FULL_HDR_SIZE     0x30u
#define EVENT_HDR_SIZE    0x50u
#define WPP_HDR_SIZE      40u /* 8 + GUID + time stamp + tid/pid */

#define LOGFILE_HDR64_SIZE       0x118u
#define LOGFILE_HDR32_SIZE       0x110u
#define HEADER_BUFFER_COMPRESSED 0x400u /* relogged samples: 0x200 or 0x400 */
#define LOGGER_ID_LIVE           0x1Cu  /* ShutdownPerfDiagLogger's LoggerId */

struct cpu_buf {
	uint8_t *data; /* buffer_size bytes: header + records */
	uint32_t used; /* end of records (8-aligned) */
	int64_t seq;   /* SequenceNumber, assigned when the buffer gets its first record */
	int64_t last_ticks;
	int64_t stream_last_ticks;
	bool active;
	bool has_stream_time;
	bool dropping; /* etl_writer_set_dropping(): full buffers are lost */
};

struct etl_writer {
	struct etl_writer_config cfg;
	char *logger_name;
	char *log_file_name;
	FILE *fp;
	bool to_memory;
	uint8_t *mem;
	size_t mem_len, mem_cap;
	uint8_t *hdr; /* header buffer image */
	uint32_t hdr_size;
	struct cpu_buf *cpus;
	uint8_t *rec;  /* scratch for one record */
	uint8_t *zbuf; /* compression output */
	size_t zcap;
	int64_t next_seq;
	uint32_t dropped; /* buffers lost on purpose */
	uint32_t buffers;
	uint32_t header_records;
	uint64_t records;
	uint64_t bytes;
	uint64_t last_buf_offset;
	uint16_t last_buf_flag;
	bool have_last;
	int64_t max_ticks;
	bool finished;
	bool failed;
	char err[256];
};

/* ---- small helpers ------------------------------------------------------ */

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void
put_guid(uint8_t *p, const struct etl_guid *g)
{
	put32(p, g->data1);
	put16(p + 4, g->data2);
	put16(p + 6, g->data3);
	memcpy(p + 8, g->data4, 8);
}

static uint32_t
align8(uint32_t v)
{
	return (v + 7u) & ~7u;
}

static int
fail(struct etl_writer *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->err, sizeof(w->err), fmt, ap);
	va_end(ap);
	return -1;
}

static char *
dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

/* Exact ticks -> 100 ns conversion without overflow for any plausible span. */
static int64_t
ticks_to_100ns(int64_t d, int64_t freq)
{
	return (d / freq) * 10000000 + ((d % freq) * 10000000) / freq;
}

/* ---- output sink ---------------------------------------------------------- */

static int
sink_write(struct etl_writer *w, const void *data, size_t len)
{
	if (w->to_memory) {
		if (w->mem_cap - w->mem_len < len) {
			size_t cap = w->mem_cap ? w->mem_cap : 1u << 16;
			while (cap - w->mem_len < len)
				cap *= 2;
			uint8_t *m = realloc(w->mem, cap);
			if (!m)
				return fail(w, "out of memory (output of %zu bytes)", cap);
			w->mem = m;
			w->mem_cap = cap;
		}
		memcpy(w->mem + w->mem_len, data, len);
		w->mem_len += len;
	} else if (fwrite(data, 1, len, w->fp) != len) {
		return fail(w, "write failed");
	}
	w->bytes += len;
	return 0;
}

/* Overwrite bytes already written (header buffer, FLUSH_MARKER of the last buffer). */
static int
sink_patch(struct etl_writer *w, uint64_t off, const void *data, size_t len)
{
	if (w->to_memory) {
		memcpy(w->mem + off, data, len);
		return 0;
	}
	if (fseeko(w->fp, (off_t)off, SEEK_SET) != 0 || fwrite(data, 1, len, w->fp) != len ||
	    fseeko(w->fp, 0, SEEK_END) != 0)
		return fail(w, "cannot patch output at offset %llu", (unsigned long long)off);
	return 0;
}

/* ---- configuration ---------------------------------------------------- */

void
etl_writer_config_init(struct etl_writer_config *c)
{
	memset(c, 0, sizeof(*c));
	c->cpus = 4;
	c->pointer_size = 8;
	c->buffer_size = 0x10000;
	c->os_major = 10;
	c->os_minor = 0;
	c->os_build = 19045;
	c->cpu_mhz = 2995;
	c->perf_freq = 10000000;
	/* 2024-05-01T10:00:00Z, booted at 08:00:00.5Z (boot times often end in .5 s). */
	c->start_filetime = 133590312000000000;
	c->boot_filetime = 133590240005000000;
	/* QPC counts from boot: the header event's raw time = time since boot. */
	c->start_ticks = (c->start_filetime - c->boot_filetime) * c->perf_freq / 10000000;
	c->header_pid = 4;
	c->header_tid = 0x103C;
	c->group_masks[0] =
	    ETL_FLAG_PROCESS | ETL_FLAG_THREAD | ETL_FLAG_IMAGE_LOAD | ETL_FLAG_ALPC;
	c->kernel_event_version = 0x46;
	c->header_extension = true;
	c->partition_info = true;
}

const struct etl_writer_config *
etl_writer_config_get(const struct etl_writer *w)
{
	return &w->cfg;
}

/* ---- header buffer -------------------------------------------------------- */

static size_t
utf16_put(uint8_t *p, const char *s)
{
	/* Logger and file names are ASCII in practice; non-ASCII bytes become '?'. */
	size_t n = 0;
	for (; *s; s++, n += 2)
		put16(p + n, (uint8_t)*s < 0x80 ? (uint16_t)(uint8_t)*s : (uint16_t)'?');
	put16(p + n, 0);
	return n + 2;
}

static void
put_tz_name(uint8_t *p, const char *s)
{
	for (size_t i = 0; s[i] && i < 31; i++)
		put16(p + 2 * i, (uint16_t)(uint8_t)s[i]);
}

/* SYSTEM_TRACE_HEADER for the group-0 records of the header buffer. */
static void
put_system_header(uint8_t *p, bool is64, uint16_t version, uint32_t size, uint16_t hook,
		  uint32_t tid, uint32_t pid, int64_t ticks, uint32_t ktime, uint32_t utime)
{
	put16(p + 0, version);
	p[2] = is64 ? 2 : 1;
	p[3] = 0xC0;
	put16(p + 4, (uint16_t)size);
	put16(p + 6, hook);
	put32(p + 8, tid);
	put32(p + 12, pid);
	put64(p + 16, (uint64_t)ticks);
	put32(p + 24, ktime);
	put32(p + 28, utime);
}

static uint32_t
header_buffer_content(const struct etl_writer *w)
{
	bool is64 = w->cfg.pointer_size == 8;
	uint32_t size = ETL_BUFFER_HEADER_SIZE + SYSTEM_HDR_SIZE +
			(is64 ? LOGFILE_HDR64_SIZE : LOGFILE_HDR32_SIZE) +
			2 * (uint32_t)(strlen(w->logger_name) + strlen(w->log_file_name) + 2);
	size = align8(size);
	if (w->cfg.header_extension)
		size += align8(SYSTEM_HDR_SIZE + 0x24);
	if (w->cfg.partition_info)
		size += align8(SYSTEM_HDR_SIZE + 48);
	return size;
}

/* Build the whole header buffer image; BuffersWritten/EndTime known at finish. */
static void
build_header_buffer(struct etl_writer *w, int64_t end_filetime)
{
	const struct etl_writer_config *c = &w->cfg;
	bool is64 = c->pointer_size == 8;
	uint8_t *b = w->hdr;
	uint32_t off = ETL_BUFFER_HEADER_SIZE;

	memset(b, 0xFF, w->hdr_size);
	memset(b, 0, ETL_BUFFER_HEADER_SIZE);

	/* The log-file header event. */
	uint8_t *e = b + off;
	uint32_t lh_size = is64 ? LOGFILE_HDR64_SIZE : LOGFILE_HDR32_SIZE;
	uint8_t *lh = e + SYSTEM_HDR_SIZE;
	memset(lh, 0, lh_size);
	put32(lh + 0x00, c->buffer_size);
	lh[0x04] = c->os_major;
	lh[0x05] = c->os_minor;
	/* Log layout version 1.5, or 2.0 when the logger compresses (§2.4). */
	lh[0x06] = c->compress ? 2 : 1;
	lh[0x07] = c->compress ? 0 : 5;
	put32(lh + 0x08, c->os_build);
	put32(lh + 0x0C, c->cpus);
	put64(lh + 0x10, (uint64_t)end_filetime);
	put32(lh + 0x18, 156250); /* TimerResolution 15.625 ms, every modern sample */
	put32(lh + 0x1C, 0);      /* MaximumFileSize */
	put32(lh + 0x20, c->log_file_mode);
	put32(lh + 0x24, w->buffers);
	put32(lh + 0x28, 1); /* StartBuffers */
	put32(lh + 0x2C, c->pointer_size);
	put32(lh + 0x30, c->events_lost);
	put32(lh + 0x34, c->cpu_mhz);
	/* Since 6.1 LoggerName/LogFileName hold the two HAL timer sources. */
	uint32_t tz = is64 ? 0x48 : 0x40;
	if (is64) {
		put64(lh + 0x38, c->clock_source);
		put64(lh + 0x40, c->perf_source);
	} else {
		put32(lh + 0x38, c->clock_source);
		put32(lh + 0x3C, c->perf_source);
	}
	put32(lh + tz + 0x00, (uint32_t)c->tz_bias_minutes);
	put_tz_name(lh + tz + 0x04, "@tzres.dll,-932"); /* Coordinated Universal Time */
	put_tz_name(lh + tz + 0x58, "@tzres.dll,-931");
	/* tz + 0xAC: 4 padding bytes, then BootTime (GC, snail, dissect; airbus omits them). */
	uint32_t t = tz + 0xAC + 4;
	put64(lh + t + 0x00, (uint64_t)c->boot_filetime);
	put64(lh + t + 0x08, (uint64_t)c->perf_freq);
	put64(lh + t + 0x10, (uint64_t)c->start_filetime);
	put32(lh + t + 0x18, 1); /* ReservedFlags: clock type QPC */
	put32(lh + t + 0x1C, c->buffers_lost + w->dropped);
	uint32_t sl = lh_size;
	sl += (uint32_t)utf16_put(lh + sl, w->logger_name);
	sl += (uint32_t)utf16_put(lh + sl, w->log_file_name);
	uint32_t ev_size = SYSTEM_HDR_SIZE + sl;
	put_system_header(e, is64, 2, ev_size, 0x0000, c->header_tid, c->header_pid, c->start_ticks,
			  6, 0);
	memset(e + ev_size, 0, align8(ev_size) - ev_size);
	off += align8(ev_size);

	/* 0x0005 header extension: GroupMasks[8] + kernel event version (GC). */
	if (c->header_extension) {
		e = b + off;
		put_system_header(e, is64, 2, SYSTEM_HDR_SIZE + 0x24, 0x0005, c->header_tid,
				  c->header_pid, c->start_ticks, 6, 0);
		for (unsigned i = 0; i < 8; i++)
			put32(e + SYSTEM_HDR_SIZE + 4 * i, c->group_masks[i]);
		put32(e + SYSTEM_HDR_SIZE + 0x20, c->kernel_event_version);
		memset(e + SYSTEM_HDR_SIZE + 0x24, 0, 4);
		off += align8(SYSTEM_HDR_SIZE + 0x24);
	}
	/* 0x0050 PartitionInfoExtension, version 2 framing, 48 zero bytes on hosts. */
	if (c->partition_info) {
		e = b + off;
		put_system_header(e, is64, 2, SYSTEM_HDR_SIZE + 48, 0x0050, c->header_tid,
				  c->header_pid, c->start_ticks, 6, 0);
		memset(e + SYSTEM_HDR_SIZE, 0, 48);
		off += SYSTEM_HDR_SIZE + 48;
	}

	/* Live header buffer: SavedOffset == Offset == CurrentOffset, flag 0x21, State 3. */
	put32(b + BUF_OFF_BUFFER_SIZE, w->hdr_size);
	put32(b + BUF_OFF_SAVED_OFFSET, off);
	put32(b + BUF_OFF_CURRENT_OFFSET, off);
	put16(b + BUF_OFF_LOGGER_ID, c->compress ? 0 : LOGGER_ID_LIVE);
	put32(b + BUF_OFF_STATE, BUF_STATE_FLUSH);
	put32(b + BUF_OFF_OFFSET, off);
	put16(b + BUF_OFF_FLAG, BUF_FLAG_FLUSH_MARKER | BUF_FLAG_PROC_INDEX);
	put16(b + BUF_OFF_TYPE, BUF_TYPE_HEADER);
}

/* ---- open / close --------------------------------------------------------- */

static int
check_config(const struct etl_writer_config *c, char *err, size_t errsz)
{
	if (c->cpus == 0 || c->cpus > ETL_MAX_CPUS)
		return snprintf(err, errsz, "cpus must be 1..%u", ETL_MAX_CPUS), -1;
	if (c->pointer_size != 4 && c->pointer_size != 8)
		return snprintf(err, errsz, "pointer size must be 4 or 8"), -1;
	if (c->buffer_size < ETL_MIN_BUFFER_SIZE || c->buffer_size > ETL_MAX_BUFFER_SIZE ||
	    c->buffer_size % 8)
		return snprintf(err, errsz, "buffer size must be a multiple of 8 in %u..%u",
				ETL_MIN_BUFFER_SIZE, ETL_MAX_BUFFER_SIZE),
		       -1;
	if (c->perf_freq <= 0)
		return snprintf(err, errsz, "clock frequency must be positive"), -1;
	return 0;
}

static int
writer_new(struct etl_writer **out, const struct etl_writer_config *cfg, char *err, size_t errsz)
{
	struct etl_writer *w;

	*out = NULL;
	if (check_config(cfg, err, errsz))
		return -1;
	w = calloc(1, sizeof(*w));
	if (!w)
		return snprintf(err, errsz, "out of memory"), -1;
	w->cfg = *cfg;
	if (!w->cfg.log_file_mode)
		w->cfg.log_file_mode =
		    cfg->compress ? ETL_MODE_COMPRESSED | ETL_MODE_RELOG | ETL_MODE_SEQUENTIAL
				  : ETL_MODE_INDEPENDENT | ETL_MODE_SEQUENTIAL;
	if (!cfg->compress && !cfg->clock_source && !cfg->perf_source) {
		w->cfg.clock_source = 9; /* Apic / ProcessorCounter, as AMSITrace */
		w->cfg.perf_source = 6;
	}
	w->logger_name = dup_str(cfg->logger_name ? cfg->logger_name
				 : cfg->compress  ? "Relogger"
						  : "NT Kernel Logger");
	w->log_file_name = dup_str(cfg->log_file_name ? cfg->log_file_name
				   : cfg->compress    ? "[multiple files]"
						      : "C:\\Windows\\system32\\alpcscope.etl");
	w->cpus = calloc(cfg->cpus, sizeof(*w->cpus));
	w->rec = malloc(ETL_MAX_EVENT_SIZE + 8);
	if (!w->logger_name || !w->log_file_name || !w->cpus || !w->rec)
		goto oom;
	if (strlen(w->logger_name) > 256 || strlen(w->log_file_name) > 1024) {
		snprintf(err, errsz, "logger or log file name too long");
		etl_writer_free(w);
		return -1;
	}
	uint32_t need = header_buffer_content(w);
	if (cfg->compress) {
		w->hdr_size = HEADER_BUFFER_COMPRESSED;
		while (w->hdr_size < need)
			w->hdr_size += 0x200;
		w->zcap = xpress_compress_bound(cfg->buffer_size);
		w->zbuf = malloc(w->zcap);
		if (!w->zbuf)
			goto oom;
	} else {
		w->hdr_size = cfg->buffer_size;
		if (need > w->hdr_size) {
			snprintf(err, errsz, "header records do not fit a %u-byte buffer",
				 cfg->buffer_size);
			etl_writer_free(w);
			return -1;
		}
	}
	w->hdr = malloc(w->hdr_size);
	if (!w->hdr)
		goto oom;
	w->next_seq = 1;
	w->buffers = 1;
	w->header_records = 1 + (cfg->header_extension ? 1 : 0) + (cfg->partition_info ? 1 : 0);
	w->records = w->header_records;
	w->max_ticks = cfg->start_ticks;
	*out = w;
	return 0;
oom:
	etl_writer_free(w);
	return snprintf(err, errsz, "out of memory"), -1;
}

static int
writer_start(struct etl_writer *w)
{
	build_header_buffer(w, 0);
	return sink_write(w, w->hdr, w->hdr_size);
}

/* Error text of a failed open goes to stderr: there is no writer to hold it. */
int
etl_writer_open_file(struct etl_writer **out, const char *path, const struct etl_writer_config *cfg)
{
	char err[256];
	struct etl_writer *w;
	if (writer_new(&w, cfg, err, sizeof(err))) {
		fprintf(stderr, "etl_writer: %s\n", err);
		return -1;
	}
	w->fp = fopen(path, "w+b");
	if (!w->fp) {
		fprintf(stderr, "etl_writer: cannot create %s\n", path);
		etl_writer_free(w);
		return -1;
	}
	if (writer_start(w)) {
		fprintf(stderr, "etl_writer: %s\n", w->err);
		etl_writer_free(w);
		return -1;
	}
	*out = w;
	return 0;
}

int
etl_writer_open_memory(struct etl_writer **out, const struct etl_writer_config *cfg)
{
	char err[256];
	struct etl_writer *w;
	if (writer_new(&w, cfg, err, sizeof(err))) {
		fprintf(stderr, "etl_writer: %s\n", err);
		return -1;
	}
	w->to_memory = true;
	if (writer_start(w)) {
		etl_writer_free(w);
		return -1;
	}
	*out = w;
	return 0;
}

/* ---- data buffers --------------------------------------------------------- */

static int
flush_cpu(struct etl_writer *w, uint32_t cpu)
{
	struct cpu_buf *cb = &w->cpus[cpu];
	uint8_t *b = cb->data;
	uint32_t used = cb->used;
	uint16_t flag = BUF_FLAG_PROC_INDEX;
	uint64_t at = w->bytes;
	int rc;

	if (!cb->active)
		return 0;
	if (cb->dropping) { /* lost: its sequence number stays unused */
		cb->active = false;
		w->dropped++;
		return 0;
	}
	memset(b, 0, ETL_BUFFER_HEADER_SIZE);
	put32(b + BUF_OFF_SAVED_OFFSET, used);
	put32(b + BUF_OFF_CURRENT_OFFSET, used);
	/* Live files: a raw clock value near flush time; relogged: a FILETIME (§1.2). */
	int64_t stamp = cb->last_ticks;
	if (w->cfg.compress)
		stamp = w->cfg.start_filetime +
			ticks_to_100ns(cb->last_ticks - w->cfg.start_ticks, w->cfg.perf_freq);
	put64(b + BUF_OFF_TIMESTAMP, (uint64_t)stamp);
	put64(b + BUF_OFF_SEQUENCE, (uint64_t)cb->seq);
	put16(b + BUF_OFF_PROCESSOR, (uint16_t)cpu);
	put16(b + BUF_OFF_LOGGER_ID, w->cfg.compress ? 0 : LOGGER_ID_LIVE);
	put32(b + BUF_OFF_STATE, BUF_STATE_FLUSH);
	put32(b + BUF_OFF_OFFSET, used);
	put16(b + BUF_OFF_TYPE, BUF_TYPE_GENERIC);
	if (w->cfg.compress) {
		size_t clen = xpress_compress(b + ETL_BUFFER_HEADER_SIZE,
					      used - ETL_BUFFER_HEADER_SIZE, w->zbuf, w->zcap);
		if (clen == 0)
			return fail(w, "compression failed");
		flag |= BUF_FLAG_COMPRESSED;
		/* On-disk size: header + compressed stream, packed with no alignment. */
		put32(b + BUF_OFF_BUFFER_SIZE, (uint32_t)(ETL_BUFFER_HEADER_SIZE + clen));
		put16(b + BUF_OFF_FLAG, flag);
		rc = sink_write(w, b, ETL_BUFFER_HEADER_SIZE);
		if (!rc)
			rc = sink_write(w, w->zbuf, clen);
	} else {
		put32(b + BUF_OFF_BUFFER_SIZE, w->cfg.buffer_size);
		put16(b + BUF_OFF_FLAG, flag);
		memset(b + used, 0xFF, w->cfg.buffer_size - used);
		rc = sink_write(w, b, w->cfg.buffer_size);
	}
	if (rc)
		return rc;
	w->buffers++;
	w->last_buf_offset = at;
	w->last_buf_flag = flag;
	w->have_last = true;
	cb->active = false;
	return 0;
}

/* Reserve @size bytes (a whole record) in @cpu's buffer; returns where to write it. */
static uint8_t *
reserve_record(struct etl_writer *w, const struct etl_rec *r, uint32_t size)
{
	struct cpu_buf *cb;
	uint32_t asize = align8(size);

	if (w->finished) {
		fail(w, "writer already finished");
		return NULL;
	}
	if (r->cpu >= w->cfg.cpus) {
		fail(w, "cpu %u out of range (trace has %u)", r->cpu, w->cfg.cpus);
		return NULL;
	}
	if (size > ETL_MAX_EVENT_SIZE) {
		fail(w, "event of %u bytes exceeds the 0xFFFF record limit", size);
		return NULL;
	}
	if (asize > w->cfg.buffer_size - ETL_BUFFER_HEADER_SIZE) {
		fail(w, "event of %u bytes does not fit a %u-byte buffer", size,
		     w->cfg.buffer_size);
		return NULL;
	}
	cb = &w->cpus[r->cpu];
	if (cb->has_stream_time && r->ticks < cb->stream_last_ticks) {
		fail(w, "time goes backwards on cpu %u (%lld < %lld)", r->cpu, (long long)r->ticks,
		     (long long)cb->stream_last_ticks);
		return NULL;
	}
	if (!cb->data) {
		cb->data = malloc(w->cfg.buffer_size);
		if (!cb->data) {
			fail(w, "out of memory");
			return NULL;
		}
	}
	if (cb->active && cb->used + asize > w->cfg.buffer_size) {
		if (flush_cpu(w, r->cpu))
			return NULL;
	}
	if (!cb->active) {
		cb->active = true;
		cb->used = ETL_BUFFER_HEADER_SIZE;
		cb->seq = w->next_seq++;
	}
	uint8_t *p = cb->data + cb->used;
	/* Padding between records is junk in real files; zero keeps output deterministic. */
	memset(p + size, 0, asize - size);
	cb->used += asize;
	cb->last_ticks = r->ticks;
	cb->stream_last_ticks = r->ticks;
	cb->has_stream_time = true;
	if (r->ticks > w->max_ticks)
		w->max_ticks = r->ticks;
	w->records++;
	return p;
}

static bool
rec_is64(const struct etl_writer *w, const struct etl_rec *r)
{
	unsigned width = r->width ? r->width : w->cfg.pointer_size;
	return width == 8;
}

static int
check_payload(struct etl_writer *w, size_t hdr, size_t len)
{
	if (len > ETL_MAX_EVENT_SIZE - hdr)
		return fail(w, "event of %zu bytes exceeds the 0xFFFF record limit", hdr + len);
	return 0;
}

int
etl_writer_system(struct etl_writer *w, const struct etl_rec *r, uint16_t hook, uint8_t version,
		  const void *payload, size_t len)
{
	if (check_payload(w, SYSTEM_HDR_SIZE, len))
		return -1;
	uint32_t size = (uint32_t)(SYSTEM_HDR_SIZE + len);
	uint8_t *p = reserve_record(w, r, size);
	if (!p)
		return -1;
	put_system_header(p, rec_is64(w, r), version, size, hook, r->tid, r->pid, r->ticks,
			  r->kernel_time, r->user_time);
	if (len)
		memcpy(p + SYSTEM_HDR_SIZE, payload, len);
	return 0;
}

int
etl_writer_perfinfo(struct etl_writer *w, const struct etl_rec *r, uint16_t hook, uint8_t version,
		    const void *payload, size_t len)
{
	if (check_payload(w, PERFINFO_HDR_SIZE, len))
		return -1;
	uint32_t size = (uint32_t)(PERFINFO_HDR_SIZE + len);
	uint8_t *p = reserve_record(w, r, size);
	if (!p)
		return -1;
	put16(p + 0, version);
	p[2] = rec_is64(w, r) ? 0x11 : 0x10;
	p[3] = 0xC0;
	put16(p + 4, (uint16_t)size);
	put16(p + 6, hook);
	put64(p + 8, (uint64_t)r->ticks);
	if (len)
		memcpy(p + PERFINFO_HDR_SIZE, payload, len);
	return 0;
}

int
etl_writer_full(struct etl_writer *w, const struct etl_rec *r, const struct etl_guid *guid,
		uint8_t type, uint8_t level, uint16_t version, const void *payload, size_t len)
{
	if (check_payload(w, FULL_HDR_SIZE, len))
		return -1;
	uint32_t size = (uint32_t)(FULL_HDR_SIZE + len);
	uint8_t *p = reserve_record(w, r, size);
	if (!p)
		return -1;
	put16(p + 0, (uint16_t)size);
	p[2] = rec_is64(w, r) ? 0x14 : 0x0A;
	p[3] = 0xC0;
	p[4] = type;
	p[5] = level;
	put16(p + 6, version);
	put32(p + 8, r->tid);
	put32(p + 12, r->pid);
	put64(p + 16, (uint64_t)r->ticks);
	put_guid(p + 24, guid);
	put32(p + 40, r->kernel_time);
	put32(p + 44, r->user_time);
	if (len)
		memcpy(p + FULL_HDR_SIZE, payload, len);
	return 0;
}

int
etl_writer_event(struct etl_writer *w, const struct etl_rec *r, const struct etl_event_desc *d,
		 const void *payload, size_t len)
{
	size_t ext = 0;
	if (d->ext_count > ETL_MAX_EXT_ITEMS)
		return fail(w, "too many extended items (%u)", d->ext_count);
	for (unsigned i = 0; i < d->ext_count; i++)
		ext += 8 + align8(d->ext[i].size);
	if (ext > ETL_MAX_EVENT_SIZE || check_payload(w, EVENT_HDR_SIZE + ext, len))
		return fail(w,
			    "event with %zu bytes of extended items and %zu of data is larger "
			    "than 0xFFFF",
			    ext, len);
	uint32_t size = (uint32_t)(EVENT_HDR_SIZE + ext + len);
	uint8_t *p = reserve_record(w, r, size);
	if (!p)
		return -1;
	put16(p + 0, (uint16_t)size);
	put16(p + 2, rec_is64(w, r) ? 0xC013 : 0xC012);
	put16(p + 4, d->ext_count ? 0x0001 : 0x0000); /* only EXTENDED_INFO is set on disk */
	put16(p + 6, d->property);
	put32(p + 8, r->tid);
	put32(p + 12, r->pid);
	put64(p + 16, (uint64_t)r->ticks);
	put_guid(p + 24, &d->provider);
	put16(p + 40, d->id);
	p[42] = d->version;
	p[43] = d->channel;
	p[44] = d->level;
	p[45] = d->opcode;
	put16(p + 46, d->task);
	put64(p + 48, d->keyword);
	put32(p + 56, r->kernel_time);
	put32(p + 60, r->user_time);
	put_guid(p + 64, &d->activity);
	uint8_t *q = p + EVENT_HDR_SIZE;
	for (unsigned i = 0; i < d->ext_count; i++) {
		uint32_t dsz = d->ext[i].size, asz = align8(dsz);
		/* Reserved1 holds the item's total length, 8 + align8(DataSize) (§3.5). */
		put16(q + 0, (uint16_t)(8 + asz));
		put16(q + 2, d->ext[i].type);
		put16(q + 4, i + 1 < d->ext_count ? 1 : 0);
		put16(q + 6, (uint16_t)dsz);
		if (dsz)
			memcpy(q + 8, d->ext[i].data, dsz);
		memset(q + 8 + dsz, 0, asz - dsz);
		q += 8 + asz;
	}
	if (len)
		memcpy(q, payload, len);
	return 0;
}

int
etl_writer_wpp(struct etl_writer *w, const struct etl_rec *r, const struct etl_guid *guid,
	       uint16_t message_number, const void *args, size_t len)
{
	if (check_payload(w, WPP_HDR_SIZE, len))
		return -1;
	uint32_t size = (uint32_t)(WPP_HDR_SIZE + len);
	uint8_t *p = reserve_record(w, r, size);
	if (!p)
		return -1;
	put16(p + 0, (uint16_t)size);
	p[2] = 0;
	p[3] = 0x90;
	put16(p + 4, message_number);
	/* GUID 0x02 | TIMESTAMP 0x08 | SYSTEMINFO 0x20 | POINTER64 0x80 (or POINTER32 0x40). */
	put16(p + 6, (uint16_t)(0x02 | 0x08 | 0x20 | (rec_is64(w, r) ? 0x80 : 0x40)));
	put_guid(p + 8, guid);
	put64(p + 24, (uint64_t)r->ticks);
	put32(p + 32, r->tid);
	put32(p + 36, r->pid);
	if (len)
		memcpy(p + WPP_HDR_SIZE, args, len);
	return 0;
}

void
etl_writer_add_events_lost(struct etl_writer *w, uint32_t n)
{
	w->cfg.events_lost += n;
}

int
etl_writer_set_dropping(struct etl_writer *w, uint32_t cpu, bool dropping)
{
	if (cpu >= w->cfg.cpus)
		return fail(w, "cpu %u out of range", cpu);
	struct cpu_buf *cb = &w->cpus[cpu];

	if (dropping && !cb->dropping && flush_cpu(w, cpu)) /* what came before survives */
		return -1;
	if (!dropping && cb->dropping && cb->active) {
		cb->active = false;
		w->dropped++;
	}
	cb->dropping = dropping;
	return 0;
}

/* ---- finish ----------------------------------------------------------- */

int
etl_writer_finish(struct etl_writer *w, int64_t end_ticks)
{
	if (w->finished)
		return fail(w, "writer already finished");
	/* Stop order: processors in index order, like the logger's final flush. */
	for (uint32_t cpu = 0; cpu < w->cfg.cpus; cpu++)
		if (flush_cpu(w, cpu))
			return -1;
	w->finished = true;
	if (w->have_last) {
		uint8_t f[2];
		put16(f, (uint16_t)(w->last_buf_flag | BUF_FLAG_FLUSH_MARKER));
		if (sink_patch(w, w->last_buf_offset + BUF_OFF_FLAG, f, 2))
			return -1;
	}
	if (end_ticks == 0 || end_ticks < w->max_ticks)
		end_ticks = w->max_ticks;
	int64_t end_ft = w->cfg.start_filetime +
			 ticks_to_100ns(end_ticks - w->cfg.start_ticks, w->cfg.perf_freq);
	build_header_buffer(w, end_ft);
	if (sink_patch(w, 0, w->hdr, w->hdr_size))
		return -1;
	if (w->fp) {
		if (fclose(w->fp) != 0) {
			w->fp = NULL;
			return fail(w, "close failed");
		}
		w->fp = NULL;
	}
	return 0;
}

const uint8_t *
etl_writer_memory(const struct etl_writer *w, size_t *size)
{
	if (!w->to_memory || !w->finished) {
		*size = 0;
		return NULL;
	}
	*size = w->mem_len;
	return w->mem;
}

uint8_t *
etl_writer_take_memory(struct etl_writer *w, size_t *size)
{
	uint8_t *m = (uint8_t *)etl_writer_memory(w, size);
	if (m) {
		w->mem = NULL;
		w->mem_len = w->mem_cap = 0;
	}
	return m;
}

uint64_t
etl_writer_bytes_written(const struct etl_writer *w)
{
	return w->bytes;
}

uint64_t
etl_writer_record_count(const struct etl_writer *w)
{
	return w->records;
}

uint32_t
etl_writer_buffer_count(const struct etl_writer *w)
{
	return w->buffers;
}

int64_t
etl_writer_ticks_at(const struct etl_writer *w, int64_t num, int64_t den)
{
	int64_t f = w->cfg.perf_freq;
	return w->cfg.start_ticks + (num / den) * f + ((num % den) * f) / den;
}

const char *
etl_writer_error(const struct etl_writer *w)
{
	return w->err;
}

void
etl_writer_free(struct etl_writer *w)
{
	if (!w)
		return;
	if (w->fp)
		fclose(w->fp);
	if (w->cpus)
		for (uint32_t i = 0; i < w->cfg.cpus; i++)
			free(w->cpus[i].data);
	free(w->cpus);
	free(w->logger_name);
	free(w->log_file_name);
	free(w->mem);
	free(w->hdr);
	free(w->rec);
	free(w->zbuf);
	free(w);
}
