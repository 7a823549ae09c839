/* SPDX-License-Identifier: MIT */
/*
 * Decoding a payload with a schema: picks the layout (TraceLogging metadata
 * carried by the event, the attached schema set, or EventMetadata learned
 * from the trace), then reads every property with a bounds-checked cursor
 * into the decoder's field list. Scalars and structs become one field per
 * member ("Struct.Member"); arrays are rendered as JSON-like text.
 * TraceLogging layouts are parsed once per distinct (provider, metadata)
 * and cached; decoding allocates only while scratch memory grows.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alpcscope/reader.h"
#include "payload.h"
#include "schema.h"
#include "util/double_text.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/utf16.h"

enum {
	TL_BUCKETS = 4096, /* power of two */
	MAX_ARRAY = 65536, /* elements of one array (a record is at most 64 KiB) */
};

static const struct alpcscope_guid metadata_guid = {
    0xbbccf6c1, 0x6cd1, 0x48c4, {0x80, 0xff, 0x83, 0x94, 0x82, 0xe3, 0x76, 0x71}};

struct tl_entry {
	uint64_t hash;
	struct alpcscope_guid provider;
	const uint8_t *meta;
	size_t meta_size;
	const struct schema_event *ev;
	struct tl_entry *next;
};

struct schema_state {
	const struct alpcscope_schema_set *user;
	struct alpcscope_schema_set *embedded;
	struct schema_arena tl_arena;
	struct tl_entry *tl_buckets[TL_BUCKETS];
	size_t tl_count;
	struct schema_arena text; /* strings of one decode */
	struct alpcscope_field *fields;
	size_t field_count;
	size_t field_cap;
	bool nomem;
	struct strbuf tmp;
	uint64_t vals[SCHEMA_MAX_PROPS];
	char why[320];
};

/* One payload being read. */
struct vdec {
	struct cursor c;
	unsigned ptr_size;
	struct schema_state *st;
	const struct schema_event *ev;
	const char *why;
};

void
schema_state_free(struct schema_state *st)
{
	if (!st)
		return;
	alpcscope_schema_set_free(st->embedded);
	schema_arena_free(&st->tl_arena);
	schema_arena_free(&st->text);
	strbuf_free(&st->tmp);
	free(st->fields);
	free(st);
}

static struct schema_state *
state_get(struct alpcscope_decoder *dec)
{
	if (!dec->schema)
		dec->schema = calloc(1, sizeof(*dec->schema));
	return dec->schema;
}

enum alpcscope_status
alpcscope_decoder_set_schemas(struct alpcscope_decoder *decoder,
			      const struct alpcscope_schema_set *set, struct alpcscope_error *err)
{
	struct schema_state *st;

	if (!decoder)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "decoder: NULL");
	st = state_get(decoder);
	if (!st)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
				 "decoder: out of memory");
	st->user = set;
	return ALPCSCOPE_OK;
}

/* ---- output helpers ---- */

static struct alpcscope_field *
out_field(struct schema_state *st, const char *name, enum alpcscope_field_type type)
{
	struct alpcscope_field *f;

	if (st->field_count >= SCHEMA_MAX_FIELDS)
		return NULL;
	if (st->field_count == st->field_cap) {
		size_t cap = st->field_cap ? st->field_cap * 2 : 32;
		struct alpcscope_field *nf = realloc(st->fields, cap * sizeof(*nf));

		if (!nf) {
			st->nomem = true;
			return NULL;
		}
		st->fields = nf;
		st->field_cap = cap;
	}
	f = &st->fields[st->field_count++];
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->type = type;
	return f;
}

static char *
text_copy(struct schema_state *st, const char *s, size_t n)
{
	char *p = schema_arena_strndup(&st->text, s, n);

	if (!p)
		st->nomem = true;
	return p;
}

/* A decoded value before it becomes a field or text. */
enum sval_kind { SV_UINT, SV_INT, SV_HEX, SV_BOOL, SV_DOUBLE, SV_STR, SV_SID, SV_GUID, SV_BYTES };

struct sval {
	enum sval_kind kind;
	uint64_t u;
	int64_t i;
	double d;
	const char *str;
	struct alpcscope_guid guid;
	const uint8_t *data;
	size_t size;
};

