/* SPDX-License-Identifier: MIT */
/*
 * TRACE_EVENT_INFO and EVENT_MAP_INFO blobs, as KernelTraceControl
 * EventMetadata events (opcodes 32 and 33) embed them in merged traces.
 * Every offset is checked against the blob; names are UTF-16 Z strings at
 * offsets from the blob start (0 = absent). Layout: docs/event-layouts.md#eventmetadata.
 */
#include <string.h>

#include "schema.h"
#include "util/bytes.h"
#include "util/error.h"
#include "util/utf16.h"

enum {
	TEI_OFF_PROVIDER = 0,
	TEI_OFF_EVENT_GUID = 16,
	TEI_OFF_ID = 32,
	TEI_OFF_VERSION = 34,
	TEI_OFF_OPCODE = 37,
	TEI_OFF_DECODING_SOURCE = 48,
	TEI_OFF_PROVIDER_NAME = 52,
	TEI_OFF_TASK_NAME = 68,
	TEI_OFF_OPCODE_NAME = 72,
	TEI_OFF_PROPERTY_COUNT = 100,
	TEI_OFF_TOP_LEVEL_COUNT = 104,
	TEI_HEADER_SIZE = 112,
	EPI_SIZE = 24,
	EPI_OFF_FLAGS = 0,
	EPI_OFF_NAME = 4,
	EPI_OFF_IN_TYPE = 8,   /* struct: StructStartIndex */
	EPI_OFF_OUT_TYPE = 10, /* struct: NumOfStructMembers */
	EPI_OFF_MAP_NAME = 12,
	EPI_OFF_COUNT = 16,
	EPI_OFF_LENGTH = 18,
	EMI_OFF_NAME = 0,
	EMI_OFF_FLAG = 4,
	EMI_OFF_COUNT = 8,
	EMI_OFF_VALUE_TYPE = 12,
	EMI_HEADER_SIZE = 16,
	EMI_ENTRY_SIZE = 8,
	DECODING_MANIFEST = 0,
	DECODING_WBEM = 1,
	MAP_MANIFEST_VALUEMAP = 1,
	MAP_MANIFEST_BITMAP = 2,
	MAP_WBEM_VALUEMAP = 8,
	MAP_WBEM_BITMAP = 16,
};

/* UTF-16 Z name at @p off in the blob; *bad set when the offset or terminator is wrong. */
static const char *
blob_name(struct schema_arena *arena, const uint8_t *blob, size_t size, uint32_t off, bool *bad,
	  bool *nomem)
{
	bool term;
	size_t n;
	char *s;

	if (off == 0)
		return NULL;
	if (off >= size) {
		*bad = true;
		return NULL;
	}
	n = utf16_strlen_bytes(blob + off, size - off, &term);
	if (!term || n / 2 >= SCHEMA_MAX_NAME) {
		*bad = true;
		return NULL;
	}
	s = schema_arena_alloc(arena, utf16_utf8_capacity(n));
	if (!s) {
		*nomem = true;
		return NULL;
	}
	utf16_to_utf8(s, utf16_utf8_capacity(n), blob + off, n);
	/* TDH map names often end in a space. */
	for (size_t l = strlen(s); l && s[l - 1] == ' '; l--)
		s[l - 1] = '\0';
	return s;
}

static void
guid_load(struct alpcscope_guid *g, const uint8_t *p)
{
	g->data1 = le32_load(p);
	g->data2 = le16_load(p + 4);
	g->data3 = le16_load(p + 6);
	memcpy(g->data4, p + 8, 8);
}

enum alpcscope_status
event_info_parse(struct alpcscope_schema_set *set, const uint8_t *blob, size_t size,
		 struct alpcscope_error *err)
{
	struct schema_arena *arena = schema_set_arena(set);
	uint32_t source, nprops, ntop;
	const char *task, *opname;
	bool bad = false, nomem = false;
	struct schema_event *ev;

