/* SPDX-License-Identifier: MIT */
/*
 * XML trace source, second half: the collected text of one <Event> (see
 * xml_source.c) becomes struct alpcscope_event header fields (numbers,
 * GUIDs, ISO-8601 times, kernel group identification), its payload (hex
 * text, or rebuilt from the <Data> fields by xml_encode.c) and, for the
 * EventTrace header event, the trace facts.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reader/kernel_groups.h"
#include "reader/logfile_header.h"
#include "reader/xml_encode.h"
#include "reader/xml_source_internal.h"
#include "util/error.h"
#include "util/hex.h"

/* ---- diagnostics, text lookups, numbers and GUIDs ---- */

static void
diag(struct alpcscope_xml_source *s, const char *id, enum alpcscope_severity sev, const char *msg)
{
	struct alpcscope_diagnostic d = {id, sev, s->ev.file_offset, UINT32_MAX, msg};

	s->stats.diagnostics++;
	s->stats.diagnostics_by_severity[sev]++;
	if (s->opt.diag)
		s->opt.diag(s->opt.diag_ctx, &d);
}

static const char *
txt(const struct alpcscope_xml_source *s, size_t off)
{
	return off == NO_TEXT ? NULL : s->text + off;
}

static const char *
attr(const struct alpcscope_xml_source *s, enum attr a)
{
	return txt(s, s->attr[a]);
}

static const char *
slot(const struct alpcscope_xml_source *s, enum slot sl)
{
	return txt(s, s->slot_text[sl]);
}

static uint64_t
to_u64(const char *t, uint64_t dflt)
{
	uint64_t v;

	return t && xml_parse_u64(t, &v) ? v : dflt;
}