static bool
fail(struct vdec *vd, const char *why)
{
	if (!vd->why)
		vd->why = why;
	return false;
}

static const char *
utf16_text(struct vdec *vd, const uint8_t *src, size_t nbytes)
{
	size_t cap = utf16_utf8_capacity(nbytes);
	char *out = schema_arena_alloc(&vd->st->text, cap);

	if (!out) {
		vd->st->nomem = true;
		return NULL;
	}
	utf16_to_utf8(out, cap, src, nbytes & ~(size_t)1);
	return out;
}

static bool
valid_utf8(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t b = s[i];
		size_t need;

		if (b < 0x80)
			need = 0;
		else if ((b & 0xE0) == 0xC0)
			need = 1;
		else if ((b & 0xF0) == 0xE0)
			need = 2;
		else if ((b & 0xF8) == 0xF0)
			need = 3;
		else
			return false;
		if (need > n - i - 1)
			return false;
		for (size_t k = 1; k <= need; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
		i += need + 1;
	}
	return true;
}

/* Single-byte text: kept as is when valid UTF-8, else read as Latin-1. */
static const char *
ansi_text(struct vdec *vd, const uint8_t *src, size_t n)
{
	size_t o = 0;
	char *out;

	if (valid_utf8(src, n))
		return text_copy(vd->st, (const char *)src, n);
	out = schema_arena_alloc(&vd->st->text, 2 * n + 1);
	if (!out) {
		vd->st->nomem = true;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (src[i] < 0x80) {
			out[o++] = (char)src[i];
		} else {
			out[o++] = (char)(0xC0 | src[i] >> 6);
			out[o++] = (char)(0x80 | (src[i] & 0x3F));
		}
	}
	out[o] = '\0';
	return out;
}

static bool
read_utf16z(struct vdec *vd, struct sval *v)
{
	bool term;
	size_t n = utf16_strlen_bytes(vd->c.pos, cursor_left(&vd->c), &term);
	const uint8_t *s;

	if (!term)
		return fail(vd, "UTF-16 string not terminated");
	s = cursor_take(&vd->c, n + 2);
	v->kind = SV_STR;
	v->str = s ? utf16_text(vd, s, n) : NULL;
	return v->str != NULL;
}

static bool
read_ansiz(struct vdec *vd, struct sval *v)
{
	size_t left = cursor_left(&vd->c);
	const uint8_t *nul = left ? memchr(vd->c.pos, 0, left) : NULL;
	const uint8_t *s;
	size_t n;

	if (!nul)
		return fail(vd, "string not terminated");
	n = (size_t)(nul - vd->c.pos);
	s = cursor_take(&vd->c, n + 1);
	v->kind = SV_STR;
	v->str = s ? ansi_text(vd, s, n) : NULL;
	return v->str != NULL;
}

static bool
read_counted(struct vdec *vd, struct sval *v, size_t nbytes, bool wide)
{
	const uint8_t *s = cursor_take(&vd->c, nbytes);

	if (!s)
		return fail(vd, "counted value past the payload");
	v->kind = SV_STR;
	v->str = wide ? utf16_text(vd, s, nbytes) : ansi_text(vd, s, nbytes);
	return v->str != NULL;
}

static bool
read_sid(struct vdec *vd, struct sval *v)
{
	const uint8_t *h = cursor_take(&vd->c, 8);
	char buf[16 + 15 * 11 + 24];
	uint64_t auth = 0;
	size_t o;

	if (!h)
		return fail(vd, "SID past the payload");
	if (h[1] > 15)
		return fail(vd, "SID with more than 15 sub-authorities");
	for (int k = 2; k < 8; k++)
		auth = auth << 8 | h[k];
	o = (size_t)snprintf(buf, sizeof(buf), "S-%u-%" PRIu64, h[0], auth);
	for (unsigned k = 0; k < h[1]; k++) {
		const uint8_t *s = cursor_take(&vd->c, 4);

		if (!s)
			return fail(vd, "SID past the payload");
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "-%" PRIu32, le32_load(s));
	}
	v->kind = SV_SID;
	v->str = text_copy(vd->st, buf, o);
	return v->str != NULL;
}

/*
 * Fixed-size values: integers, hex, pointers, floating point, Boolean (4
 * bytes), GUID, FILETIME and SYSTEMTIME (as text). False when @p in_type is
 * none of them; overruns are left to the caller (the cursor is sticky).
 */
