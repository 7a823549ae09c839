/* SPDX-License-Identifier: MIT */
/*
 * XML trace source (the input side's only libxml2 user): a streaming
 * xmlTextReader over a Windows event XML dump that lends out one
 * struct alpcscope_event per <Event>. This file walks the document and
 * collects each event's <System> attributes and scalar text, <Data> and
 * <UserData> fields, <BinaryEventData> and alpcscope's <Record> attributes
 * and <Payload>; xml_fields.c turns that text into the event. Kernel events
 * are recognised by tracerpt's <ExtendedTracingInfo><EventGuid> (the
 * group's GUID), by a kernel group GUID as provider, or by the
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

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/xmlreader.h>

#include "reader/xml_encode.h"
#include "reader/xml_source_internal.h"
#include "util/error.h"

/* ---- event text store ---- */

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

/* ---- libxml2 plumbing ---- */

/* A file read through xml_guard.h before libxml2 parses it. */
struct xml_file_input {
	FILE *f;
	struct xml_guard guard;
};

static int
input_read(void *ctx, char *buf, int len)
{
	struct xml_file_input *in = ctx;
	size_t n;

	if (in->guard.why || len <= 0)
		return in->guard.why ? -1 : 0;
	n = fread(buf, 1, (size_t)len, in->f);
	if (n == 0 && ferror(in->f))
		return -1;
	if (!xml_guard_feed(&in->guard, buf, n))
		return -1; /* libxml2 stops with an I/O error; fail() reports the guard's reason */
	return (int)n;
}

static int
input_close(void *ctx)
{
	struct xml_file_input *in = ctx;

	fclose(in->f);
	free(in);
	return 0;
}

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
	if (s->input && s->input->guard.why) {
		/* Refused before libxml2 saw it (xml_guard.h): its offset is exact. */
		s->final =
		    error_set(&s->final_err, ALPCSCOPE_E_CORRUPT, s->input->guard.at,
			      "at byte %" PRIu64 ": %s", s->input->guard.at, s->input->guard.why);
		if (err)
			*err = s->final_err;
		return s->final;
	}
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
	struct xml_file_input *in = calloc(1, sizeof(*in));

	if (!in)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	xml_guard_init(&in->guard);
	in->f = fopen(path, "rb");
	if (!in->f || fstat(fileno(in->f), &st) != 0 || !S_ISREG(st.st_mode)) {
		if (in->f)
			fclose(in->f);
		free(in);
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "cannot open %s", path);
	}
	/* The reader owns @p in from here: input_close() runs even when it cannot be created. */
	xmlTextReaderPtr r = xmlReaderForIO(input_read, input_close, in, path, NULL, PARSE_OPTIONS);
	enum alpcscope_status rc = open_common(out, r, (uint64_t)st.st_size, options, err);

	if (rc == ALPCSCOPE_OK)
		(*out)->input = in;
	return rc;
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
	struct xml_guard g;

	xml_guard_init(&g);
	if (!xml_guard_feed(&g, data, size))
		return error_set(err, ALPCSCOPE_E_CORRUPT, g.at, "at byte %" PRIu64 ": %s", g.at,
				 g.why);
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

static enum alpcscope_status
finish_event(struct alpcscope_xml_source *s, struct alpcscope_error *err)
{
	return xml_finish_event(s, xmlTextReaderByteConsumed(s->r), err);
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
