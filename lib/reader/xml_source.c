/* SPDX-License-Identifier: MIT */
/*
 * XML trace source (the input side's only libxml2 user): a streaming
 * xmlTextReader over a Windows event XML dump that lends out one
 * struct alpcscope_event per <Event>. Header fields come from <System>;
 * kernel events are recognised by tracerpt's <ExtendedTracingInfo><EventGuid>
 * (the group's GUID), by a kernel group GUID as provider, or by the
 * RenderingInfo event name under the SystemTraceControl provider. The
 * payload is, in order of preference: alpcscope's <Record><Payload> bytes,
 * <BinaryEventData>, or rebuilt from the <Data> fields (xml_encode.c).
 *
 * Memory is bounded: libxml2 frees each node once passed; this file keeps
 * one event's text (capped at XML_MAX_EVENT_TEXT) and field table (capped
 * at XML_MAX_FIELDS), reused from event to event. DTDs are refused, so no
 * entity expansion can happen.
 */
#include <alpcscope/xml.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <libxml/xmlreader.h>

#include "reader/kernel_groups.h"
#include "reader/logfile_header.h"
#include "reader/xml_encode.h"
#include "util/error.h"

#define XML_MAX_FIELDS     256
#define XML_MAX_EVENT_TEXT (8u << 20)
#define TID_SLOTS          4096

/* What collected text belongs to. */
enum slot {
	S_NONE = 0,
	S_EVENT_ID,
	S_VERSION,
	S_LEVEL,
	S_TASK,
	S_OPCODE,
	S_KEYWORDS,
	S_EVENT_GUID,
	S_EVENT_NAME,
	S_BINARY,
	S_PAYLOAD,
	S_DATA,
	S_COUNT
};

/* Attributes kept as text (offsets into the event's text store). */
enum attr {
	A_PROVIDER_GUID = 0,
	A_SYSTEM_TIME,
	A_ACTIVITY,
	A_PID,
	A_TID,
	A_CPU,
	A_KTIME,
	A_UTIME,
	A_R_KIND,
	A_R_PTR,
	A_R_HOOK,
	A_R_TICKS,
	A_R_FILETIME,
	A_R_ORDINAL,
	A_R_OFFSET,
	A_R_HFLAGS,
	A_R_PROPERTY,
	A_R_CHANNEL,
	A_COUNT
};

#define NO_TEXT SIZE_MAX

struct kv_off {
	size_t name, value;
};

struct alpcscope_xml_source {
	xmlTextReaderPtr r;
	struct alpcscope_reader_options opt;
	struct alpcscope_trace_info info;
	struct alpcscope_reader_stats stats;
	struct alpcscope_event ev;

	/* error captured from libxml2 */
	bool xml_failed;
	int err_line, err_col;
	char err_msg[160];

	/* one event's text */
	char *text;
	size_t text_len, text_cap;
	bool text_truncated;
	size_t attr[A_COUNT];
	size_t slot_text[S_COUNT];
	struct kv_off kv_off[XML_MAX_FIELDS];
	size_t nkv;
	uint64_t dropped_fields;
	struct xml_kv kv[XML_MAX_FIELDS];
	struct alpcscope_field fields[XML_MAX_FIELDS];

	/* parse state */
	bool in_event;
	int event_depth;
	int section; /* 0 none, 1 System, 2 EventData, 3 UserData, 4 Binary, 5 Rendering,
			6 Extended, 7 Record */
	enum slot collecting;
	int collect_depth;
	size_t collect_off;
	bool root_seen;
	bool ended;
	enum alpcscope_status final; /* what next() keeps returning once ended */
	struct alpcscope_error final_err;

	struct xml_bytes payload;
	uint64_t ordinal;
	bool first_time_set;

	struct {
		uint32_t tid;
		int64_t ticks;
	} last[TID_SLOTS];
};

/* ---- small helpers ---- */