static bool
read_fixed(struct vdec *vd, uint16_t in_type, struct sval *v)
{
	struct cursor *c = &vd->c;
	const uint8_t *b;
	char buf[64];

	switch (in_type) {
	case TDH_IN_INT8:
		v->kind = SV_INT;
		v->i = (int8_t)cursor_u8(c);
		break;
	case TDH_IN_UINT8: v->u = cursor_u8(c); break;
	case TDH_IN_INT16:
		v->kind = SV_INT;
		v->i = (int16_t)cursor_u16(c);
		break;
	case TDH_IN_UINT16: v->u = cursor_u16(c); break;
	case TDH_IN_INT32:
		v->kind = SV_INT;
		v->i = (int32_t)cursor_u32(c);
		break;
	case TDH_IN_UINT32: v->u = cursor_u32(c); break;
	case TDH_IN_INT64:
		v->kind = SV_INT;
		v->i = (int64_t)cursor_u64(c);
		break;
	case TDH_IN_UINT64: v->u = cursor_u64(c); break;
	case TDH_IN_HEXINT32:
		v->kind = SV_HEX;
		v->u = cursor_u32(c);
		break;
	case TDH_IN_HEXINT64:
		v->kind = SV_HEX;
		v->u = cursor_u64(c);
		break;
	case TDH_IN_POINTER:
	case TDH_IN_SIZET:
		v->kind = SV_HEX;
		v->u = cursor_ptr(c, vd->ptr_size);
		break;
	case TDH_IN_FLOAT: {
		uint32_t bits = cursor_u32(c);
		float f;

		memcpy(&f, &bits, sizeof(f));
		v->kind = SV_DOUBLE;
		v->d = f;
		break;
	}
	case TDH_IN_DOUBLE: {
		uint64_t bits = cursor_u64(c);

		memcpy(&v->d, &bits, sizeof(v->d));
		v->kind = SV_DOUBLE;
		break;
	}
	case TDH_IN_BOOLEAN:
		v->kind = SV_BOOL;
		v->u = cursor_u32(c) != 0;
		break;
	case TDH_IN_GUID:
		v->kind = SV_GUID;
		v->guid.data1 = cursor_u32(c);
		v->guid.data2 = cursor_u16(c);
		v->guid.data3 = cursor_u16(c);
		b = cursor_take(c, 8);
		if (b)
			memcpy(v->guid.data4, b, 8);
		break;
	case TDH_IN_FILETIME: {
		uint64_t ft = cursor_u64(c);

		if (ft == 0 || ft > (uint64_t)INT64_MAX)
			snprintf(buf, sizeof(buf), "%" PRIu64, ft);
		else
			alpcscope_filetime_format(buf, sizeof(buf), (int64_t)ft);
		v->kind = SV_STR;
		v->str = c->overrun ? "" : text_copy(vd->st, buf, strlen(buf));
		break;
	}
	case TDH_IN_SYSTEMTIME: {
		uint16_t t[8];

		for (int k = 0; k < 8; k++)
			t[k] = cursor_u16(c);
		snprintf(buf, sizeof(buf), "%04u-%02u-%02uT%02u:%02u:%02u.%03u", t[0], t[1], t[3],
			 t[4], t[5], t[6], t[7]);
		v->kind = SV_STR;
		v->str = c->overrun ? "" : text_copy(vd->st, buf, strlen(buf));
		break;
	}
	default: return false;
	}
	return true;
}