	if (!blob || size < TEI_HEADER_SIZE)
		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "TRACE_EVENT_INFO: %zu bytes, shorter than its %d-byte header",
				 size, TEI_HEADER_SIZE);
	source = le32_load(blob + TEI_OFF_DECODING_SOURCE);
	if (source != DECODING_MANIFEST && source != DECODING_WBEM)
		return ALPCSCOPE_OK; /* WPP and TraceLogging layouts: decoded otherwise */
	nprops = le32_load(blob + TEI_OFF_PROPERTY_COUNT);
	ntop = le32_load(blob + TEI_OFF_TOP_LEVEL_COUNT);
	if (nprops > SCHEMA_MAX_PROPS || ntop > nprops ||
	    nprops > (size - TEI_HEADER_SIZE) / EPI_SIZE)
		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "TRACE_EVENT_INFO: %u properties (%u top-level) do not fit in %zu "
				 "bytes",
				 nprops, ntop, size);
	ev = schema_arena_alloc(arena, sizeof(*ev));
	if (!ev ||
	    (nprops && !(ev->props = schema_arena_alloc(arena, nprops * sizeof(*ev->props)))))
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
				 "TRACE_EVENT_INFO: out of memory");
	ev->source = ALPCSCOPE_SCHEMA_EVENT_INFO;
	ev->version = blob[TEI_OFF_VERSION];
	if (source == DECODING_WBEM) {
		/* Classic events are keyed by their class GUID and opcode. */
		guid_load(&ev->provider, blob + TEI_OFF_EVENT_GUID);
		ev->id = blob[TEI_OFF_OPCODE];
		ev->by_opcode = true;
	} else {
		guid_load(&ev->provider, blob + TEI_OFF_PROVIDER);
		ev->id = le16_load(blob + TEI_OFF_ID);
	}
	ev->prop_count = (uint16_t)nprops;
	ev->top_count = (uint16_t)ntop;
	ev->provider_name =
	    blob_name(arena, blob, size, le32_load(blob + TEI_OFF_PROVIDER_NAME), &bad, &nomem);
	task = blob_name(arena, blob, size, le32_load(blob + TEI_OFF_TASK_NAME), &bad, &nomem);
	opname = blob_name(arena, blob, size, le32_load(blob + TEI_OFF_OPCODE_NAME), &bad, &nomem);
	if (task && opname) {
		size_t tl = strlen(task), ol = strlen(opname);
		char *name = schema_arena_alloc(arena, tl + ol + 2);

		if (!name)
			nomem = true;
		else {
			memcpy(name, task, tl);
			name[tl] = '/';
			memcpy(name + tl + 1, opname, ol + 1);
			ev->event_name = name;
		}
	} else {
		ev->event_name = task ? task : opname;
	}
	for (uint32_t i = 0; i < nprops && !bad && !nomem; i++) {
		const uint8_t *e = blob + TEI_HEADER_SIZE + (size_t)i * EPI_SIZE;
		struct schema_prop *p = &ev->props[i];
		uint32_t flags = le32_load(e + EPI_OFF_FLAGS);

		p->flags = flags & (SCHEMA_PROP_STRUCT | SCHEMA_PROP_PARAM_LENGTH |
				    SCHEMA_PROP_PARAM_COUNT | SCHEMA_PROP_FIXED_LENGTH |
				    SCHEMA_PROP_FIXED_COUNT);
		p->name = blob_name(arena, blob, size, le32_load(e + EPI_OFF_NAME), &bad, &nomem);
		if (flags & SCHEMA_PROP_STRUCT) {
			p->struct_start = le16_load(e + EPI_OFF_IN_TYPE);
			p->struct_members = le16_load(e + EPI_OFF_OUT_TYPE);
		} else {
			p->in_type = le16_load(e + EPI_OFF_IN_TYPE);
			p->out_type = le16_load(e + EPI_OFF_OUT_TYPE);
			p->map_name = blob_name(arena, blob, size, le32_load(e + EPI_OFF_MAP_NAME),
						&bad, &nomem);
		}
		p->count = le16_load(e + EPI_OFF_COUNT);
		p->length = le16_load(e + EPI_OFF_LENGTH);
		/* A fixed count above 1 is an array even without the flag (older TDH). */
		if (!(p->flags & SCHEMA_PROP_PARAM_COUNT) && p->count > 1)
			p->flags |= SCHEMA_PROP_FIXED_COUNT;
		if (!p->name && !bad && !nomem)
			bad = true;
	}
	if (nomem)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
				 "TRACE_EVENT_INFO: out of memory");
	if (bad)
		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "TRACE_EVENT_INFO (event %u v%u): a name offset is outside the "
				 "blob, unterminated or empty",
				 ev->id, ev->version);
	return schema_set_add_event(set, ev, err);
}

enum alpcscope_status
event_map_info_parse(struct alpcscope_schema_set *set, const uint8_t *data, size_t size,
		     struct alpcscope_error *err)
{
	struct schema_arena *arena = schema_set_arena(set);
	const uint8_t *blob;
	uint32_t flag, count;
	bool bad = false, nomem = false;
	struct schema_map *m;

	if (!data || size < 16 + EMI_HEADER_SIZE)
		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "EVENT_MAP_INFO: %zu bytes, too short for GUID and header", size);
	blob = data + 16;
	size -= 16;
	flag = le32_load(blob + EMI_OFF_FLAG);
	count = le32_load(blob + EMI_OFF_COUNT);
	if (count > SCHEMA_MAX_MAP_ENTRIES || count > (size - EMI_HEADER_SIZE) / EMI_ENTRY_SIZE)
		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "EVENT_MAP_INFO: %u entries do not fit in %zu bytes", count, size);
	/* Value and bit maps with numeric values; pattern and string-valued maps are skipped. */
	if (!(flag & (MAP_MANIFEST_VALUEMAP | MAP_MANIFEST_BITMAP | MAP_WBEM_VALUEMAP |
		      MAP_WBEM_BITMAP)) ||
	    ((flag & (MAP_WBEM_VALUEMAP | MAP_WBEM_BITMAP)) &&
	     le32_load(blob + EMI_OFF_VALUE_TYPE) != 0))
		return ALPCSCOPE_OK;
	m = schema_arena_alloc(arena, sizeof(*m));
	if (!m || (count && !(m->entries = schema_arena_alloc(arena, count * sizeof(*m->entries)))))
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
				 "EVENT_MAP_INFO: out of memory");
	guid_load(&m->provider, data);
	m->is_bitmap = (flag & (MAP_MANIFEST_BITMAP | MAP_WBEM_BITMAP)) != 0;
	m->name = blob_name(arena, blob, size, le32_load(blob + EMI_OFF_NAME), &bad, &nomem);
	m->count = count;
	for (uint32_t i = 0; i < count && !bad && !nomem; i++) {
		const uint8_t *e = blob + EMI_HEADER_SIZE + (size_t)i * EMI_ENTRY_SIZE;

		m->entries[i].name = blob_name(arena, blob, size, le32_load(e), &bad, &nomem);
		m->entries[i].value = le32_load(e + 4);
		if (!m->entries[i].name)
			m->entries[i].name = "";
	}
	if (nomem)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
				 "EVENT_MAP_INFO: out of memory");
	if (bad || !m->name)
		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "EVENT_MAP_INFO: a name offset is outside the map, unterminated "
				 "or missing");
	return schema_set_add_map(set, m, err);
}
