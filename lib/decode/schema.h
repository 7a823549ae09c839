/* SPDX-License-Identifier: MIT */
/*
 * The in-memory schema model shared by the three schema sources
 * (instrumentation manifests, embedded TRACE_EVENT_INFO metadata and
 * TraceLogging self-describing metadata) and the value decoder that turns a
 * payload into named, typed fields with it. Property layout follows TDH's
 * TRACE_EVENT_INFO: top-level properties are 0..top_count-1, a struct's
 * members are a run of later indices. Types are TDH in/out types; the
 * TraceLogging parser translates its own out types to TDH's.
 * Reference: docs/schema-decoding.md.
 */
#ifndef ALPCSCOPE_DECODE_SCHEMA_H
#define ALPCSCOPE_DECODE_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alpcscope/decode.h"
#include "alpcscope/schema.h"

/* Named limits against hostile schemas and payloads. */
enum {
	SCHEMA_MAX_PROPS = 1024,       /* properties of one event */
	SCHEMA_MAX_DEPTH = 8,          /* struct nesting */
	SCHEMA_MAX_MAP_ENTRIES = 4096, /* entries of one value map */
	SCHEMA_MAX_FIELDS = 1024,      /* fields emitted for one event */
	SCHEMA_MAX_NAME = 256,         /* bytes of one (dotted) name */
	SCHEMA_MAX_TL_CACHE = 8192,    /* cached TraceLogging schemas before a flush */
};

/* TDH input types (tdh.h TDH_IN_TYPE). */
enum schema_in_type {
	TDH_IN_NULL = 0,
	TDH_IN_UNICODESTRING = 1,
	TDH_IN_ANSISTRING = 2,
	TDH_IN_INT8 = 3,
	TDH_IN_UINT8 = 4,
	TDH_IN_INT16 = 5,
	TDH_IN_UINT16 = 6,
	TDH_IN_INT32 = 7,
	TDH_IN_UINT32 = 8,
	TDH_IN_INT64 = 9,
	TDH_IN_UINT64 = 10,
	TDH_IN_FLOAT = 11,
	TDH_IN_DOUBLE = 12,
	TDH_IN_BOOLEAN = 13,
	TDH_IN_BINARY = 14,
	TDH_IN_GUID = 15,
	TDH_IN_POINTER = 16,
	TDH_IN_FILETIME = 17,
	TDH_IN_SYSTEMTIME = 18,
	TDH_IN_SID = 19,
	TDH_IN_HEXINT32 = 20,
	TDH_IN_HEXINT64 = 21,
	TDH_IN_MANIFEST_COUNTEDSTRING = 22,
	TDH_IN_MANIFEST_COUNTEDANSISTRING = 23,
	TDH_IN_STRUCT_TL = 24, /* TraceLogging only: a struct */
	TDH_IN_MANIFEST_COUNTEDBINARY = 25,
	TDH_IN_COUNTEDSTRING = 300,
	TDH_IN_COUNTEDANSISTRING = 301,
	TDH_IN_REVERSEDCOUNTEDSTRING = 302,
	TDH_IN_REVERSEDCOUNTEDANSISTRING = 303,
	TDH_IN_NONNULLTERMINATEDSTRING = 304,
	TDH_IN_NONNULLTERMINATEDANSISTRING = 305,
	TDH_IN_UNICODECHAR = 306,
	TDH_IN_ANSICHAR = 307,
	TDH_IN_SIZET = 308,
	TDH_IN_HEXDUMP = 309,
	TDH_IN_WBEMSID = 310,
};

/* TDH output types used for rendering (tdh.h TDH_OUT_TYPE). */
enum schema_out_type {
	TDH_OUT_NULL = 0,
	TDH_OUT_STRING = 1,
	TDH_OUT_DATETIME = 2,
	TDH_OUT_BOOLEAN = 13,
	TDH_OUT_HEXBINARY = 15,
	TDH_OUT_HEXINT8 = 16,
	TDH_OUT_HEXINT16 = 17,
	TDH_OUT_HEXINT32 = 18,
	TDH_OUT_HEXINT64 = 19,
	TDH_OUT_PID = 20,
	TDH_OUT_TID = 21,
	TDH_OUT_PORT = 22,
	TDH_OUT_IPV4 = 23,
	TDH_OUT_IPV6 = 24,
	TDH_OUT_ERRORCODE = 29,
	TDH_OUT_WIN32ERROR = 30,
	TDH_OUT_NTSTATUS = 31,
	TDH_OUT_HRESULT = 32,
	TDH_OUT_UTF8 = 35,
	TDH_OUT_CODEPOINTER = 37,
	TDH_OUT_DATETIME_UTC = 38,
};

/* schema_prop.flags (TDH PROPERTY_FLAGS values, plus our own above 0x1000). */
enum {
	SCHEMA_PROP_STRUCT = 0x1,
	SCHEMA_PROP_PARAM_LENGTH = 0x2, /* length = value of property @c length */
	SCHEMA_PROP_PARAM_COUNT = 0x4,  /* count = value of property @c count */
	SCHEMA_PROP_FIXED_LENGTH = 0x10,
	SCHEMA_PROP_FIXED_COUNT = 0x20,
	SCHEMA_PROP_TL_VCOUNT = 0x1000, /* TraceLogging: u16 count precedes the elements */
	SCHEMA_PROP_ARRAY =
	    SCHEMA_PROP_PARAM_COUNT | SCHEMA_PROP_FIXED_COUNT | SCHEMA_PROP_TL_VCOUNT,
};