static bool
read_value(struct vdec *vd, const struct schema_prop *p, uint64_t length, struct sval *v)
{
	struct cursor *c = &vd->c;

	memset(v, 0, sizeof(*v));
	v->kind = SV_UINT;
	switch (p->in_type) {
	case TDH_IN_SID: return read_sid(vd, v);
	case TDH_IN_WBEMSID:
		/* TOKEN_USER: u32 0 = none; else two pointer-sized words, then the SID. */
		if (cursor_left(c) >= 4 && le32_load(c->pos) == 0) {
			cursor_skip(c, 4);
			v->kind = SV_STR;
			v->str = "";
			break;
		}
		cursor_skip(c, 2 * (size_t)vd->ptr_size);
		return read_sid(vd, v);
	case TDH_IN_UNICODESTRING:
		if (length)
			return read_counted(vd, v, (size_t)length * 2, true);
		return read_utf16z(vd, v);
	case TDH_IN_ANSISTRING:
		if (length)
			return read_counted(vd, v, (size_t)length, false);
		return read_ansiz(vd, v);
	case TDH_IN_NONNULLTERMINATEDSTRING:
		return read_counted(vd, v, length ? (size_t)length * 2 : cursor_left(c), true);
	case TDH_IN_NONNULLTERMINATEDANSISTRING:
		return read_counted(vd, v, length ? (size_t)length : cursor_left(c), false);
	case TDH_IN_MANIFEST_COUNTEDSTRING:
	case TDH_IN_COUNTEDSTRING: return read_counted(vd, v, cursor_u16(c), true);
	case TDH_IN_MANIFEST_COUNTEDANSISTRING:
	case TDH_IN_COUNTEDANSISTRING: return read_counted(vd, v, cursor_u16(c), false);
	case TDH_IN_REVERSEDCOUNTEDSTRING:
	case TDH_IN_REVERSEDCOUNTEDANSISTRING: {
		uint16_t be = cursor_u16(c);

		return read_counted(vd, v, (size_t)(be >> 8 | (be & 0xFF) << 8),
				    p->in_type == TDH_IN_REVERSEDCOUNTEDSTRING);
	}
	case TDH_IN_UNICODECHAR: return read_counted(vd, v, 2, true);
	case TDH_IN_ANSICHAR: return read_counted(vd, v, 1, false);
	case TDH_IN_BINARY:
	case TDH_IN_MANIFEST_COUNTEDBINARY:
	case TDH_IN_HEXDUMP: {
		size_t n = p->in_type == TDH_IN_BINARY ? (length ? (size_t)length : cursor_left(c))
			   : p->in_type == TDH_IN_HEXDUMP ? cursor_u32(c)
							  : cursor_u16(c);

		v->kind = SV_BYTES;
		v->data = cursor_take(c, n);
		v->size = n;
		if (!v->data)
			return fail(vd, "binary value past the payload");
		break;
	}
	default:
		if (!read_fixed(vd, p->in_type, v))
			return fail(vd, "unsupported input type");
		break;
	}
	if (c->overrun)
		return fail(vd, "value past the payload");
	if (v->kind == SV_STR && !v->str)
		return false;
	return true;
}

static bool
out_is_hex(uint16_t out)
{
	return (out >= TDH_OUT_HEXBINARY && out <= TDH_OUT_HEXINT64) ||
	       (out >= TDH_OUT_ERRORCODE && out <= TDH_OUT_HRESULT) || out == TDH_OUT_CODEPOINTER;
}

