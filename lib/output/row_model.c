/* SPDX-License-Identifier: MIT */
/* The column-table emitters of the report writers: see row_model.h. */
#include "output/row_model.h"

#include <alpcscope/model.h>
#include <alpcscope/symbols.h>

#include <stdlib.h>
#include <string.h>

unsigned
rm_format(enum alpcscope_output_format f)
{
	switch (f) {
	case ALPCSCOPE_OUTPUT_JSON: return RM_JSON;
	case ALPCSCOPE_OUTPUT_JSONL: return RM_JSONL;
	case ALPCSCOPE_OUTPUT_CSV: return RM_CSV;
	case ALPCSCOPE_OUTPUT_XML: return RM_XML;
	default: return 0;
	}
}

void
rm_ctx_init(struct rm_ctx *ctx, struct mo_cache *c, unsigned format, unsigned conds)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->c = c;
	ctx->format = format;
	ctx->conds = conds;
	for (int i = 0; i < RM_EVIDENCE_SLOTS; i++)
		ctx->evidence[i].bits = -1;
}

void
rm_ctx_free(struct rm_ctx *ctx)
{
	for (uint32_t i = 0; i < ctx->nplans; i++)
		free(ctx->plans[i].steps);
	strbuf_free(&ctx->cell);
}

static const void *
at(const void *row, const struct rm_column *col)
{
	return (const char *)row + col->offset;
}

#define U32_AT(row, col) (*(const uint32_t *)at(row, col))
#define U64_AT(row, col) (*(const uint64_t *)at(row, col))
#define I64_AT(row, col) (*(const int64_t *)at(row, col))
#define STR_AT(row, col) (*(const char *const *)at(row, col))

/* Whether the cell of @p col in @p row has no value (JSON null). */
static bool
no_value(const void *row, const struct rm_column *col)
{
	switch ((enum rm_type)col->type) {
	case RM_OPT_U32: return U32_AT(row, col) == ALPCSCOPE_NONE;
	case RM_OPT_U64: return U64_AT(row, col) == UINT64_MAX;
	case RM_LATENCY: return I64_AT(row, col) < 0;
	case RM_TEXT: return !STR_AT(row, col);
	case RM_PORT: return U32_AT(row, col) == ALPCSCOPE_NONE;
	case RM_GROUP: return !((const struct rm_group_value *)at(row, col))->present;
	default: return false;
	}
}

static bool
applies(const struct rm_column *col, unsigned when)
{
	return !col->when || (col->when & when);
}

/* ---- plans: a table compiled for this write ---- */

static const struct rm_plan *
plan_for(struct rm_ctx *ctx, const struct rm_table *t)
{
	for (uint32_t i = 0; i < ctx->nplans; i++)
		if (ctx->plans[i].table == t)
			return &ctx->plans[i];
	if (ctx->nplans == RM_MAX_PLANS)
		return NULL;
	struct rm_plan *pl = &ctx->plans[ctx->nplans];
	size_t n = 0;

	pl->steps = calloc(t->count ? t->count : 1, sizeof(*pl->steps));
	if (!pl->steps)
		return NULL;
	pl->table = t;
	ctx->nplans++;
	for (size_t i = 0; i < t->count; i++) {
		const struct rm_column *col = &t->columns[i];
		struct rm_step *st = &pl->steps[n];

		if (!rm_shown(ctx, col))
			continue;
		memcpy(st->key, col->jkey, col->jkey_len);
		st->key_len = col->jkey_len;
		st->col = col;
		if (col->type == RM_GROUP && !(st->sub = plan_for(ctx, col->sub)))
			return NULL;
		n++;
	}
	pl->count = (uint32_t)n;
	return pl;
}

/* Room for a key and any fixed-size value; false (oom set) when the buffer cannot grow. */
static inline bool
room(struct strbuf *sb)
{
	return sb->len + 128 <= sb->cap || strbuf_reserve(sb, 128);
}

/* ---- JSON ---- */

static void json_members(struct rm_ctx *ctx, struct strbuf *sb, const struct rm_plan *pl,
			 const void *row, unsigned when, bool *any);

static void
json_group(struct rm_ctx *ctx, struct strbuf *sb, const struct rm_plan *pl, const void *row,
	   unsigned when)
{
	size_t open = sb->len;
	bool any = false;

	json_members(ctx, sb, pl, row, when, &any);
	if (any && !sb->oom)
		sb->data[open] = '{'; /* in place of the first member's comma */
	else
		mo_putc(sb, '{');
	mo_putc(sb, '}');
}