struct schema_map_entry {
	uint32_t value;
	const char *name;
};

/* A value map (manifest <valueMap>/<bitMap>, EVENT_MAP_INFO). */
struct schema_map {
	const char *name;
	struct alpcscope_guid provider;
	bool is_bitmap;
	size_t count;
	struct schema_map_entry *entries;
	struct schema_map *next;
};

struct schema_prop {
	const char *name; /* full name: struct members are "Parent.Member" */
	uint32_t flags;
	uint16_t in_type;
	uint16_t out_type;
	uint16_t count;  /* fixed count, or index of the count property */
	uint16_t length; /* fixed length, or index of the length property */
	uint16_t struct_start;
	uint16_t struct_members;
	const char *map_name;         /* NULL: no map */
	const struct schema_map *map; /* resolved when the event is registered */
};

/* One event layout, whatever its source. */
struct schema_event {
	struct alpcscope_guid provider; /* provider GUID, or event class GUID (by_opcode) */
	uint16_t id;                    /* event id, or opcode when by_opcode */
	uint8_t version;
	bool by_opcode; /* classic/MOF: keyed by (class GUID, opcode, version) */
	enum alpcscope_schema_source source;
	const char *provider_name; /* may be NULL */
	const char *event_name;    /* may be NULL */
	const char *display_name;  /* "Provider/Event" for dump, never NULL once registered */
	uint16_t prop_count;
	uint16_t top_count;
	struct schema_prop *props;
	struct schema_event *next; /* hash chain */
};

/* Bump allocator: blocks are kept until the owner is freed or reset. */
struct schema_arena {
	struct schema_arena_block *head;
	struct schema_arena_block *cur;
	size_t used; /* in cur */
};

void *schema_arena_alloc(struct schema_arena *a, size_t size);
char *schema_arena_strdup(struct schema_arena *a, const char *s);
char *schema_arena_strndup(struct schema_arena *a, const char *s, size_t n);
/* Forget everything but keep the blocks for reuse. */
void schema_arena_reset(struct schema_arena *a);
void schema_arena_free(struct schema_arena *a);

/*
 * Check a parsed event (indices in range, structs point forward, depth and
 * name limits), give struct members their dotted names, resolve value maps
 * against @p set, and add it (copied into the set's arena by the parsers
 * already). A later event with the same key replaces the earlier one.
 */
enum alpcscope_status schema_set_add_event(struct alpcscope_schema_set *set,
					   struct schema_event *ev, struct alpcscope_error *err);
/* Validation and naming without registering (used for TraceLogging's cache). */
enum alpcscope_status schema_event_finish(struct schema_arena *arena, struct schema_event *ev,
					  struct alpcscope_error *err);
struct schema_arena *schema_set_arena(struct alpcscope_schema_set *set);
enum alpcscope_status schema_set_add_map(struct alpcscope_schema_set *set, struct schema_map *map,
					 struct alpcscope_error *err);
const struct schema_event *schema_set_find(const struct alpcscope_schema_set *set,
					   const struct alpcscope_guid *provider, uint16_t id,
					   uint8_t version, bool by_opcode);

/* Parsers (one file each). Strings and arrays go into @p arena. */
enum alpcscope_status tracelogging_parse(struct schema_arena *arena, const uint8_t *meta,
					 size_t meta_size, const struct alpcscope_guid *provider,
					 const char *provider_name, struct schema_event **out,
					 struct alpcscope_error *err);
/* Provider name from a PROV_TRAITS item, or NULL when malformed. */
const char *tracelogging_provider_name(const uint8_t *traits, size_t size);

enum alpcscope_status event_info_parse(struct alpcscope_schema_set *set, const uint8_t *blob,
				       size_t size, struct alpcscope_error *err);
enum alpcscope_status event_map_info_parse(struct alpcscope_schema_set *set, const uint8_t *data,
					   size_t size, struct alpcscope_error *err);

enum alpcscope_status manifest_parse(struct alpcscope_schema_set *set, const char *xml, size_t size,
				     const char *origin, struct alpcscope_error *err);

/* ---- decoder side (schema_decode.c) ---- */

struct alpcscope_decoder;
struct schema_state;

/*
 * If @p ev has a schema (TraceLogging items, the attached set, or metadata
 * seen earlier in the trace), decode it into dec->out as
 * ALPCSCOPE_DECODED_SCHEMA. Also learns from KernelTraceControl EventMetadata
 * events. Returns ALPCSCOPE_OK (decoded, or no schema: kind untouched),
 * ALPCSCOPE_E_CORRUPT with *why set (payload does not fit the schema),
 * or ALPCSCOPE_E_NOMEM.
 */
enum alpcscope_status schema_decode(struct alpcscope_decoder *dec, const struct alpcscope_event *ev,
				    const char **why);
void schema_state_free(struct schema_state *st);

#endif