/* Apply the out type and value map of @p p to an integer value. */
static bool
shape_value(struct vdec *vd, const struct schema_prop *p, struct sval *v)
{
	char buf[64];

	if (v->kind != SV_UINT && v->kind != SV_INT && v->kind != SV_HEX)
		return true;
	if (p->map) {
		const struct schema_map *m = p->map;
		uint64_t x = v->kind == SV_INT ? (uint64_t)v->i : v->u;

		if (!m->is_bitmap) {
			for (size_t k = 0; k < m->count; k++)
				if (m->entries[k].value == x) {
					v->kind = SV_STR;
					v->str = m->entries[k].name;
					return true;
				}
		} else if (x) {
			struct strbuf *sb = &vd->st->tmp;
			size_t start = sb->len;
			uint64_t left = x;

			for (size_t k = 0; k < m->count; k++)
				if (m->entries[k].value &&
				    (x & m->entries[k].value) == m->entries[k].value) {
					if (sb->len > start)
						strbuf_addc(sb, '|');
					strbuf_adds(sb, m->entries[k].name);
					left &= ~(uint64_t)m->entries[k].value;
				}
			if (sb->len > start && !left && !sb->oom) {
				v->kind = SV_STR;
				v->str = text_copy(vd->st, sb->data + start, sb->len - start);
				sb->len = start;
				return v->str != NULL;
			}
			sb->len = start;
		}
	}
	switch (p->out_type) {
	case TDH_OUT_BOOLEAN:
		v->u = v->kind == SV_INT ? v->i != 0 : v->u != 0;
		v->kind = SV_BOOL;
		break;
	case TDH_OUT_STRING: {
		/* A char: u8 as Latin-1/ASCII, u16 as UTF-16. */
		uint8_t raw[2] = {(uint8_t)v->u, (uint8_t)(v->u >> 8)};

		if (v->kind == SV_INT)
			raw[0] = (uint8_t)v->i, raw[1] = (uint8_t)((uint64_t)v->i >> 8);
		if (p->in_type == TDH_IN_UINT8 || p->in_type == TDH_IN_INT8)
			v->str = ansi_text(vd, raw, 1);
		else if (p->in_type == TDH_IN_UINT16 || p->in_type == TDH_IN_INT16)
			v->str = utf16_text(vd, raw, 2);
		else
			break;
		v->kind = SV_STR;
		return v->str != NULL;
	}
	case TDH_OUT_PORT:
		if (p->in_type == TDH_IN_UINT16 || p->in_type == TDH_IN_INT16) {
			v->u = (uint16_t)((v->u & 0xFF) << 8 | (v->u >> 8 & 0xFF));
			v->kind = SV_UINT;
		}
		break;
	case TDH_OUT_IPV4:
		if (p->in_type == TDH_IN_UINT32 || p->in_type == TDH_IN_INT32) {
			uint32_t a = (uint32_t)(v->kind == SV_INT ? (uint64_t)v->i : v->u);

			snprintf(buf, sizeof(buf), "%u.%u.%u.%u", a & 0xFF, a >> 8 & 0xFF,
				 a >> 16 & 0xFF, a >> 24);
			v->kind = SV_STR;
			v->str = text_copy(vd->st, buf, strlen(buf));
			return v->str != NULL;
		}
		break;
	default:
		if (out_is_hex(p->out_type)) {
			if (v->kind == SV_INT) {
				/* Two's complement at the in type's width. */
				unsigned bits = p->in_type == TDH_IN_INT8    ? 8
						: p->in_type == TDH_IN_INT16 ? 16
						: p->in_type == TDH_IN_INT32 ? 32
									     : 64;

				v->u = bits == 64 ? (uint64_t)v->i
						  : (uint64_t)v->i & ((UINT64_C(1) << bits) - 1);
			}
			v->kind = SV_HEX;
		}
		break;
	}
	return true;
}

static void
emit(struct vdec *vd, const char *name, const struct sval *v)
{
	static const enum alpcscope_field_type types[] = {
	    [SV_UINT] = ALPCSCOPE_FIELD_UINT,     [SV_INT] = ALPCSCOPE_FIELD_INT,
	    [SV_HEX] = ALPCSCOPE_FIELD_HEX,       [SV_BOOL] = ALPCSCOPE_FIELD_BOOL,
	    [SV_DOUBLE] = ALPCSCOPE_FIELD_STRING, [SV_STR] = ALPCSCOPE_FIELD_STRING,
	    [SV_SID] = ALPCSCOPE_FIELD_SID,       [SV_GUID] = ALPCSCOPE_FIELD_GUID,
	    [SV_BYTES] = ALPCSCOPE_FIELD_BYTES,
	};
	struct alpcscope_field *f = out_field(vd->st, name, types[v->kind]);
	char buf[40];

	if (!f)
		return;
	switch (v->kind) {
	case SV_UINT:
	case SV_HEX: f->value.u = v->u; break;
	case SV_INT: f->value.i = v->i; break;
	case SV_BOOL: f->value.b = v->u != 0; break;
	case SV_DOUBLE:
		double_text(buf, sizeof(buf), v->d); /* shortest round trip, not %.17g */
		f->value.str = text_copy(vd->st, buf, strlen(buf));
		break;
	case SV_STR:
	case SV_SID: f->value.str = v->str; break;
	case SV_GUID: f->value.guid = v->guid; break;
	case SV_BYTES:
		f->value.bytes.data = v->data;
		f->value.bytes.size = v->size;
		break;
	}
}