static void
put_evidence(struct rm_ctx *ctx, struct strbuf *sb, uint16_t bits)
{
	struct rm_evidence *e =
	    &ctx->evidence[(bits ^ (bits >> 4) ^ (bits >> 8)) % RM_EVIDENCE_SLOTS];

	if (e->bits != bits) {
		struct strbuf t = {0};

		mo_sb_evidence(&t, bits);
		if (t.oom || t.len >= sizeof(e->text)) {
			strbuf_free(&t);
			mo_sb_evidence(sb, bits);
			return;
		}
		memcpy(e->text, t.data, t.len);
		e->len = (uint16_t)t.len;
		e->bits = bits;
		strbuf_free(&t);
	}
	mo_put(sb, e->text, e->len);
}

/* The JSON value of a cell that has one (room() was checked). */
static void
json_value(struct rm_ctx *ctx, struct strbuf *sb, const struct rm_step *st, const void *row)
{
	const struct rm_column *col = st->col;
	char *p = sb->data + sb->len;

	switch ((enum rm_type)col->type) {
	case RM_U32:
	case RM_OPT_U32: sb->len = (size_t)(mo_fmt_u64(p, U32_AT(row, col)) - sb->data); break;
	case RM_U64:
	case RM_OPT_U64: sb->len = (size_t)(mo_fmt_u64(p, U64_AT(row, col)) - sb->data); break;
	case RM_I64: {
		int64_t v = I64_AT(row, col);

		if (v < 0)
			*p++ = '-';
		p = mo_fmt_u64(p, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
		sb->len = (size_t)(p - sb->data);
		break;
	}
	case RM_HEX32:
		*p++ = '"';
		p = mo_fmt_hex64(p, U32_AT(row, col));
		*p++ = '"';
		sb->len = (size_t)(p - sb->data);
		break;
	case RM_TIME:
		sb->data[sb->len++] = '"';
		mo_sb_time(ctx->c, sb, I64_AT(row, col));
		mo_putc(sb, '"');
		break;
	case RM_LATENCY: {
		int64_t l = I64_AT(row, col);

		p = mo_fmt_u64(p, (uint64_t)(l / 10));
		*p++ = '.';
		*p++ = (char)('0' + l % 10);
		sb->len = (size_t)(p - sb->data);
		break;
	}
	case RM_WORD:
		mo_putc(sb, '"');
		mo_puts(sb, STR_AT(row, col));
		mo_putc(sb, '"');
		break;
	case RM_TEXT: mo_sb_jstr(sb, STR_AT(row, col)); break;
	case RM_LABEL: mo_sb_jlabel(ctx->c, sb, U32_AT(row, col)); break;
	case RM_PORT: {
		size_t n;
		const char *j = mo_port_json(ctx->c, U32_AT(row, col), &n);

		if (j)
			mo_put(sb, j, n);
		else
			mo_sb_jstr(sb, alpcscope_model_port_name(ctx->c->m, U32_AT(row, col)));
		break;
	}
	case RM_EVIDENCE:
		mo_putc(sb, '"');
		put_evidence(ctx, sb, *(const uint16_t *)at(row, col));
		mo_putc(sb, '"');
		break;
	case RM_STACK: mo_sb_jstack(ctx->c, sb, U32_AT(row, col)); break;
	case RM_FRAMES: mo_sb_jframes(ctx->c, sb, U32_AT(row, col)); break;
	case RM_GROUP: json_group(ctx, sb, st->sub, at(row, col), 0); break;
	case RM_CUSTOM: break; /* json_members() */
	}
}

/* Members, each with a leading comma (an object's opener overwrites the first). */
static void
json_members(struct rm_ctx *ctx, struct strbuf *sb, const struct rm_plan *pl, const void *row,
	     unsigned when, bool *any)
{
	for (uint32_t i = 0; i < pl->count; i++) {
		const struct rm_step *st = &pl->steps[i];
		const struct rm_column *col = st->col;

		if (col->when && !(col->when & when))
			continue;
		bool none = no_value(row, col);

		if (none && (col->flags & RM_OMIT_NULL))
			continue;
		if (!room(sb))
			return;
		size_t mark = sb->len;

		/* the whole padded key: a fixed-size copy, then only its length counts */
		memcpy(sb->data + sb->len, st->key, RM_KEY_MAX);
		sb->len += st->key_len;
		if (col->type == RM_CUSTOM) {
			sb->data[sb->len] = '\0';
			if (!((const struct rm_custom *)col->sub)->json(ctx, sb, at(row, col))) {
				sb->len = mark; /* no value: no key */
				sb->data[mark] = '\0';
				continue;
			}
		} else if (none) {
			memcpy(sb->data + sb->len, "null", 4);
			sb->len += 4;
		} else {
			json_value(ctx, sb, st, row);
		}
		*any = true;
	}
}

void
rm_json_object(struct rm_ctx *ctx, struct strbuf *sb, const struct rm_table *t, const void *row,
	       unsigned when)
{
	const struct rm_plan *pl = plan_for(ctx, t);
	size_t open = sb->len;
	bool any = false;

	if (!pl) {
		sb->oom = true;
		return;
	}
	json_members(ctx, sb, pl, row, when, &any);
	if (any && !sb->oom)
		sb->data[open] = '{'; /* in place of the first member's comma */
	else
		mo_putc(sb, '{');
	if (sb->data && sb->len < sb->cap)
		sb->data[sb->len] = '\0';
}

/* ---- CSV ---- */

static void
csv_header_names(struct rm_ctx *ctx, struct strbuf *sb, const struct rm_table *t,
		 const char *prefix, bool *first)
{
	for (size_t i = 0; i < t->count; i++) {
		const struct rm_column *col = &t->columns[i];
		const char *name = col->csv ? col->csv : col->name;

		if (!rm_shown(ctx, col))
			continue;
		if (col->type == RM_GROUP) {
			csv_header_names(ctx, sb, col->sub, name, first);
			continue;
		}
		if (!*first)
			mo_putc(sb, ',');
		*first = false;
		if (prefix) {
			mo_puts(sb, prefix);
			mo_putc(sb, '_');
		}
		mo_puts(sb, name);
	}
}

void
rm_csv_header(struct rm_ctx *ctx, struct strbuf *sb, const struct rm_table *t)
{
	bool first = true;

	csv_header_names(ctx, sb, t, NULL, &first);
}

static void
csv_empty(struct strbuf *sb, const struct rm_step *st, bool *first)
{
	if (st->col->type == RM_GROUP) {
		for (uint32_t i = 0; i < st->sub->count; i++)
			csv_empty(sb, &st->sub->steps[i], first);
		return;
	}
	if (!*first)
		mo_putc(sb, ',');
	*first = false;
}

static void
csv_stack(struct rm_ctx *ctx, struct strbuf *sb, uint32_t stack)
{
	struct mo_cache *c = ctx->c;

	strbuf_reset(&c->line);
	mo_sb_stack_line(c, &c->line, stack);
	if (c->line.len)
		mo_sb_csv(c, sb, c->line.data);
}

static void csv_cells(struct rm_ctx *ctx, struct strbuf *sb, const struct rm_plan *pl,
		      const void *row, unsigned when, bool *first);

static void
csv_cell(struct rm_ctx *ctx, struct strbuf *sb, const struct rm_step *st, const void *row,
	 bool *first)
{
	const struct rm_column *col = st->col;

	if (col->type == RM_GROUP) {
		if (no_value(row, col))
			csv_empty(sb, st, first);
		else
			csv_cells(ctx, sb, st->sub, at(row, col), 0, first);
		return;
	}
	if (!*first)
		mo_putc(sb, ',');
	*first = false;
	if (no_value(row, col))
		return;
	switch ((enum rm_type)col->type) {
	case RM_U32:
	case RM_OPT_U32: mo_sb_u64(sb, U32_AT(row, col)); break;
	case RM_U64:
	case RM_OPT_U64: mo_sb_u64(sb, U64_AT(row, col)); break;
	case RM_I64: mo_sb_i64(sb, I64_AT(row, col)); break;
	case RM_HEX32: mo_sb_hex32(sb, U32_AT(row, col)); break;
	case RM_TIME: mo_sb_time(ctx->c, sb, I64_AT(row, col)); break;
	case RM_LATENCY: mo_sb_jlatency_us(sb, I64_AT(row, col)); break;
	case RM_WORD: mo_puts(sb, STR_AT(row, col)); break;
	case RM_TEXT: mo_sb_csv(ctx->c, sb, STR_AT(row, col)); break;
	case RM_LABEL: mo_sb_csv(ctx->c, sb, mo_label(ctx->c, U32_AT(row, col))); break;
	case RM_PORT:
		mo_sb_csv(ctx->c, sb, alpcscope_model_port_name(ctx->c->m, U32_AT(row, col)));
		break;
	case RM_EVIDENCE: put_evidence(ctx, sb, *(const uint16_t *)at(row, col)); break;
	case RM_STACK: csv_stack(ctx, sb, U32_AT(row, col)); break;
	case RM_FRAMES: break; /* JSON only */
	case RM_GROUP: break;  /* above */
	case RM_CUSTOM: ((const struct rm_custom *)col->sub)->csv(ctx, sb, at(row, col)); break;
	}
}

static void
csv_cells(struct rm_ctx *ctx, struct strbuf *sb, const struct rm_plan *pl, const void *row,
	  unsigned when, bool *first)
{
	for (uint32_t i = 0; i < pl->count; i++) {
		const struct rm_step *st = &pl->steps[i];

		if (applies(st->col, when))
			csv_cell(ctx, sb, st, row, first);
		else
			csv_empty(sb, st, first);
	}
}

void
rm_csv_cells(struct rm_ctx *ctx, struct strbuf *sb, const struct rm_table *t, const void *row,
	     unsigned when)
{
	const struct rm_plan *pl = plan_for(ctx, t);
	bool first = true;

	if (!pl) {
		sb->oom = true;
		return;
	}
	csv_cells(ctx, sb, pl, row, when, &first);
	if (sb->data && sb->len < sb->cap)
		sb->data[sb->len] = '\0';
}

/* ---- XML ---- */

void
rm_xml_data_text(struct xml_out *x, const char *name, const char *value)
{
	xml_start(x, "Data");
	xml_attr(x, "Name", name);
	xml_text(x, value ? value : "");
	xml_end(x);
}

/*
 * A stack on one line; symbolized names can hold spaces ("T const &"), so
 * symbolized frames are split by " | ".
 */
static bool
xml_stack(struct rm_ctx *ctx, struct strbuf *sb, uint32_t stack)
{
	const struct alpcscope_stack *s = alpcscope_model_stack_at(ctx->c->m, stack);
	char buf[MO_FRAME_SIZE];

	if (!s)
		return false;
	for (uint32_t i = 0; i < s->frame_count; i++) {
		if (i)
			mo_puts(sb, ctx->c->sym ? " | " : " ");
		mo_puts(sb, mo_frame(ctx->c, s, i, NULL, buf, sizeof(buf)));
	}
	return true;
}

/* The XML text of a cell into ctx->cell; false when it has none. */
static bool
xml_value(struct rm_ctx *ctx, const struct rm_column *col, const void *row)
{
	struct strbuf *sb = &ctx->cell;

	strbuf_reset(sb);
	if (no_value(row, col))
		return false;
	switch ((enum rm_type)col->type) {
	case RM_U32:
	case RM_OPT_U32: mo_sb_u64(sb, U32_AT(row, col)); break;
	case RM_U64:
	case RM_OPT_U64: mo_sb_u64(sb, U64_AT(row, col)); break;
	case RM_I64: mo_sb_i64(sb, I64_AT(row, col)); break;
	case RM_HEX32: mo_sb_hex32(sb, U32_AT(row, col)); break;
	case RM_TIME: mo_sb_time(ctx->c, sb, I64_AT(row, col)); break;
	case RM_LATENCY: mo_sb_jlatency_us(sb, I64_AT(row, col)); break;
	case RM_WORD:
	case RM_TEXT: mo_puts(sb, STR_AT(row, col)); break;
	case RM_LABEL: mo_puts(sb, mo_label(ctx->c, U32_AT(row, col))); break;
	case RM_PORT: mo_puts(sb, alpcscope_model_port_name(ctx->c->m, U32_AT(row, col))); break;
	case RM_EVIDENCE: mo_sb_evidence(sb, *(const uint16_t *)at(row, col)); break;
	case RM_STACK: return xml_stack(ctx, sb, U32_AT(row, col));
	case RM_FRAMES:
	case RM_GROUP:
	case RM_CUSTOM: return false; /* rm_xml_data() */
	}
	return true;
}

static void
xml_data(struct rm_ctx *ctx, struct xml_out *x, const struct rm_table *t, const void *row,
	 unsigned when, const char *prefix)
{
	char name[64];

	for (size_t i = 0; i < t->count && !x->failed; i++) {
		const struct rm_column *col = &t->columns[i];

		if (!rm_shown(ctx, col) || !applies(col, when))
			continue;
		if (col->type == RM_GROUP) {
			if (!no_value(row, col))
				xml_data(ctx, x, col->sub, at(row, col), 0, col->xml);
			continue;
		}
		if (col->type == RM_CUSTOM) {
			((const struct rm_custom *)col->sub)->xml(ctx, x, at(row, col));
			continue;
		}
		if (!xml_value(ctx, col, row))
			continue;
		if (ctx->cell.oom) {
			x->failed = true;
			return;
		}
		snprintf(name, sizeof(name), "%s%s", prefix ? prefix : "", col->xml);
		rm_xml_data_text(x, name, ctx->cell.data ? ctx->cell.data : "");
	}
}

void
rm_xml_data(struct rm_ctx *ctx, struct xml_out *x, const struct rm_table *t, const void *row,
	    unsigned when)
{
	xml_data(ctx, x, t, row, when, NULL);
}
