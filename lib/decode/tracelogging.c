/* SPDX-License-Identifier: MIT */
/*
 * TraceLogging self-describing metadata: the EVENT_SCHEMA_TL extended item
 * (u16 size, tag bytes, UTF-8 event name, then per field: UTF-8 name, InType
 * byte with array flags and a chain bit, optional OutType byte with its own
 * chain bit and tag bytes, optional u16 constant count or custom-schema size)
 * and the PROV_TRAITS item (u16 size, UTF-8 provider name). Fields come in
 * metadata order with struct members after their struct; the schema model
 * wants TDH order (top level first), so fields are re-laid breadth first.
 * Layout: docs/schema-decoding.md §3, docs/etl-layout.md#extended-items.
 */
#include <string.h>

#include "schema.h"
#include "util/bytes.h"
#include "util/error.h"

enum {
	TL_IN_TYPE_MASK = 0x1f,
	TL_IN_FLAG_MASK = 0x60,
	TL_IN_CCOUNT = 0x20, /* constant count: u16 in the metadata */
	TL_IN_VCOUNT = 0x40, /* variable count: u16 before the elements in the payload */
	TL_IN_CUSTOM = 0x60, /* custom schema: u16 size + bytes in the metadata */
	TL_CHAIN = 0x80,
	TL_MAX_TAG_BYTES = 4,
	TL_IN_STRUCT = 24,
	TL_IN_MAX = 26,
};

struct tl_field {
	const char *name;
	size_t name_len;
	uint8_t in;
	uint8_t out;
	uint8_t flags;
	uint16_t count;
	uint16_t members; /* structs */
};

/* TraceLogging out types (TlgOut_t) to TDH out types. */
static uint16_t
tl_out_to_tdh(uint8_t out)
{
	switch (out) {
	case 2: return TDH_OUT_STRING;
	case 3: return TDH_OUT_BOOLEAN;
	case 4: return TDH_OUT_HEXINT64; /* "hex": width from the in type */
	case 5: return TDH_OUT_PID;
	case 6: return TDH_OUT_TID;
	case 7: return TDH_OUT_PORT;
	case 8: return TDH_OUT_IPV4;
	case 9: return TDH_OUT_IPV6;
	case 13: return TDH_OUT_WIN32ERROR;
	case 14: return TDH_OUT_NTSTATUS;
	case 15: return TDH_OUT_HRESULT;
	case 16: return TDH_OUT_DATETIME;
	case 35: return TDH_OUT_UTF8;
	case 37: return TDH_OUT_CODEPOINTER;
	case 38: return TDH_OUT_DATETIME_UTC;
	default: return TDH_OUT_NULL; /* NOPRINT, XML, JSON, SIGNED, UNSIGNED: as the in type */
	}
}

/* TraceLogging in types to the TDH in type the value decoder reads. */
static uint16_t
tl_in_to_tdh(uint8_t in)
{
	switch (in) {
	case 14: return TDH_IN_MANIFEST_COUNTEDBINARY; /* TraceLogging binary is u16-counted */
	case 22: return TDH_IN_COUNTEDSTRING;
	case 23: return TDH_IN_COUNTEDANSISTRING;
	case 25: return TDH_IN_MANIFEST_COUNTEDBINARY;
	default: return in;
	}
}

/* Read a NUL-terminated UTF-8 string within [*p, end). */
static const char *
take_cstr(const uint8_t **p, const uint8_t *end, size_t *len)
{
	const uint8_t *nul = memchr(*p, 0, (size_t)(end - *p));
	const char *s = (const char *)*p;

	if (!nul)
		return NULL;
	*len = (size_t)(nul - *p);
	*p = nul + 1;
	return s;
}

const char *
tracelogging_provider_name(const uint8_t *traits, size_t size)
{
	size_t total;

	if (!traits || size < 3)
		return NULL;
	total = le16_load(traits);
	if (total < 3 || total > size)
		return NULL;
	if (!memchr(traits + 2, 0, total - 2))
		return NULL;
	return (const char *)traits + 2;
}