/* JSON-like text of a value, for array elements. */
static void
append(struct strbuf *sb, const struct sval *v)
{
	char g[ALPCSCOPE_GUID_STR_SIZE];

	switch (v->kind) {
	case SV_UINT: strbuf_printf(sb, "%" PRIu64, v->u); break;
	case SV_INT: strbuf_printf(sb, "%" PRId64, v->i); break;
	case SV_HEX: strbuf_printf(sb, "\"0x%" PRIx64 "\"", v->u); break;
	case SV_BOOL: strbuf_adds(sb, v->u ? "true" : "false"); break;
	case SV_DOUBLE:
		double_text(g, sizeof(g), v->d);
		strbuf_adds(sb, g);
		break;
	case SV_STR:
	case SV_SID: strbuf_add_json_string(sb, v->str); break;
	case SV_GUID:
		alpcscope_guid_format(g, &v->guid);
		strbuf_printf(sb, "\"%s\"", g);
		break;
	case SV_BYTES:
		strbuf_addc(sb, '"');
		strbuf_add_hex(sb, v->data, v->size);
		strbuf_addc(sb, '"');
		break;
	}
}

static bool decode_prop(struct vdec *vd, uint16_t idx, struct strbuf *sb, unsigned depth);

static const char *
short_name(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? dot + 1 : name;
}

/* Members of struct @p p as {"a":..,"b":..} text. */
static bool
struct_text(struct vdec *vd, const struct schema_prop *p, struct strbuf *sb, unsigned depth)
{
	strbuf_addc(sb, '{');
	for (uint16_t k = 0; k < p->struct_members; k++) {
		uint16_t m = (uint16_t)(p->struct_start + k);

		if (k)
			strbuf_addc(sb, ',');
		strbuf_add_json_string(sb, short_name(vd->ev->props[m].name));
		strbuf_addc(sb, ':');
		if (!decode_prop(vd, m, sb, depth + 1))
			return false;
	}
	strbuf_addc(sb, '}');
	return true;
}

static bool
decode_prop(struct vdec *vd, uint16_t idx, struct strbuf *sb, unsigned depth)
{
	const struct schema_prop *p = &vd->ev->props[idx];
	struct schema_state *st = vd->st;
	uint64_t count = 1, length = 0;
	bool array = false, top_text = false;
	size_t start;
	struct sval v;

	if (depth > SCHEMA_MAX_DEPTH)
		return fail(vd, "structs nested too deep");
	if (p->flags & SCHEMA_PROP_PARAM_COUNT) {
		count = st->vals[p->count];
		array = true;
	} else if (p->flags & SCHEMA_PROP_FIXED_COUNT) {
		count = p->count;
		array = true;
	} else if (p->flags & SCHEMA_PROP_TL_VCOUNT) {
		count = cursor_u16(&vd->c);
		array = true;
	}
	if (p->flags & SCHEMA_PROP_PARAM_LENGTH)
		length = st->vals[p->length];
	else
		length = p->length;
	if (vd->c.overrun)
		return fail(vd, "array count past the payload");
	if (count > MAX_ARRAY)
		return fail(vd, "array count over the limit");
	if (length > MAX_ARRAY)
		return fail(vd, "length over the limit");

	/* An array of 8/16-bit chars shown as a string is one string (as TDH shows it). */
	if (array && !(p->flags & SCHEMA_PROP_STRUCT) && p->out_type == TDH_OUT_STRING &&
	    (p->in_type == TDH_IN_UINT8 || p->in_type == TDH_IN_INT8 ||
	     p->in_type == TDH_IN_UINT16 || p->in_type == TDH_IN_INT16)) {
		bool wide = p->in_type == TDH_IN_UINT16 || p->in_type == TDH_IN_INT16;

		if (!read_counted(vd, &v, (size_t)count * (wide ? 2 : 1), wide))
			return false;
		if (sb)
			append(sb, &v);
		else
			emit(vd, p->name, &v);
		return true;
	}

	if (!array && (p->flags & SCHEMA_PROP_STRUCT)) {
		if (sb)
			return struct_text(vd, p, sb, depth);
		for (uint16_t k = 0; k < p->struct_members; k++)
			if (!decode_prop(vd, (uint16_t)(p->struct_start + k), NULL, depth + 1))
				return false;
		return true;
	}
	if (!array) {
		if (!read_value(vd, p, length, &v) || !shape_value(vd, p, &v))
			return false;
		st->vals[idx] = v.kind == SV_INT ? (uint64_t)v.i : v.u;
		if (sb)
			append(sb, &v);
		else
			emit(vd, p->name, &v);
		return true;
	}

	/* Arrays: JSON-like text; at top level it becomes one string field. */
	if (!sb) {
		sb = &st->tmp;
		top_text = true;
		strbuf_reset(sb);
	}
	start = sb->len;
	strbuf_addc(sb, '[');
	for (uint64_t k = 0; k < count; k++) {
		if (k)
			strbuf_addc(sb, ',');
		if (p->flags & SCHEMA_PROP_STRUCT) {
			if (!struct_text(vd, p, sb, depth))
				return false;
		} else {
			if (!read_value(vd, p, length, &v) || !shape_value(vd, p, &v))
				return false;
			append(sb, &v);
		}
	}
	strbuf_addc(sb, ']');
	if (sb->oom) {
		st->nomem = true;
		return false;
	}
	if (top_text) {
		v.kind = SV_STR;
		v.str = text_copy(st, sb->data + start, sb->len - start);
		if (!v.str)
			return false;
		emit(vd, p->name, &v);
	}
	return true;
}

