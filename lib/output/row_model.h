/* SPDX-License-Identifier: MIT */
/*
 * One row model per report: a table of columns (name in each format, type,
 * where the value sits in the report's row struct, which formats show it)
 * that the JSON, JSON lines, CSV and XML emitters below all walk. A new
 * column is one table line, and the formats cannot drift apart: a value is
 * taken from the row once and each format writes it by its type. Column
 * names and meanings: docs/output-schema.md.
 *
 * The emitters are the writers' fast path: they append to one reusable
 * strbuf (no json-c tree, no printf per field, no allocation per row once
 * the buffer has grown), numbers formatted by hand (model_output.c).
 */
#ifndef ALPCSCOPE_OUTPUT_ROW_MODEL_H
#define ALPCSCOPE_OUTPUT_ROW_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output/model_output.h"
#include "output/xml_util.h"
#include "util/strbuf.h"

/*
 * What a cell holds and so how each format writes it. "No value" is JSON
 * null (or no key with RM_OMIT_NULL), an empty CSV cell and no XML Data
 * element.
 */
enum rm_type {
	RM_U32,      /* uint32_t, decimal */
	RM_U64,      /* uint64_t, decimal */
	RM_I64,      /* int64_t, decimal */
	RM_OPT_U32,  /* uint32_t; ALPCSCOPE_NONE (== ALPCSCOPE_ID_UNKNOWN): no value */
	RM_OPT_U64,  /* uint64_t; UINT64_MAX: no value */
	RM_HEX32,    /* uint32_t as "0x1f" (a JSON string) */
	RM_TIME,     /* int64_t FILETIME as ISO-8601 UTC, "-" for 0 (a JSON string) */
	RM_LATENCY,  /* int64_t 100 ns as microseconds with one decimal; negative: no value */
	RM_WORD,     /* const char *: one of the program's own ASCII words (kind, role) */
	RM_TEXT,     /* const char *: untrusted text; NULL: no value */
	RM_LABEL,    /* uint32_t process index as its label, "?" for none */
	RM_PORT,     /* uint32_t port index as its name; no name: no value */
	RM_EVIDENCE, /* uint16_t evidence bits joined with '+', "-" for none */
	RM_STACK,    /* uint32_t stack index: JSON frame array, CSV/XML frames on one line */
	RM_FRAMES,   /* uint32_t stack index: JSON array of symbolized frame objects */
	RM_GROUP,    /* a struct rm_group: a JSON object, prefixed CSV/XML columns */
	RM_CUSTOM,   /* written by the column's struct rm_custom functions */
};

/* Where a column is shown: the output format... */
enum {
	RM_JSON = 1u << 0,  /* the JSON document */
	RM_JSONL = 1u << 1, /* JSON lines */
	RM_CSV = 1u << 2,
	RM_XML = 1u << 3,
	RM_ALL = RM_JSON | RM_JSONL | RM_CSV | RM_XML,
	RM_ANY_JSON = RM_JSON | RM_JSONL,
};

/* ...and the conditions a column needs (all of them): struct rm_ctx.conds. */
enum {
	RM_IF_STACKS = 1u << 0,  /* --stacks */
	RM_IF_SYMBOLS = 1u << 1, /* a symbolizer is set */
	RM_IF_SITE = 1u << 2,    /* --stacks or a symbolizer: call sites */
	RM_IF_RPC = 1u << 3,     /* the trace has RPC or WMI events: rpc/wmi cells */
	RM_IF_TREE = 1u << 4,    /* a nested chain tree, not flat rows */
};

/* Column flags. */
enum {
	RM_OMIT_NULL = 1u << 0, /* JSON: no key at all when there is no value */
};

struct rm_ctx;
struct rm_column;
struct rm_plan;

/*
 * A column whose cells no type above describes: one function per format,
 * given the value at the column's offset in the row (offset 0: the row).
 */
struct rm_custom {
	/* Append the JSON value; false when there is none (the key is then dropped). */
	bool (*json)(struct rm_ctx *ctx, struct strbuf *sb, const void *value);
	/* Append the CSV cell (may be empty). */
	void (*csv)(struct rm_ctx *ctx, struct strbuf *sb, const void *value);
	/* Write the XML Data elements, if any. */
	void (*xml)(struct rm_ctx *ctx, struct xml_out *x, const void *value);
};

struct rm_table {
	const struct rm_column *columns;
	size_t count;
};