static void
diag(struct alpcscope_xml_source *s, const char *id, enum alpcscope_severity sev, const char *msg)
{
	struct alpcscope_diagnostic d = {id, sev, s->ev.file_offset, UINT32_MAX, msg};

	s->stats.diagnostics++;
	s->stats.diagnostics_by_severity[sev]++;
	if (s->opt.diag)
		s->opt.diag(s->opt.diag_ctx, &d);
}

static size_t
store(struct alpcscope_xml_source *s, const char *p, size_t n)
{
	size_t at;

	if (s->text_len + n + 1 > XML_MAX_EVENT_TEXT) {
		s->text_truncated = true;
		n = s->text_len + 1 < XML_MAX_EVENT_TEXT ? XML_MAX_EVENT_TEXT - s->text_len - 1 : 0;
	}
	if (s->text_len + n + 1 > s->text_cap) {
		size_t ncap = s->text_cap ? s->text_cap : 4096;
		char *t;

		while (ncap < s->text_len + n + 1)
			ncap *= 2;
		t = realloc(s->text, ncap);
		if (!t)
			return NO_TEXT;
		s->text = t;
		s->text_cap = ncap;
	}
	at = s->text_len;
	memcpy(s->text + at, p, n);
	s->text[at + n] = '\0';
	s->text_len += n + 1;
	return at;
}

/* Append to the string being collected when it still ends the store; text after
 * something else was stored in between (odd nesting) is dropped. */