/* ---- schema lookup ---- */

static uint64_t
tl_hash(const struct alpcscope_guid *g, const uint8_t *meta, size_t n)
{
	uint64_t h = 1469598103934665603u ^ g->data1;

	for (size_t i = 0; i < n; i++)
		h = (h ^ meta[i]) * 1099511628211u;
	return h;
}

static const struct schema_event *
tl_schema(struct schema_state *st, const struct alpcscope_event *ev, const uint8_t *meta,
	  size_t size, const char **why)
{
	const char *pname = NULL;
	struct alpcscope_error err;
	struct schema_event *sev;
	struct tl_entry *e;
	uint64_t h;
	size_t b;

	if (size >= 2 && le16_load(meta) <= size && le16_load(meta) >= 2)
		size = le16_load(meta); /* the item is padded; the blob says its own size */
	h = tl_hash(&ev->provider, meta, size);
	b = (size_t)(h & (TL_BUCKETS - 1));
	for (e = st->tl_buckets[b]; e; e = e->next)
		if (e->hash == h && e->meta_size == size && memcmp(e->meta, meta, size) == 0 &&
		    alpcscope_guid_equal(&e->provider, &ev->provider))
			return e->ev;
	if (st->tl_count >= SCHEMA_MAX_TL_CACHE) {
		schema_arena_reset(&st->tl_arena);
		memset(st->tl_buckets, 0, sizeof(st->tl_buckets));
		st->tl_count = 0;
	}
	for (uint16_t i = 0; i < ev->ext_count; i++)
		if (ev->ext[i].type == ALPCSCOPE_EXT_PROV_TRAITS)
			pname = tracelogging_provider_name(ev->ext[i].data, ev->ext[i].size);
	if (!pname)
		pname = alpcscope_provider_name(&ev->provider);
	memset(&err, 0, sizeof(err));
	if (tracelogging_parse(&st->tl_arena, meta, size, &ev->provider, pname, &sev, &err) !=
	    ALPCSCOPE_OK) {
		if (err.status == ALPCSCOPE_E_NOMEM)
			st->nomem = true;
		snprintf(st->why, sizeof(st->why), "%s", err.message);
		*why = st->why;
		return NULL;
	}
	e = schema_arena_alloc(&st->tl_arena, sizeof(*e));
	if (e)
		e->meta = schema_arena_alloc(&st->tl_arena, size);
	if (!e || !e->meta) {
		st->nomem = true;
		return NULL;
	}
	memcpy((uint8_t *)(uintptr_t)e->meta, meta, size);
	e->meta_size = size;
	e->hash = h;
	e->provider = ev->provider;
	e->ev = sev;
	e->next = st->tl_buckets[b];
	st->tl_buckets[b] = e;
	st->tl_count++;
	return sev;
}

static bool
is_event_header(const struct alpcscope_event *ev)
{
	return ev->kind == ALPCSCOPE_RECORD_EVENT_HEADER32 ||
	       ev->kind == ALPCSCOPE_RECORD_EVENT_HEADER64;
}