/* Index after the subtree of field @p j; SIZE_MAX when it runs past @p n or too deep. */
static size_t
subtree_end(const struct tl_field *f, size_t n, size_t j, unsigned depth)
{
	size_t k = j + 1;

	if (depth > SCHEMA_MAX_DEPTH)
		return SIZE_MAX;
	if (f[j].in != TL_IN_STRUCT)
		return k;
	for (uint16_t m = 0; m < f[j].members; m++) {
		if (k >= n)
			return SIZE_MAX;
		k = subtree_end(f, n, k, depth + 1);
		if (k == SIZE_MAX)
			return k;
	}
	return k;
}

static bool
copy_field(struct schema_arena *arena, const struct tl_field *t, struct schema_prop *p)
{
	p->name = schema_arena_strndup(arena, t->name, t->name_len);
	if (!p->name)
		return false;
	if (t->in == TL_IN_STRUCT) {
		p->flags = SCHEMA_PROP_STRUCT;
		p->struct_members = t->members;
	} else {
		p->in_type = tl_in_to_tdh(t->in);
		p->out_type = tl_out_to_tdh(t->out);
	}
	if (t->flags == TL_IN_CCOUNT) {
		p->flags |= SCHEMA_PROP_FIXED_COUNT;
		p->count = t->count;
	} else if (t->flags == TL_IN_VCOUNT) {
		p->flags |= SCHEMA_PROP_TL_VCOUNT;
	}
	return true;
}

/* One field's metadata at *pp: name, in type (+ flags), out type and tags,
 * count; advances *pp. @p index and @p ev_name only name it in errors. */
static enum alpcscope_status
tl_read_field(const uint8_t **pp, const uint8_t *end, const char *ev_name, size_t index,
	      struct tl_field *t, struct alpcscope_error *err)
{
	unsigned tags;
	uint8_t in;

	memset(t, 0, sizeof(*t));
	t->name = take_cstr(pp, end, &t->name_len);
	if (!t->name || *pp >= end)
		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "TraceLogging metadata %s: field %zu truncated", ev_name, index);
	if (t->name_len >= SCHEMA_MAX_NAME)
		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "TraceLogging metadata %s: field name over %d bytes", ev_name,
				 SCHEMA_MAX_NAME);
	in = *(*pp)++;
	t->in = in & TL_IN_TYPE_MASK;
	t->flags = in & TL_IN_FLAG_MASK;
	if (t->in == 0 || t->in >= TL_IN_MAX)
		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "TraceLogging metadata %s: field %s: unknown in type %u", ev_name,
				 t->name, t->in);
	if (in & TL_CHAIN) {
		uint8_t o;

		if (*pp >= end)
			return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
					 "TraceLogging metadata %s: field %s: out type "
					 "truncated",
					 ev_name, t->name);
		o = *(*pp)++;
		t->out = o & 0x7f;
		if (o & TL_CHAIN) {
			tags = 0;
			do {
				if (*pp >= end || ++tags > TL_MAX_TAG_BYTES)
					return error_set(
					    err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
					    "TraceLogging metadata %s: field %s: bad tags", ev_name,
					    t->name);
			} while (*(*pp)++ & TL_CHAIN);
		}
	}
	if (t->flags == TL_IN_CCOUNT || t->flags == TL_IN_CUSTOM) {
		if (end - *pp < 2)
			return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
					 "TraceLogging metadata %s: field %s: count "
					 "truncated",
					 ev_name, t->name);
		t->count = le16_load(*pp);
		*pp += 2;
	}
	if (t->flags == TL_IN_CUSTOM) {
		/* Custom-serialized field: its schema is opaque; the payload holds a
		 * u16 size and the bytes, read as counted binary. */
		if ((size_t)(end - *pp) < t->count)
			return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
					 "TraceLogging metadata %s: field %s: custom "
					 "schema truncated",
					 ev_name, t->name);
		*pp += t->count;
		t->in = 25;
		t->flags = 0;
		t->count = 0;
	}
	if (t->in == TL_IN_STRUCT) {
		t->members = t->out;
		t->out = 0;
		if (t->members == 0)
			return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
					 "TraceLogging metadata %s: struct %s has no members",
					 ev_name, t->name);
	}
	return ALPCSCOPE_OK;
}

/* Breadth-first re-layout of the @p n fields (@p top of them top level) into
 * ev->props: each sibling run gets a contiguous block, as TDH orders them. */