static bool
append_last(struct alpcscope_xml_source *s, size_t at, const char *p, size_t n)
{
	if (s->text_len == 0 || at == NO_TEXT || at + strlen(s->text + at) + 1 != s->text_len)
		return true;
	s->text_len--; /* drop the terminator, store() adds it back */
	return store(s, p, n) != NO_TEXT;
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

/* ---- time ---- */

static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

static bool
digits(const char **p, unsigned n, unsigned *out)
{
	unsigned v = 0;

	for (unsigned i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return false;
		v = v * 10 + (unsigned)((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

/* ISO-8601 "YYYY-MM-DDTHH:MM:SS[.f...][Z|+hh:mm|-hh:mm]" to FILETIME (100 ns). */
static bool
parse_time(const char *t, int64_t *out)
{
	unsigned y, mo, d, h, mi, se, frac = 0, oh = 0, om = 0;
	int sign = 0;

	if (!t)
		return false;
	while (*t == ' ')
		t++;
	if (!digits(&t, 4, &y) || *t++ != '-' || !digits(&t, 2, &mo) || *t++ != '-' ||
	    !digits(&t, 2, &d) || (*t != 'T' && *t != ' '))
		return false;
	t++;
	if (!digits(&t, 2, &h) || *t++ != ':' || !digits(&t, 2, &mi) || *t++ != ':' ||
	    !digits(&t, 2, &se))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 || y < 1601)
		return false;
	if (*t == '.' || *t == ',') {
		unsigned n = 0;

		t++;
		while (*t >= '0' && *t <= '9') {
			if (n < 7) {
				frac = frac * 10 + (unsigned)(*t - '0');
				n++;
			}
			t++;
		}
		while (n++ < 7)
			frac *= 10;
	}
	if (*t == 'Z') {
		t++;
	} else if (*t == '+' || *t == '-') {
		sign = *t == '+' ? 1 : -1;
		t++;
		if (!digits(&t, 2, &oh))
			return false;
		if (*t == ':')
			t++;
		if (!digits(&t, 2, &om))
			return false;
	}
	while (*t == ' ')
		t++;
	if (*t)
		return false;
	int64_t secs = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + mi * 60 + se;

	secs -= sign * ((int64_t)oh * 3600 + (int64_t)om * 60);
	*out = (secs + INT64_C(11644473600)) * 10000000 + frac;
	return true;
}

/* ---- libxml2 plumbing ---- */

static void
on_xml_error(void *ctx, xmlErrorPtr e)
{
	struct alpcscope_xml_source *s = ctx;

	if (!e || e->level < XML_ERR_ERROR || s->xml_failed)
		return;
	s->xml_failed = true;
	s->err_line = e->line;
	s->err_col = e->int2;
	snprintf(s->err_msg, sizeof(s->err_msg), "%s", e->message ? e->message : "parse error");
	size_t n = strlen(s->err_msg);

	for (size_t i = 0; i < n; i++) /* one line: libxml2 adds detail lines */
		if (s->err_msg[i] == '\n')
			s->err_msg[i] = i + 1 < n ? ';' : ' ';

	while (n && (s->err_msg[n - 1] == '\n' || s->err_msg[n - 1] == ' '))
		s->err_msg[--n] = '\0';
}

static enum alpcscope_status
fail(struct alpcscope_xml_source *s, struct alpcscope_error *err, const char *why)
{
	long off = s->r ? xmlTextReaderByteConsumed(s->r) : -1;
	int line =
	    s->xml_failed ? s->err_line : (s->r ? xmlTextReaderGetParserLineNumber(s->r) : 0);
	int col =
	    s->xml_failed ? s->err_col : (s->r ? xmlTextReaderGetParserColumnNumber(s->r) : 0);

	s->ended = true;
	s->final = error_set(&s->final_err, ALPCSCOPE_E_CORRUPT,
			     off >= 0 ? (uint64_t)off : ALPCSCOPE_NO_OFFSET,
			     "line %d, column %d: %s", line, col, s->xml_failed ? s->err_msg : why);
	if (err)
		*err = s->final_err;
	return s->final;
}

static enum alpcscope_status
open_common(struct alpcscope_xml_source **out, xmlTextReaderPtr r, uint64_t size,
	    const struct alpcscope_reader_options *options, struct alpcscope_error *err)
{
	struct alpcscope_xml_source *s;

	if (!r)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
				 "cannot create the XML reader");
	s = calloc(1, sizeof(*s));
	if (!s) {
		xmlFreeTextReader(r);
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	}
	s->r = r;
	if (options)
		s->opt = *options;
	s->info.file_size = size;
	s->info.pointer_size = 0;
	xmlTextReaderSetStructuredErrorHandler(r, on_xml_error, s);
	*out = s;
	return ALPCSCOPE_OK;
}

#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT)

bool
alpcscope_xml_sniff(const void *data, size_t size)
{
	const unsigned char *p = data;
	size_t i = 0;

	if (!p)
		return false;
	if (size >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		i = 3;
	while (i < size && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	return i < size && p[i] == '<';
}

bool
alpcscope_xml_sniff_file(const char *path)
{
	unsigned char buf[512];
	FILE *f = path ? fopen(path, "rb") : NULL;
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return alpcscope_xml_sniff(buf, n);
}

enum alpcscope_status
alpcscope_xml_source_open_file(struct alpcscope_xml_source **out, const char *path,
			       const struct alpcscope_reader_options *options,
			       struct alpcscope_error *err)
{
	struct stat st;

	if (!out || !path)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "NULL argument");
	*out = NULL;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "cannot open %s", path);
	if (!alpcscope_xml_sniff_file(path))
		return error_set(err, ALPCSCOPE_E_NOT_ETL, 0, "not an XML document");
	return open_common(out, xmlReaderForFile(path, NULL, PARSE_OPTIONS), (uint64_t)st.st_size,
			   options, err);
}

enum alpcscope_status
alpcscope_xml_source_open_memory(struct alpcscope_xml_source **out, const void *data, size_t size,
				 const struct alpcscope_reader_options *options,
				 struct alpcscope_error *err)
{
	if (!out || (!data && size))
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "NULL argument");
	*out = NULL;
	if (!alpcscope_xml_sniff(data, size))
		return error_set(err, ALPCSCOPE_E_NOT_ETL, 0, "not an XML document");
	if (size > INT32_MAX)
		return error_set(err, ALPCSCOPE_E_UNSUPPORTED, ALPCSCOPE_NO_OFFSET,
				 "in-memory XML larger than 2 GiB; open it as a file");
	return open_common(out, xmlReaderForMemory(data, (int)size, NULL, NULL, PARSE_OPTIONS),
			   size, options, err);
}

void
alpcscope_xml_source_free(struct alpcscope_xml_source *s)
{
	if (!s)
		return;
	if (s->r)
		xmlFreeTextReader(s->r);
	free(s->text);
	xml_bytes_free(&s->payload);
	free(s);
}

const struct alpcscope_trace_info *
alpcscope_xml_source_info(const struct alpcscope_xml_source *s)
{
	return s ? &s->info : NULL;
}

const struct alpcscope_reader_stats *
alpcscope_xml_source_stats(const struct alpcscope_xml_source *s)
{
	return s ? &s->stats : NULL;
}

size_t
alpcscope_xml_source_fields(const struct alpcscope_xml_source *s,
			    const struct alpcscope_field **fields)
{
	if (fields)
		*fields = s ? s->fields : NULL;
	return s ? s->nkv : 0;
}

/* ---- one event ---- */

static void
begin_event(struct alpcscope_xml_source *s, int depth)
{
	s->in_event = true;
	s->event_depth = depth;
	s->section = 0;
	s->collecting = S_NONE;
	s->text_len = 0;
	s->text_truncated = false;
	s->nkv = 0;
	s->dropped_fields = 0;
	for (int i = 0; i < A_COUNT; i++)
		s->attr[i] = NO_TEXT;
	for (int i = 0; i < S_COUNT; i++)
		s->slot_text[i] = NO_TEXT;
}

static bool
name_is(const xmlChar *n, const char *want)
{
	return n && strcmp((const char *)n, want) == 0;
}

/* Keep attribute @p a when the current element has attribute @p name. */
static bool
read_attrs(struct alpcscope_xml_source *s, const char *const *names, const enum attr *ids, size_t n)
{
	bool ok = true;

	while (xmlTextReaderMoveToNextAttribute(s->r) == 1) {
		const xmlChar *an = xmlTextReaderConstLocalName(s->r);
		const xmlChar *av = xmlTextReaderConstValue(s->r);

		for (size_t i = 0; i < n; i++) {
			if (name_is(an, names[i]) && av) {
				s->attr[ids[i]] =
				    store(s, (const char *)av, strlen((const char *)av));
				if (s->attr[ids[i]] == NO_TEXT)
					ok = false;
			}
		}
	}
	xmlTextReaderMoveToElement(s->r);
	return ok;
}

static bool
start_collect(struct alpcscope_xml_source *s, enum slot sl, int depth)
{
	size_t at = store(s, "", 0);

	if (at == NO_TEXT)
		return false;
	s->collecting = sl;
	s->collect_depth = depth;
	s->collect_off = at;
	if (sl == S_DATA) {
		if (s->nkv < XML_MAX_FIELDS)
			s->kv_off[s->nkv].value = at;
	} else {
		s->slot_text[sl] = at;
	}
	return true;
}

/* Start a field (Data or UserData leaf) named @p name. */
static bool
start_field(struct alpcscope_xml_source *s, const char *name, int depth)
{
	if (s->nkv >= XML_MAX_FIELDS) {
		s->dropped_fields++;
		s->collecting = S_NONE;
		return true;
	}
	s->kv_off[s->nkv].name = store(s, name, strlen(name));
	if (s->kv_off[s->nkv].name == NO_TEXT)
		return false;
	return start_collect(s, S_DATA, depth);
}

static void
end_collect(struct alpcscope_xml_source *s)
{
	if (s->collecting == S_DATA && s->nkv < XML_MAX_FIELDS)
		s->nkv++;
	s->collecting = S_NONE;
}

static bool
on_element(struct alpcscope_xml_source *s, const xmlChar *name, int depth, bool empty)
{
	int rel = depth - s->event_depth;
	bool ok = true;

	if (rel == 1) {
		static const char *const sections[] = {
		    "System",        "EventData",           "UserData", "BinaryEventData",
		    "RenderingInfo", "ExtendedTracingInfo", "Record"};
		s->section = 0;
		for (int i = 0; i < 7; i++)
			if (name_is(name, sections[i]))
				s->section = i + 1;
		if (s->section == 4)
			ok = start_collect(s, S_BINARY, depth);
		if (s->section == 7) {
			static const char *const n[] = {
			    "Kind",    "PointerSize", "HookId",      "Ticks",         "FileTime",
			    "Ordinal", "FileOffset",  "HeaderFlags", "EventProperty", "Channel"};
			static const enum attr id[] = {
			    A_R_KIND,    A_R_PTR,    A_R_HOOK,   A_R_TICKS,    A_R_FILETIME,
			    A_R_ORDINAL, A_R_OFFSET, A_R_HFLAGS, A_R_PROPERTY, A_R_CHANNEL};
			ok = read_attrs(s, n, id, 10);
		}
	} else if (rel == 2 && s->section == 1) {
		static const char *const scalars[] = {"EventID", "Version", "Level",
						      "Task",    "Opcode",  "Keywords"};
		for (int i = 0; i < 6; i++)
			if (name_is(name, scalars[i]))
				ok = start_collect(s, (enum slot)(S_EVENT_ID + i), depth);
		if (name_is(name, "Provider")) {
			static const char *const n[] = {"Guid"};
			static const enum attr id[] = {A_PROVIDER_GUID};
			ok = read_attrs(s, n, id, 1);
		} else if (name_is(name, "TimeCreated")) {
			static const char *const n[] = {"SystemTime"};
			static const enum attr id[] = {A_SYSTEM_TIME};
			ok = read_attrs(s, n, id, 1);
		} else if (name_is(name, "Correlation")) {
			static const char *const n[] = {"ActivityID"};
			static const enum attr id[] = {A_ACTIVITY};
			ok = read_attrs(s, n, id, 1);
		} else if (name_is(name, "Execution")) {
			static const char *const n[] = {"ProcessID", "ThreadID", "ProcessorID",
							"KernelTime", "UserTime"};
			static const enum attr id[] = {A_PID, A_TID, A_CPU, A_KTIME, A_UTIME};
			ok = read_attrs(s, n, id, 5);
		}
	} else if (rel == 2 && s->section == 2 && name_is(name, "Data")) {
		const xmlChar *dn = xmlTextReaderGetAttribute(s->r, (const xmlChar *)"Name");
		char gen[24];

		if (!dn)
			snprintf(gen, sizeof(gen), "Data%zu", s->nkv + 1);
		ok = start_field(s, dn ? (const char *)dn : gen, depth);
		xmlFree((void *)dn);
	} else if (rel >= 3 && s->section == 3 && s->collecting == S_NONE) {
		/* UserData: every element under the wrapper is a field named like it; a
		 * parent's own text is dropped once a child starts. */
		ok = start_field(s, (const char *)name, depth);
	} else if (rel >= 3 && s->section == 3) {
		end_collect(s);
		ok = start_field(s, (const char *)name, depth);
	} else if (rel == 2 && s->section == 5 && name_is(name, "EventName")) {
		ok = start_collect(s, S_EVENT_NAME, depth);
	} else if (rel == 2 && s->section == 6 && name_is(name, "EventGuid")) {
		ok = start_collect(s, S_EVENT_GUID, depth);
	} else if (rel == 2 && s->section == 7 && name_is(name, "Payload")) {
		ok = start_collect(s, S_PAYLOAD, depth);
	}
	if (empty && s->collecting != S_NONE && s->collect_depth == depth)
		end_collect(s);
	return ok;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
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
		v = hexval(*t);
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

static enum alpcscope_status
finish_event(struct alpcscope_xml_source *s, struct alpcscope_error *err)
{
	struct alpcscope_event *ev = &s->ev;
	bool exact = attr(s, A_R_TICKS) != NULL;
	enum alpcscope_record_kind kind;
	const char *t;
	int64_t ft = 0;
	uint64_t v;
	long off = xmlTextReaderByteConsumed(s->r);

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

	if ((t = attr(s, A_R_FILETIME)) && xml_parse_u64(t, &v))
		ft = (int64_t)v;
	else if (!parse_time(attr(s, A_SYSTEM_TIME), &ft))
		ft = s->first_time_set ? s->info.start_filetime : 0;
	ev->filetime_100ns = ft;
	ev->has_timestamp = true;
	ev->timestamp_ticks = exact && xml_parse_u64(attr(s, A_R_TICKS), &v) ? (int64_t)v : ft;
	ev->ordinal = to_u64(attr(s, A_R_ORDINAL), s->ordinal);
	s->ordinal++;
	ev->file_offset = to_u64(attr(s, A_R_OFFSET), off >= 0 ? (uint64_t)off : 0);
	ev->buffer_index = UINT32_MAX;

	/* payload */
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

	if (ev->is_kernel && ev->group == 0 && ev->opcode == 0) {
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

enum alpcscope_status
alpcscope_xml_source_next(struct alpcscope_xml_source *s, const struct alpcscope_event **out,
			  struct alpcscope_error *err)
{
	if (!s || !out)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "NULL argument");
	if (s->ended) {
		if (err && s->final != ALPCSCOPE_END)
			*err = s->final_err;
		return s->final;
	}
	for (;;) {
		int rc = xmlTextReaderRead(s->r);

		if (rc < 0 || s->xml_failed)
			return fail(s, err, "XML parse error");
		if (rc == 0) {
			s->ended = true;
			s->final = ALPCSCOPE_END;
			if (s->in_event)
				return fail(s, err, "document ends inside an <Event>");
			if (!s->root_seen)
				return fail(s, err, "no root element");
			return ALPCSCOPE_END;
		}
		int type = xmlTextReaderNodeType(s->r);
		int depth = xmlTextReaderDepth(s->r);
		const xmlChar *name = xmlTextReaderConstLocalName(s->r);

		switch (type) {
		case XML_READER_TYPE_DOCUMENT_TYPE:
			return fail(s, err, "document type declarations (DTD) are not accepted");
		case XML_READER_TYPE_ENTITY_REFERENCE:
			return fail(s, err, "entity references are not accepted");
		case XML_READER_TYPE_ELEMENT: {
			bool empty = xmlTextReaderIsEmptyElement(s->r) == 1;

			if (!s->root_seen) {
				s->root_seen = true;
				if (!name_is(name, "Events") && !name_is(name, "Event"))
					return fail(s, err,
						    "not a Windows event XML document (root is "
						    "neither <Events> nor <Event>)");
			}
			if (!s->in_event) {
				if (name_is(name, "Event") && depth <= 1) {
					begin_event(s, depth);
					if (empty) {
						enum alpcscope_status st = finish_event(s, err);

						if (st == ALPCSCOPE_OK)
							*out = &s->ev;
						return st;
					}
				}
				continue;
			}
			if (!on_element(s, name, depth, empty))
				return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
						 "out of memory");
			continue;
		}
		case XML_READER_TYPE_TEXT:
		case XML_READER_TYPE_CDATA:
		case XML_READER_TYPE_WHITESPACE:
		case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
			if (s->in_event && s->collecting != S_NONE) {
				const xmlChar *v = xmlTextReaderConstValue(s->r);

				if (v && !append_last(s, s->collect_off, (const char *)v,
						      strlen((const char *)v)))
					return error_set(err, ALPCSCOPE_E_NOMEM,
							 ALPCSCOPE_NO_OFFSET, "out of memory");
			}
			continue;
		case XML_READER_TYPE_END_ELEMENT:
			if (!s->in_event)
				continue;
			if (s->collecting != S_NONE && depth == s->collect_depth)
				end_collect(s);
			if (depth == s->event_depth + 1)
				s->section = 0;
			if (depth == s->event_depth) {
				enum alpcscope_status st = finish_event(s, err);

				if (st != ALPCSCOPE_OK)
					return st;
				*out = &s->ev;
				return ALPCSCOPE_OK;
			}
			continue;
		default: continue;
		}
	}
}