static const struct schema_event *
set_lookup(const struct alpcscope_schema_set *set, const struct alpcscope_event *ev)
{
	if (!set || !ev->has_provider)
		return NULL;
	if (is_event_header(ev))
		return schema_set_find(set, &ev->provider, ev->event_id, ev->version, false);
	return schema_set_find(set, &ev->provider, ev->opcode, ev->version, true);
}

/* Learn from an EventMetadata record; its fields describe what was learnt. */
static enum alpcscope_status
learn_metadata(struct schema_state *st, const struct alpcscope_event *ev, const char **why)
{
	struct alpcscope_error err;
	enum alpcscope_status s;

	if (!st->embedded && alpcscope_schema_set_new(&st->embedded, NULL) != ALPCSCOPE_OK)
		return ALPCSCOPE_E_NOMEM;
	memset(&err, 0, sizeof(err));
	if (ev->opcode == 32)
		s = event_info_parse(st->embedded, ev->payload, ev->payload_size, &err);
	else
		s = event_map_info_parse(st->embedded, ev->payload, ev->payload_size, &err);
	if (s != ALPCSCOPE_OK) {
		snprintf(st->why, sizeof(st->why), "%s", err.message);
		*why = st->why;
	}
	return s;
}

static void
fill_header(struct alpcscope_decoder *dec, const struct alpcscope_event *ev)
{
	struct alpcscope_generic *g = &dec->out.as.generic;

	g->provider = ev->provider;
	g->has_provider = ev->has_provider;
	g->event_id = ev->event_id;
	g->opcode = ev->opcode;
	g->version = ev->version;
	g->level = ev->level;
	g->keywords = ev->keywords;
	g->payload = ev->payload;
	g->payload_size = ev->payload_size;
}

enum alpcscope_status
schema_decode(struct alpcscope_decoder *dec, const struct alpcscope_event *ev, const char **why)
{
	static const uint8_t empty[1];
	struct schema_state *st = state_get(dec);
	const struct schema_event *sev = NULL;
	struct vdec vd;

	if (!st)
		return ALPCSCOPE_E_NOMEM;
	st->nomem = false;
	st->field_count = 0;
	schema_arena_reset(&st->text);

	if (ev->has_provider && !is_event_header(ev) &&
	    alpcscope_guid_equal(&ev->provider, &metadata_guid) &&
	    (ev->opcode == 32 || ev->opcode == 33)) {
		enum alpcscope_status s = learn_metadata(st, ev, why);

		return s == ALPCSCOPE_E_NOMEM ? s
		       : s == ALPCSCOPE_OK    ? ALPCSCOPE_OK
					      : ALPCSCOPE_E_CORRUPT;
	}
	for (uint16_t i = 0; i < ev->ext_count && is_event_header(ev); i++)
		if (ev->ext[i].type == ALPCSCOPE_EXT_EVENT_SCHEMA_TL) {
			sev = tl_schema(st, ev, ev->ext[i].data, ev->ext[i].size, why);
			if (!sev)
				return st->nomem ? ALPCSCOPE_E_NOMEM : ALPCSCOPE_E_CORRUPT;
			break;
		}
	if (!sev)
		sev = set_lookup(st->user, ev);
	if (!sev)
		sev = set_lookup(st->embedded, ev);
	if (!sev)
		return ALPCSCOPE_OK;

	memset(&vd, 0, sizeof(vd));
	vd.c = cursor_make(ev->payload ? ev->payload : empty, ev->payload_size);
	vd.ptr_size = ev->pointer_size == 4 ? 4 : 8;
	vd.st = st;
	vd.ev = sev;
	for (uint16_t i = 0; i < sev->top_count; i++)
		if (!decode_prop(&vd, i, NULL, 1))
			break;
	if (st->nomem)
		return ALPCSCOPE_E_NOMEM;
	if (vd.why || vd.c.overrun) {
		snprintf(st->why, sizeof(st->why), "%.60s: %s", sev->display_name,
			 vd.why ? vd.why : "payload too short");
		*why = st->why;
		return ALPCSCOPE_E_CORRUPT;
	}
	dec->out.kind = ALPCSCOPE_DECODED_SCHEMA;
	dec->out.name = sev->display_name;
	dec->out.fields = st->fields;
	dec->out.field_count = st->field_count;
	fill_header(dec, ev);
	return ALPCSCOPE_OK;
}