static enum alpcscope_status
tl_relayout(struct schema_arena *arena, const struct tl_field *f, size_t n, size_t top,
	    struct schema_event *ev, struct alpcscope_error *err)
{
	struct {
		size_t src, count, dst;
	} queue[SCHEMA_MAX_PROPS];
	size_t qn = 0, next_free;

	queue[qn].src = 0;
	queue[qn].count = top;
	queue[qn].dst = 0;
	qn++;
	next_free = top;
	for (size_t qi = 0; qi < qn; qi++) {
		size_t src = queue[qi].src;

		for (size_t s = 0; s < queue[qi].count; s++) {
			struct schema_prop *dp = &ev->props[queue[qi].dst + s];

			if (!copy_field(arena, &f[src], dp))
				return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
						 "TraceLogging metadata: out of memory");
			if (f[src].in == TL_IN_STRUCT) {
				dp->struct_start = (uint16_t)next_free;
				queue[qn].src = src + 1;
				queue[qn].count = f[src].members;
				queue[qn].dst = next_free;
				qn++;
				next_free += f[src].members;
			}
			src = subtree_end(f, n, src, 1);
		}
	}
	return ALPCSCOPE_OK;
}

enum alpcscope_status
tracelogging_parse(struct schema_arena *arena, const uint8_t *meta, size_t meta_size,
		   const struct alpcscope_guid *provider, const char *provider_name,
		   struct schema_event **out, struct alpcscope_error *err)
{
	struct tl_field f[SCHEMA_MAX_PROPS];
	const uint8_t *p, *end;
	const char *ev_name;
	size_t n = 0, top = 0, k, name_len, total;
	struct schema_event *ev;
	enum alpcscope_status st;
	unsigned tags = 0;

	*out = NULL;
	if (!meta || meta_size < 3)
		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "TraceLogging metadata: %zu bytes, too short", meta_size);
	total = le16_load(meta);
	if (total < 3 || total > meta_size)
		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "TraceLogging metadata: size %zu outside [3, %zu]", total,
				 meta_size);
	p = meta + 2;
	end = meta + total;
	/* Event tag bytes: continue while the high bit is set. */
	do {
		if (p >= end || ++tags > TL_MAX_TAG_BYTES)
			return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
					 "TraceLogging metadata: bad event tag bytes");
	} while (*p++ & TL_CHAIN);
	ev_name = take_cstr(&p, end, &name_len);
	if (!ev_name)
		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "TraceLogging metadata: event name not terminated");
	while (p < end) {
		if (n == SCHEMA_MAX_PROPS)
			return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
					 "TraceLogging metadata %s: more than %d fields", ev_name,
					 SCHEMA_MAX_PROPS);
		st = tl_read_field(&p, end, ev_name, n, &f[n], err);
		if (st != ALPCSCOPE_OK)
			return st;
		n++;
	}

	/* Top-level fields, skipping struct subtrees. */
	for (k = 0; k < n; top++) {
		k = subtree_end(f, n, k, 1);
		if (k == SIZE_MAX)
			return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
					 "TraceLogging metadata %s: struct members missing or "
					 "nested deeper than %d",
					 ev_name, SCHEMA_MAX_DEPTH);
	}

	ev = schema_arena_alloc(arena, sizeof(*ev));
	if (!ev || (n && !(ev->props = schema_arena_alloc(arena, n * sizeof(*ev->props)))))
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
				 "TraceLogging metadata: out of memory");
	ev->provider = *provider;
	ev->source = ALPCSCOPE_SCHEMA_TRACELOGGING;
	ev->prop_count = (uint16_t)n;
	ev->top_count = (uint16_t)top;
	ev->event_name = schema_arena_strndup(arena, ev_name, name_len);
	ev->provider_name = provider_name ? schema_arena_strdup(arena, provider_name) : NULL;
	if (!ev->event_name || (provider_name && !ev->provider_name))
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
				 "TraceLogging metadata: out of memory");

	st = tl_relayout(arena, f, n, top, ev, err);
	if (st != ALPCSCOPE_OK)
		return st;
	*out = ev;
	return schema_event_finish(arena, ev, err);
}