/* The value of an RM_GROUP column: the sub-row and whether it has a value. */
struct rm_group_value {
	bool present;
};

struct rm_column {
	const char *name; /* JSON key; CSV header unless csv is set */
	const char *jkey; /* ",\"name\":" */
	uint8_t jkey_len;
	const char *csv; /* CSV header when it differs from name */
	const char *xml; /* XML Data Name (RM_XML) or prefix (RM_GROUP) */
	uint8_t type;    /* enum rm_type */
	uint8_t formats; /* RM_JSON ... */
	uint8_t needs;   /* RM_IF_* */
	uint8_t flags;   /* RM_OMIT_NULL */
	uint16_t when;   /* row kinds it applies to (0: every row); others: no key / empty cells */
	uint16_t offset; /* of the value in the row struct */
	const void *sub; /* RM_GROUP: struct rm_table (offsets from the group value), RM_CUSTOM:
			    struct rm_custom */
};

/* The longest ",\"key\":" a column may have. */
#define RM_KEY_MAX 48

/* Key, column name and value position: RM_COL("client_pid", struct row, client_pid). */
/* (a key longer than RM_KEY_MAX is a compile error: an array of negative size) */
#define RM_KEY(n)                                                                                  \
	.name = n, .jkey = ",\"" n "\":",                                                          \
	.jkey_len = sizeof(",\"" n "\":") - 1 +                                                    \
		    0 * sizeof(char[sizeof(",\"" n "\":") <= RM_KEY_MAX ? 1 : -1])
#define RM_AT(type, member) .offset = (uint16_t)offsetof(type, member)
#define RM_TABLE(cols)                                                                             \
	{                                                                                          \
		cols, sizeof(cols) / sizeof(cols[0])                                               \
	}

/* A table compiled for one write: only the columns shown, keys ready to copy. */
struct rm_step {
	char key[RM_KEY_MAX]; /* ",\"name\":", NUL-padded: copied whole */
	uint8_t key_len;
	const struct rm_column *col;
	const struct rm_plan *sub; /* RM_GROUP */
};
struct rm_plan {
	const struct rm_table *table;
	uint32_t count;
	struct rm_step *steps;
};

#define RM_MAX_PLANS      8
#define RM_EVIDENCE_SLOTS 16

/* Per-write state of the emitters. */
struct rm_ctx {
	struct mo_cache *c;
	unsigned format;    /* one of RM_JSON, RM_JSONL, RM_CSV, RM_XML */
	unsigned conds;     /* RM_IF_* that hold */
	struct strbuf cell; /* one XML value */
	struct rm_plan plans[RM_MAX_PLANS];
	uint32_t nplans;
	/* evidence texts ("same-id+wait-for-reply") by their bits, direct-mapped */
	struct rm_evidence {
		int32_t bits; /* -1: empty */
		uint16_t len;
		char text[238];
	} evidence[RM_EVIDENCE_SLOTS];
};

/* Whether @p col is shown in this write (format and conditions; not the row kind). */
static inline bool
rm_shown(const struct rm_ctx *ctx, const struct rm_column *col)
{
	return (col->formats & ctx->format) && !(col->needs & ~ctx->conds);
}

/* The RM_JSON ... bit of an output format; 0 for text, XML and mermaid layouts of their own. */
unsigned rm_format(enum alpcscope_output_format f);

void rm_ctx_init(struct rm_ctx *ctx, struct mo_cache *c, unsigned format, unsigned conds);
void rm_ctx_free(struct rm_ctx *ctx);

/*
 * The fields of @p row as one JSON object without its closing brace (callers
 * may add members, then close it). @p when: the row's kind bits (struct
 * rm_column.when). Out of memory sets sb->oom.
 */
void rm_json_object(struct rm_ctx *ctx, struct strbuf *sb, const struct rm_table *t,
		    const void *row, unsigned when);
/* The CSV header names (no newline) and one row's cells (no newline). */
void rm_csv_header(struct rm_ctx *ctx, struct strbuf *sb, const struct rm_table *t);
void rm_csv_cells(struct rm_ctx *ctx, struct strbuf *sb, const struct rm_table *t, const void *row,
		  unsigned when);
/* The row's Data elements of the XML event. */
void rm_xml_data(struct rm_ctx *ctx, struct xml_out *x, const struct rm_table *t, const void *row,
		 unsigned when);
/* <Data Name="name">value</Data> (value: untrusted, sanitised). */
void rm_xml_data_text(struct xml_out *x, const char *name, const char *value);

#endif