static bool
parse_guid(const char *t, struct alpcscope_guid *g)
{
	char buf[ALPCSCOPE_GUID_STR_SIZE + 8];
	size_t n;

	if (!t)
		return false;
	while (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r')
		t++;
	n = strlen(t);
	while (n && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\n' || t[n - 1] == '\r'))
		n--;
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, t, n);
	buf[n] = '\0';
	return alpcscope_guid_parse(g, buf);
}

/* Hex text (white space ignored) into the payload buffer; false on bad text. */
static bool
hex_payload(struct alpcscope_xml_source *s, const char *t)
{
	int hi = -1;

	s->payload.len = 0;
	for (; *t; t++) {
		int v;

		if (*t == ' ' || *t == '\n' || *t == '\r' || *t == '\t')
			continue;
		v = hex_digit_value(*t);
		if (v < 0)
			return false;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (s->payload.len == s->payload.cap) {
			size_t ncap = s->payload.cap ? s->payload.cap * 2 : 256;
			uint8_t *p = realloc(s->payload.data, ncap);

			if (!p) {
				s->payload.oom = true;
				return false;
			}
			s->payload.data = p;
			s->payload.cap = ncap;
		}
		s->payload.data[s->payload.len++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0;
}

static bool
kind_from_name(const char *t, enum alpcscope_record_kind *k)
{
	for (int i = 0; t && i < ALPCSCOPE_RECORD_KIND_COUNT; i++) {
		if (strcmp(t, alpcscope_record_kind_name((enum alpcscope_record_kind)i)) == 0) {
			*k = (enum alpcscope_record_kind)i;
			return true;
		}
	}
	return false;
}

static const char *
field_value(const struct alpcscope_xml_source *s, const char *name)
{
	for (size_t i = 0; i < s->nkv; i++)
		if (strcasecmp(s->kv[i].name, name) == 0)
			return s->kv[i].value;
	return NULL;
}

static void
trim_copy(char *dst, size_t cap, const char *src)
{
	size_t n;

	while (*src == ' ' || *src == '\n' || *src == '\r' || *src == '\t')
		src++;
	n = strlen(src);
	while (n && (src[n - 1] == ' ' || src[n - 1] == '\n' || src[n - 1] == '\r' ||
		     src[n - 1] == '\t'))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The EventTrace Header event's fields describe the trace. */
static void
header_info(struct alpcscope_xml_source *s)
{
	struct alpcscope_trace_info *in = &s->info;
	const char *t;
	uint64_t v;

	in->header_found = true;
	in->buffer_size = (uint32_t)to_u64(field_value(s, "BufferSize"), 0);
	v = to_u64(field_value(s, "Version"), 0);
	for (int i = 0; i < 4; i++)
		in->version[i] = (uint8_t)(v >> (8 * i));
	in->os_build = (uint32_t)to_u64(field_value(s, "ProviderVersion"), 0);
	in->cpu_count = (uint32_t)to_u64(field_value(s, "NumberOfProcessors"), 0);
	in->end_filetime = (int64_t)to_u64(field_value(s, "EndTime"), 0);
	in->timer_resolution = (uint32_t)to_u64(field_value(s, "TimerResolution"), 0);
	in->max_file_size = (uint32_t)to_u64(field_value(s, "MaximumFileSize"), 0);
	in->log_file_mode = (uint32_t)to_u64(field_value(s, "LogFileMode"), 0);
	in->buffers_written = (uint32_t)to_u64(field_value(s, "BuffersWritten"), 0);
	in->start_buffers = (uint32_t)to_u64(field_value(s, "StartBuffers"), 0);
	v = to_u64(field_value(s, "PointerSize"), 0);
	if (v == 4 || v == 8)
		in->pointer_size = (uint32_t)v;
	in->events_lost = (uint32_t)to_u64(field_value(s, "EventsLost"), 0);
	in->cpu_mhz = (uint32_t)to_u64(field_value(s, "CPUSpeed"), 0);
	in->perf_freq = (int64_t)to_u64(field_value(s, "PerfFreq"), 0);
	in->boot_filetime = (int64_t)to_u64(field_value(s, "BootTime"), 0);
	in->clock_type = (uint32_t)to_u64(field_value(s, "ReservedFlags"), 0);
	in->buffers_lost = (uint32_t)to_u64(field_value(s, "BuffersLost"), 0);
	v = to_u64(field_value(s, "StartTime"), 0);
	if (v) {
		in->start_filetime = (int64_t)v;
		s->first_time_set = true;
	}
	if ((t = field_value(s, "LoggerName")))
		trim_copy(in->logger_name, sizeof(in->logger_name), t);
	if ((t = field_value(s, "LogFileName")))
		trim_copy(in->log_file_name, sizeof(in->log_file_name), t);
	in->header_timestamp_ticks = s->ev.timestamp_ticks;
}

/* SystemTraceControlGuid: tracerpt's provider of kernel events. */
static const struct alpcscope_guid system_trace_guid = {
    0x9e814aad, 0x3204, 0x11d2, {0x9a, 0x82, 0x00, 0x60, 0x08, 0xa8, 0x69, 0x39}};

static void
identify(struct alpcscope_xml_source *s, struct alpcscope_event *ev)
{
	struct alpcscope_guid pg, eg;
	bool have_pg = parse_guid(attr(s, A_PROVIDER_GUID), &pg);
	bool have_eg = parse_guid(slot(s, S_EVENT_GUID), &eg);
	uint8_t group = 0;
	bool kernel = false;
	uint64_t hook;

	if (have_eg && kernel_group_from_guid(&eg, &group))
		kernel = true;
	else if (have_pg && kernel_group_from_guid(&pg, &group))
		kernel = true;
	else if (have_pg && alpcscope_guid_equal(&pg, &system_trace_guid) &&
		 slot(s, S_EVENT_NAME)) {
		char nm[40];

		trim_copy(nm, sizeof(nm), slot(s, S_EVENT_NAME));
		for (unsigned g = 0; g < 0x1F && !kernel; g++) {
			const char *gn = alpcscope_kernel_group_name((uint8_t)g);

			if (gn && strcasecmp(gn, nm) == 0) {
				group = (uint8_t)g;
				kernel = true;
			}
		}
	}
	if (kernel) {
		const struct alpcscope_guid *gg;

		ev->is_kernel = true;
		if (group == 0x14 && ev->opcode == 10)
			group = 0x03; /* image Load is hook 0x030A */
		ev->group = group;
		if (attr(s, A_R_HOOK) && xml_parse_u64(attr(s, A_R_HOOK), &hook) &&
		    hook >> 8 == group)
			ev->opcode = (uint8_t)hook;
		ev->hook_id = (uint16_t)(group << 8 | ev->opcode);
		gg = alpcscope_kernel_group_guid(ev->hook_id == 0x030A ? 0x14 : group);
		if (gg) {
			ev->provider = *gg;
			ev->has_provider = true;
		}
	} else if (have_pg) {
		ev->provider = pg;
		ev->has_provider = true;
	} else if (have_eg) {
		ev->provider = eg;
		ev->has_provider = true;
	}
}

static void
remember_thread(struct alpcscope_xml_source *s, const struct alpcscope_event *ev)
{
	if (ev->thread_id == ALPCSCOPE_ID_UNKNOWN)
		return;
	s->last[ev->thread_id % TID_SLOTS].tid = ev->thread_id;
	s->last[ev->thread_id % TID_SLOTS].ticks = ev->timestamp_ticks;
}

/* Header fields, identity, pointer width and record kind from <System> and <Record>. */
static void
event_header(struct alpcscope_xml_source *s, struct alpcscope_event *ev)
{
	enum alpcscope_record_kind kind;
	uint64_t v;

	ev->event_id = (uint16_t)to_u64(slot(s, S_EVENT_ID), 0);
	ev->version = (uint8_t)to_u64(slot(s, S_VERSION), 0);
	ev->level = (uint8_t)to_u64(slot(s, S_LEVEL), 0);
	ev->task = (uint16_t)to_u64(slot(s, S_TASK), 0);
	ev->opcode = (uint8_t)to_u64(slot(s, S_OPCODE), 0);
	ev->keywords = to_u64(slot(s, S_KEYWORDS), 0);
	ev->channel = (uint8_t)to_u64(attr(s, A_R_CHANNEL), 0);
	ev->header_flags = (uint16_t)to_u64(attr(s, A_R_HFLAGS), 0);
	ev->event_property = (uint16_t)to_u64(attr(s, A_R_PROPERTY), 0);
	ev->process_id = (uint32_t)to_u64(attr(s, A_PID), ALPCSCOPE_ID_UNKNOWN);
	ev->thread_id = (uint32_t)to_u64(attr(s, A_TID), ALPCSCOPE_ID_UNKNOWN);
	ev->processor = (uint32_t)to_u64(attr(s, A_CPU), 0);
	ev->kernel_time = (uint32_t)to_u64(attr(s, A_KTIME), 0);
	ev->user_time = (uint32_t)to_u64(attr(s, A_UTIME), 0);
	parse_guid(attr(s, A_ACTIVITY), &ev->activity_id);
	identify(s, ev);

	v = to_u64(attr(s, A_R_PTR), 0);
	ev->pointer_size = v == 4 || v == 8
			       ? (uint8_t)v
			       : (s->info.pointer_size ? (uint8_t)s->info.pointer_size : 8);
	if (kind_from_name(attr(s, A_R_KIND), &kind))
		ev->kind = kind;
	else if (ev->is_kernel)
		ev->kind =
		    ev->pointer_size == 4 ? ALPCSCOPE_RECORD_SYSTEM32 : ALPCSCOPE_RECORD_SYSTEM64;
	else
		ev->kind = ev->pointer_size == 4 ? ALPCSCOPE_RECORD_EVENT_HEADER32
						 : ALPCSCOPE_RECORD_EVENT_HEADER64;
}

/* Clock, ordinal and position; returns the event's FILETIME (0 when unknown). */
static int64_t
event_time(struct alpcscope_xml_source *s, struct alpcscope_event *ev, bool exact, long off)
{
	const char *t;
	int64_t ft = 0;
	uint64_t v;

	if ((t = attr(s, A_R_FILETIME)) && xml_parse_u64(t, &v))
		ft = (int64_t)v;
	else if (!alpcscope_filetime_parse(attr(s, A_SYSTEM_TIME), &ft))
		ft = s->first_time_set ? s->info.start_filetime : 0;
	ev->filetime_100ns = ft;
	ev->has_timestamp = true;
	ev->timestamp_ticks = exact && xml_parse_u64(attr(s, A_R_TICKS), &v) ? (int64_t)v : ft;
	ev->ordinal = to_u64(attr(s, A_R_ORDINAL), s->ordinal);
	s->ordinal++;
	ev->file_offset = to_u64(attr(s, A_R_OFFSET), off >= 0 ? (uint64_t)off : 0);
	ev->buffer_index = UINT32_MAX;

	return ft;
}

/*
 * The payload: hex of <Payload>/<BinaryEventData>, or rebuilt from the
 * <Data> fields for the events the analysis uses (xml_encode.c).
 */
static enum alpcscope_status
event_payload(struct alpcscope_xml_source *s, struct alpcscope_event *ev, bool exact,
	      struct alpcscope_error *err)
{
	const char *t;

	s->payload.len = 0;
	if ((t = slot(s, S_PAYLOAD)) || (t = slot(s, S_BINARY))) {
		if (!hex_payload(s, t)) {
			if (s->payload.oom)
				return error_set(err, ALPCSCOPE_E_NOMEM, ev->file_offset,
						 "out of memory");
			diag(s, "ALPCSCOPE-W602", ALPCSCOPE_SEV_WARNING,
			     "payload hex text is malformed; bytes after the damage dropped");
		}
	} else if (xml_encode_supported(ev)) {
		if (!xml_encode_payload(ev, s->kv, s->nkv, &s->payload) && s->payload.oom)
			return error_set(err, ALPCSCOPE_E_NOMEM, ev->file_offset, "out of memory");
		/* Without raw clock values (foreign dumps), tie a stack to the last event
		 * of its thread: EventTimeStamp is the first 8 bytes of 32/37/38. */
		if (!exact && ev->group == 0x18 && ev->opcode != 34 && ev->opcode != 35 &&
		    ev->opcode != 36 && s->payload.len >= 16) {
			uint32_t st = (uint32_t)to_u64(field_value(s, "StackThread"), 0);

			if (s->last[st % TID_SLOTS].tid == st) {
				uint64_t tk = (uint64_t)s->last[st % TID_SLOTS].ticks;

				for (int i = 0; i < 8; i++)
					s->payload.data[i] = (uint8_t)(tk >> (8 * i));
			}
		}
	}
	ev->payload = s->payload.len ? s->payload.data : NULL;
	ev->payload_size = s->payload.len;
	ev->raw = ev->payload;
	ev->raw_size = ev->payload_size;

	return ALPCSCOPE_OK;
}

/* The EventTrace header event: trace facts for info and the time base. */
static void
event_trace_header(struct alpcscope_xml_source *s, const struct alpcscope_event *ev)
{
	const char *warning = NULL;
	struct alpcscope_trace_info in = s->info;

	/* alpcscope's own dumps keep the whole TRACE_LOGFILE_HEADER: read it as the
	 * ETL reader does; otherwise (tracerpt) take the named fields. */
	if (ev->payload_size && !logfile_header_decode(ev, &in, &warning)) {
		in.file_size = s->info.file_size;
		in.header_found = true;
		in.header_timestamp_ticks = ev->timestamp_ticks;
		s->info = in;
		s->first_time_set = s->info.start_filetime != 0;
	} else {
		header_info(s);
	}
}

enum alpcscope_status
xml_finish_event(struct alpcscope_xml_source *s, long off, struct alpcscope_error *err)
{
	struct alpcscope_event *ev = &s->ev;
	bool exact = attr(s, A_R_TICKS) != NULL;
	enum alpcscope_status st;
	int64_t ft;

	s->in_event = false;
	memset(ev, 0, sizeof(*ev));
	/* resolve field pointers */
	for (size_t i = 0; i < s->nkv; i++) {
		s->kv[i].name = s->text + s->kv_off[i].name;
		s->kv[i].value = s->text + s->kv_off[i].value;
		s->fields[i].name = s->kv[i].name;
		s->fields[i].type = ALPCSCOPE_FIELD_STRING;
		s->fields[i].value.str = s->kv[i].value;
	}
	event_header(s, ev);
	ft = event_time(s, ev, exact, off);
	st = event_payload(s, ev, exact, err);
	if (st != ALPCSCOPE_OK)
		return st;
	if (ev->is_kernel && ev->group == 0 && ev->opcode == 0)
		event_trace_header(s, ev);
	if (!s->first_time_set && ft) {
		s->info.start_filetime = ft;
		s->first_time_set = true;
	}
	if (!(ev->is_kernel && ev->group == 0x18))
		remember_thread(s, ev);
	if (s->text_truncated)
		diag(s, "ALPCSCOPE-W603", ALPCSCOPE_SEV_WARNING,
		     "event text larger than 8 MiB; truncated");
	if (s->dropped_fields)
		diag(s, "ALPCSCOPE-W604", ALPCSCOPE_SEV_WARNING,
		     "event has more than 256 fields; the rest are ignored");
	s->stats.records_total++;
	s->stats.records_by_kind[ev->kind]++;
	if (s->opt.strict && s->stats.diagnostics_by_severity[ALPCSCOPE_SEV_WARNING])
		return error_set(err, ALPCSCOPE_E_CORRUPT, ev->file_offset,
				 "damaged event (strict mode)");
	return ALPCSCOPE_OK;
}
