/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope dump` writers: header fields plus decoded fields by name, one
 * event per line as text, JSON Lines or CSV. Rows are built with the
 * streaming helpers of the model writers (model_output.h: no printf per
 * field) into one reusable strbuf and written in batches of ROW_BATCH bytes,
 * so writing an event allocates nothing once the buffer has grown.
 * JSON is escaped here rather than through json-c: json-c has no streaming
 * writer and would allocate a tree per event on this hot path.
 */
#include <alpcscope/dump.h>
#include <alpcscope/model.h>
#include <alpcscope/reader.h>
#include <alpcscope/symbols.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/field_text.h"
#include "output/model_output.h"
#include "output/xml_writer.h" /* ALPCSCOPE_DUMP_XML lives in xml_writer.c */
#include "util/error.h"
#include "util/strbuf.h"

/*
 * The part of a row fixed by what the event is (kind, provider, name, ids,
 * version, level, keywords): the same few kinds fill a trace, so it is
 * formatted once per kind and copied after that.
 */
#define SEG_NAME_MAX 48
#define SEG_TEXT_MAX 320
#define SEG_SLOTS    256

struct row_segment {
	bool used;
	bool is_kernel, has_provider;
	uint8_t kind, group, opcode, version, level;
	uint16_t event_id;
	uint16_t len;
	uint64_t keywords;
	struct alpcscope_guid provider;
	char name[SEG_NAME_MAX];
	char text[SEG_TEXT_MAX];
};

struct alpcscope_dump_writer {
	enum alpcscope_dump_format fmt;
	struct row_segment *segments; /* SEG_SLOTS, or NULL: every row formatted in full */
	FILE *out;
	struct strbuf line;         /* rows not yet written: one fwrite per ROW_BATCH bytes */
	struct strbuf field;        /* one field's text, for CSV quoting */
	struct strbuf name;         /* a generated event name */
	struct mo_cache time;       /* the current second's time prefix */
	struct alpcscope_guid guid; /* provider of the last row, and its text */
	char guid_text[ALPCSCOPE_GUID_STR_SIZE];
	bool write_failed;
	struct xml_dump *xml;          /* ALPCSCOPE_DUMP_XML */
	size_t payload_limit;          /* hex of at most this many payload bytes; 0 = all */
	struct field_text_style style; /* field_text_dump with payload_limit */
	bool csv_raw;                  /* alpcscope_dump_writer_set_csv_raw() */
	/* alpcscope_dump_writer_set_symbols(): StackWalk frames get a "Symbols" field */
	const struct alpcscope_model *model;
	struct alpcscope_symbolizer *symbolizer;
	struct strbuf symbols;
	struct alpcscope_field *fields; /* the event's fields plus "Symbols" */
	size_t cap_fields;
	uint32_t last_pid, last_process;
	int64_t last_start, last_end;
};

/* FILETIME of 1970-01-01 (100 ns units since 1601): Timesketch's timestamp is µs since then. */
#define UNIX_EPOCH_FILETIME 116444736000000000ll

/* The process instance with @p pid alive at @p t (PIDs are reused), or NONE. */
static uint32_t
process_at(struct alpcscope_dump_writer *w, uint32_t pid, int64_t t)
{
	if (w->last_process != ALPCSCOPE_NONE && w->last_pid == pid && w->last_start <= t &&
	    (!w->last_end || t <= w->last_end))
		return w->last_process;
	uint32_t best = ALPCSCOPE_NONE;

	for (uint32_t i = 0; i < alpcscope_model_process_count(w->model); i++) {
		const struct alpcscope_process_instance *p =
		    alpcscope_model_process_at(w->model, i);

		if (p->pid != pid || p->start_filetime_100ns > t)
			continue;
		best = i; /* the latest instance started at or before t */
	}
	if (best != ALPCSCOPE_NONE) {
		const struct alpcscope_process_instance *p =
		    alpcscope_model_process_at(w->model, best);

		w->last_pid = pid;
		w->last_process = best;
		w->last_start = p->start_filetime_100ns;
		w->last_end = p->end_filetime_100ns;
	}
	return best;
}

/* @p d with a "Symbols" field appended for a StackWalk; @p d itself otherwise. */
static const struct alpcscope_decoded *
with_symbols(struct alpcscope_dump_writer *w, const struct alpcscope_event *ev,
	     const struct alpcscope_decoded *d, struct alpcscope_decoded *copy)
{
	if (!w->model || !d || d->kind != ALPCSCOPE_DECODED_STACK_WALK)
		return d;
	if (d->field_count + 1 > w->cap_fields) {
		struct alpcscope_field *f = realloc(w->fields, (d->field_count + 1) * sizeof(*f));

		if (!f)
			return d;
		w->fields = f;
		w->cap_fields = d->field_count + 1;
	}
	const struct alpcscope_stack_walk *sw = &d->as.stack_walk;
	struct alpcscope_stack st = {0};
	char buf[2048];

	st.frames = sw->frames;
	st.frame_count = sw->frame_count > UINT32_MAX ? UINT32_MAX : (uint32_t)sw->frame_count;
	st.process = process_at(w, sw->stack_process, ev->filetime_100ns);
	st.filetime_100ns = ev->filetime_100ns;
	strbuf_reset(&w->symbols);
	for (uint32_t i = 0; i < st.frame_count; i++) {
		if (i)
			strbuf_adds(&w->symbols, " | ");
		strbuf_adds(&w->symbols,
			    alpcscope_symbolizer_format_frame(w->symbolizer, w->model, &st, i, NULL,
							      buf, sizeof(buf)));
	}
	if (w->symbols.oom)
		return d;
	if (d->field_count)
		memcpy(w->fields, d->fields, d->field_count * sizeof(*w->fields));
	w->fields[d->field_count].name = "Symbols";
	w->fields[d->field_count].type = ALPCSCOPE_FIELD_STRING;
	w->fields[d->field_count].value.str = w->symbols.data ? w->symbols.data : "";
	*copy = *d;
	copy->fields = w->fields;
	copy->field_count = d->field_count + 1;
	return copy;
}

void
alpcscope_dump_writer_set_symbols(struct alpcscope_dump_writer *w,
				  const struct alpcscope_model *model,
				  struct alpcscope_symbolizer *symbolizer)
{
	if (!w)
		return;
	w->model = model;
	w->symbolizer = symbolizer;
	w->last_process = ALPCSCOPE_NONE;
}

/* Rows are collected up to this many bytes, then written at once. */
#define ROW_BATCH (64u << 10)

/* alpcscope_filetime_format(), with the date and time of the current second cached. */
static void
put_time(struct alpcscope_dump_writer *w, struct strbuf *sb, int64_t ft)
{
	if (ft <= 0) {
		char t[40];

		alpcscope_filetime_format(t, sizeof(t), ft);
		mo_puts(sb, t);
		return;
	}
	mo_sb_time(&w->time, sb, ft);
}

/* The provider GUID as alpcscope_guid_format() writes it; the last one is cached. */
static const char *
guid_text(struct alpcscope_dump_writer *w, const struct alpcscope_guid *g)
{
	if (!w->guid_text[0] || !alpcscope_guid_equal(&w->guid, g)) {
		w->guid = *g;
		alpcscope_guid_format(w->guid_text, g);
	}
	return w->guid_text;
}

static const char *
event_name(struct alpcscope_dump_writer *w, const struct alpcscope_event *ev,
	   const struct alpcscope_decoded *d)
{
	struct strbuf *nb = &w->name;

	if (d && d->name)
		return d->name;
	strbuf_reset(nb);
	if (ev->is_kernel) {
		const char *on = alpcscope_kernel_opcode_name(ev->group, ev->opcode);
		const char *gn = alpcscope_kernel_group_name(ev->group);

		if (on)
			return on;
		mo_puts(nb, gn ? gn : "Group");
		mo_putc(nb, '/');
		mo_sb_u64(nb, ev->opcode);
	} else if (ev->kind == ALPCSCOPE_RECORD_WPP_MESSAGE) {
		MO_LIT(nb, "msg");
		mo_sb_u64(nb, ev->event_id);
	} else if (ev->kind >= ALPCSCOPE_RECORD_FULL32 && ev->kind <= ALPCSCOPE_RECORD_INSTANCE64) {
		MO_LIT(nb, "op");
		mo_sb_u64(nb, ev->opcode);
	} else {
		MO_LIT(nb, "id");
		mo_sb_u64(nb, ev->event_id);
		MO_LIT(nb, "/op");
		mo_sb_u64(nb, ev->opcode);
	}
	/* The names were cut to 47 bytes before: keep the same bytes. */
	mo_sb_cut(nb, 0, 47);
	return nb->data ? nb->data : "";
}

/*
 * A string of printable ASCII from @p plain on: '"' and '\\' (Windows paths,
 * port names) escaped here, anything else by strbuf_add_json_string().
 */
static void
put_json_escaped(struct strbuf *sb, const char *s, size_t plain, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = plain; i < len; i++)
		if (p[i] < 0x20 || p[i] >= 0x7F) {
			strbuf_add_json_string(sb, s);
			return;
		}
	mo_putc(sb, '"');
	mo_put(sb, s, plain);
	for (size_t i = plain, run = plain; i <= len; i++) {
		if (i < len && p[i] != '"' && p[i] != '\\')
			continue;
		mo_put(sb, s + run, i - run);
		if (i < len) {
			mo_putc(sb, '\\');
			mo_putc(sb, s[i]);
		}
		run = i + 1;
	}
	mo_putc(sb, '"');
}

/*
 * strbuf_add_json_string(), with plain printable ASCII (the rule: names,
 * numbers as text) copied in one piece; anything else takes the full path.
 */
static void
put_json_string(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), n = 0;

	for (; n + 8 <= len; n += 8) { /* 8 bytes at a time; DEL (0x7f) is not plain either */
		uint64_t w, d;

		memcpy(&w, p + n, sizeof(w));
		d = w ^ 0x7f7f7f7f7f7f7f7full;
		if (mo_needs_escape8(w) |
		    ((d - 0x0101010101010101ull) & ~d & 0x8080808080808080ull))
			break;
	}
	while (p[n] >= 0x20 && p[n] < 0x7F && p[n] != '"' && p[n] != '\\')
		n++;
	if (n != len) {
		put_json_escaped(sb, s, n, len);
		return;
	}
	if (sb->len + n + 3 > sb->cap && !strbuf_reserve(sb, n + 2))
		return;
	char *o = sb->data + sb->len;

	o[0] = '"';
	memcpy(o + 1, s, n);
	o[n + 1] = '"';
	sb->len += n + 2;
	sb->data[sb->len] = '\0';
}

/* Hex of the payload, all of it unless a --payload-bytes limit cuts it; true when cut. */
static bool
put_payload_hex(const struct alpcscope_dump_writer *w, struct strbuf *sb, const uint8_t *p,
		size_t n)
{
	bool cut = w->payload_limit && n > w->payload_limit;

	strbuf_add_hex(sb, p, cut ? w->payload_limit : n);
	return cut;
}

static void
field_json(struct strbuf *sb, const struct alpcscope_field *f, struct strbuf *tmp,
	   const struct field_text_style *style)
{
	switch (f->type) {
	case ALPCSCOPE_FIELD_STRING:
	case ALPCSCOPE_FIELD_SID:
		/* JSON escapes (\n, \u001b), not the text writers' visible \xNN */
		put_json_string(sb, f->value.str ? f->value.str : "");
		break;
	case ALPCSCOPE_FIELD_UINT: mo_sb_u64(sb, f->value.u); break;
	case ALPCSCOPE_FIELD_INT: mo_sb_i64(sb, f->value.i); break;
	case ALPCSCOPE_FIELD_BOOL: mo_puts(sb, f->value.b ? "true" : "false"); break;
	case ALPCSCOPE_FIELD_ADDRESSES:
		mo_putc(sb, '[');
		for (size_t i = 0; i < f->value.addresses.count; i++) {
			if (i)
				mo_putc(sb, ',');
			mo_putc(sb, '"');
			mo_sb_hex64(sb, f->value.addresses.items[i]);
			mo_putc(sb, '"');
		}
		mo_putc(sb, ']');
		break;
	default:
		strbuf_reset(tmp);
		field_text(tmp, f, style);
		put_json_string(sb, tmp->data ? tmp->data : "");
		break;
	}
}

void
alpcscope_dump_writer_set_payload_limit(struct alpcscope_dump_writer *w, size_t max_bytes)
{
	if (!w)
		return;
	w->payload_limit = max_bytes;
	w->style.max_bytes = max_bytes;
}

enum alpcscope_status
alpcscope_dump_writer_new(struct alpcscope_dump_writer **w, enum alpcscope_dump_format fmt,
			  FILE *out, struct alpcscope_error *err)
{
	if (!w || !out)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "NULL argument");
	*w = calloc(1, sizeof(**w));
	if (!*w)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	(*w)->fmt = fmt;
	(*w)->out = out;
	(*w)->style = field_text_dump;
	(*w)->style.max_bytes = 0; /* whole byte fields, as whole payloads */
	mo_cache_init(&(*w)->time, NULL);
	(*w)->segments = calloc(SEG_SLOTS, sizeof(*(*w)->segments)); /* optional */
	if (fmt == ALPCSCOPE_DUMP_CSV)
		fputs(
		    "ordinal,time,ticks,cpu,pid,tid,kind,provider,provider_name,event,group,opcode,"
		    "id,version,level,keywords,file_offset,payload_size,fields\n",
		    out);
	if (fmt == ALPCSCOPE_DUMP_XML && !((*w)->xml = xml_dump_new(out))) {
		free(*w);
		*w = NULL;
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	}
	return ALPCSCOPE_OK;
}

static bool
segment_matches(const struct row_segment *g, const struct alpcscope_event *ev, const char *name)
{
	return g->used && g->kind == ev->kind && g->group == ev->group && g->opcode == ev->opcode &&
	       g->event_id == ev->event_id && g->version == ev->version && g->level == ev->level &&
	       g->keywords == ev->keywords && g->is_kernel == ev->is_kernel &&
	       g->has_provider == ev->has_provider &&
	       (!ev->has_provider || alpcscope_guid_equal(&g->provider, &ev->provider)) &&
	       strcmp(g->name, name) == 0;
}

typedef void (*segment_fn)(struct alpcscope_dump_writer *w, struct strbuf *sb,
			   const struct alpcscope_event *ev, const char *name);

/* Append the event's fixed segment: from the cache, or made by @p make (and cached). */
static void
put_segment(struct alpcscope_dump_writer *w, struct strbuf *sb, const struct alpcscope_event *ev,
	    const char *name, segment_fn make)
{
	size_t name_len = strlen(name);

	if (!w->segments || name_len >= SEG_NAME_MAX) {
		make(w, sb, ev, name);
		return;
	}
	unsigned h = ((unsigned)ev->group * 31u + ev->opcode) * 131u + ev->event_id * 7u +
		     ev->version + ev->kind * 17u + (ev->has_provider ? ev->provider.data1 : 0);
	struct row_segment *g = &w->segments[(h ^ h >> 8) % SEG_SLOTS];

	if (segment_matches(g, ev, name)) {
		mo_put(sb, g->text, g->len);
		return;
	}
	size_t start = sb->len;

	make(w, sb, ev, name);
	if (sb->oom || sb->len - start >= SEG_TEXT_MAX)
		return;
	g->used = true;
	g->is_kernel = ev->is_kernel;
	g->has_provider = ev->has_provider;
	g->kind = (uint8_t)ev->kind;
	g->group = ev->group;
	g->opcode = ev->opcode;
	g->version = ev->version;
	g->level = ev->level;
	g->event_id = ev->event_id;
	g->keywords = ev->keywords;
	g->provider = ev->provider;
	memcpy(g->name, name, name_len + 1);
	g->len = (uint16_t)(sb->len - start);
	memcpy(g->text, sb->data + start, g->len);
}

/* Text: "KIND [provider ]NAME vN" */
static void
text_segment(struct alpcscope_dump_writer *w, struct strbuf *sb, const struct alpcscope_event *ev,
	     const char *name)
{
	mo_puts(sb, alpcscope_record_kind_name(ev->kind));
	mo_putc(sb, ' ');
	if (!ev->is_kernel && ev->has_provider) {
		const char *pn = alpcscope_provider_name(&ev->provider);

		mo_puts(sb, pn ? pn : guid_text(w, &ev->provider));
		mo_putc(sb, ' ');
	}
	mo_puts(sb, name);
	MO_LIT(sb, " v");
	mo_sb_u64(sb, ev->version);
}

/* JSON Lines: ,"kind" ... "level":N[,"keywords":"0x.."] */
static void
jsonl_segment(struct alpcscope_dump_writer *w, struct strbuf *sb, const struct alpcscope_event *ev,
	      const char *name)
{
	MO_LIT(sb, ",\"kind\":\"");
	mo_puts(sb, alpcscope_record_kind_name(ev->kind));
	mo_putc(sb, '"');
	if (ev->has_provider) {
		const char *pn = ev->is_kernel ? alpcscope_kernel_group_name(ev->group)
					       : alpcscope_provider_name(&ev->provider);

		MO_LIT(sb, ",\"provider\":\"");
		mo_puts(sb, guid_text(w, &ev->provider));
		mo_putc(sb, '"');
		if (pn) {
			MO_LIT(sb, ",\"provider_name\":");
			put_json_string(sb, pn);
		}
	}
	MO_LIT(sb, ",\"event\":");
	put_json_string(sb, name);
	if (ev->is_kernel) {
		MO_LIT(sb, ",\"group\":");
		mo_sb_u64(sb, ev->group);
	}
	MO_LIT(sb, ",\"opcode\":");
	mo_sb_u64(sb, ev->opcode);
	MO_LIT(sb, ",\"id\":");
	mo_sb_u64(sb, ev->event_id);
	MO_LIT(sb, ",\"version\":");
	mo_sb_u64(sb, ev->version);
	MO_LIT(sb, ",\"level\":");
	mo_sb_u64(sb, ev->level);
	if (ev->keywords) {
		MO_LIT(sb, ",\"keywords\":\"");
		mo_sb_hex64(sb, ev->keywords);
		mo_putc(sb, '"');
	}
}

/* CSV: kind,provider,provider_name,event,group,opcode,id,version,level,keywords, */
static void
csv_segment(struct alpcscope_dump_writer *w, struct strbuf *sb, const struct alpcscope_event *ev,
	    const char *name)
{
	const char *pn = NULL;

	if (ev->has_provider)
		pn = ev->is_kernel ? alpcscope_kernel_group_name(ev->group)
				   : alpcscope_provider_name(&ev->provider);
	mo_puts(sb, alpcscope_record_kind_name(ev->kind));
	mo_putc(sb, ',');
	if (ev->has_provider)
		mo_puts(sb, guid_text(w, &ev->provider));
	mo_putc(sb, ',');
	strbuf_add_csv_field(sb, pn ? pn : "", w->csv_raw);
	mo_putc(sb, ',');
	strbuf_add_csv_field(sb, name, w->csv_raw);
	mo_putc(sb, ',');
	if (ev->is_kernel)
		mo_sb_u64(sb, ev->group);
	mo_putc(sb, ',');
	mo_sb_u64(sb, ev->opcode);
	mo_putc(sb, ',');
	mo_sb_u64(sb, ev->event_id);
	mo_putc(sb, ',');
	mo_sb_u64(sb, ev->version);
	mo_putc(sb, ',');
	mo_sb_u64(sb, ev->level);
	mo_putc(sb, ',');
	mo_sb_hex64(sb, ev->keywords);
	mo_putc(sb, ',');
}

static void
write_text(struct alpcscope_dump_writer *w, const struct alpcscope_event *ev,
	   const struct alpcscope_decoded *d)
{
	struct strbuf *sb = &w->line;

	put_time(w, sb, ev->filetime_100ns);
	MO_LIT(sb, " #");
	mo_sb_u64(sb, ev->ordinal);
	MO_LIT(sb, " cpu");
	mo_sb_u64(sb, ev->processor);
	if (ev->process_id != ALPCSCOPE_ID_UNKNOWN) {
		MO_LIT(sb, " pid=");
		mo_sb_u64(sb, ev->process_id);
		MO_LIT(sb, " tid=");
		mo_sb_u64(sb, ev->thread_id);
		mo_putc(sb, ' ');
	} else {
		MO_LIT(sb, " pid=- tid=- ");
	}
	put_segment(w, sb, ev, event_name(w, ev, d), text_segment);
	if (d && d->kind != ALPCSCOPE_DECODED_GENERIC) {
		for (size_t i = 0; i < d->field_count; i++) {
			const struct alpcscope_field *f = &d->fields[i];
			bool quote = f->type == ALPCSCOPE_FIELD_STRING;

			mo_putc(sb, ' ');
			mo_puts(sb, f->name);
			mo_putc(sb, '=');
			if (quote)
				mo_putc(sb, '"');
			field_text(sb, f, &w->style);
			if (quote)
				mo_putc(sb, '"');
		}
	} else if (ev->payload_size) {
		MO_LIT(sb, " payload[");
		mo_sb_u64(sb, ev->payload_size);
		MO_LIT(sb, "]=");
		if (put_payload_hex(w, sb, ev->payload, ev->payload_size))
			MO_LIT(sb, "...");
	}
	mo_putc(sb, '\n');
}

static void
write_jsonl(struct alpcscope_dump_writer *w, const struct alpcscope_event *ev,
	    const struct alpcscope_decoded *d)
{
	struct strbuf *sb = &w->line;
	const char *name = event_name(w, ev, d);

	/* Timesketch's keys first, as messages and chains write them (docs/output-schema.md) */
	MO_LIT(sb, "{\"message\":");
	strbuf_reset(&w->field);
	if (ev->has_provider && !strchr(name, '/')) { /* "Provider/Event" names say it already */
		const char *pn = ev->is_kernel ? alpcscope_kernel_group_name(ev->group)
					       : alpcscope_provider_name(&ev->provider);

		mo_puts(&w->field, pn ? pn : guid_text(w, &ev->provider));
		mo_putc(&w->field, ' ');
	}
	mo_puts(&w->field, name);
	if (ev->process_id != ALPCSCOPE_ID_UNKNOWN) {
		MO_LIT(&w->field, " pid ");
		mo_sb_u64(&w->field, ev->process_id);
		MO_LIT(&w->field, " tid ");
		mo_sb_u64(&w->field, ev->thread_id);
	}
	put_json_string(sb, w->field.data ? w->field.data : "");
	MO_LIT(sb, ",\"datetime\":\"");
	size_t time_at = sb->len;

	put_time(w, sb, ev->filetime_100ns);
	size_t time_len = sb->len - time_at;

	MO_LIT(sb, "\",\"timestamp\":");
	mo_sb_i64(sb, (ev->filetime_100ns - UNIX_EPOCH_FILETIME) / 10);
	MO_LIT(sb, ",\"timestamp_desc\":\"Event logged\",\"ordinal\":");
	mo_sb_u64(sb, ev->ordinal);
	MO_LIT(sb, ",\"time\":\"");
	if (strbuf_reserve(sb, time_len)) { /* the same text as datetime */
		memcpy(sb->data + sb->len, sb->data + time_at, time_len);
		sb->len += time_len;
		sb->data[sb->len] = '\0';
	}
	MO_LIT(sb, "\",\"ticks\":");
	mo_sb_i64(sb, ev->timestamp_ticks);
	MO_LIT(sb, ",\"cpu\":");
	mo_sb_u64(sb, ev->processor);
	if (ev->process_id != ALPCSCOPE_ID_UNKNOWN) {
		MO_LIT(sb, ",\"pid\":");
		mo_sb_u64(sb, ev->process_id);
		MO_LIT(sb, ",\"tid\":");
		mo_sb_u64(sb, ev->thread_id);
	} else {
		MO_LIT(sb, ",\"pid\":null,\"tid\":null");
	}
	put_segment(w, sb, ev, name, jsonl_segment);
	MO_LIT(sb, ",\"file_offset\":");
	mo_sb_u64(sb, ev->file_offset);
	MO_LIT(sb, ",\"payload_size\":");
	mo_sb_u64(sb, ev->payload_size);
	if (d && d->kind != ALPCSCOPE_DECODED_GENERIC) {
		MO_LIT(sb, ",\"fields\":{");
		for (size_t i = 0; i < d->field_count; i++) {
			if (i)
				mo_putc(sb, ',');
			put_json_string(sb, d->fields[i].name);
			mo_putc(sb, ':');
			field_json(sb, &d->fields[i], &w->field, &w->style);
		}
		mo_putc(sb, '}');
	} else if (ev->payload_size) {
		MO_LIT(sb, ",\"payload\":\"");
		bool cut = put_payload_hex(w, sb, ev->payload, ev->payload_size);

		mo_putc(sb, '"');
		if (cut)
			MO_LIT(sb, ",\"payload_truncated\":true");
	}
	MO_LIT(sb, "}\n");
}

static void
write_csv(struct alpcscope_dump_writer *w, const struct alpcscope_event *ev,
	  const struct alpcscope_decoded *d)
{
	struct strbuf *sb = &w->line, *fb = &w->field;

	mo_sb_u64(sb, ev->ordinal);
	mo_putc(sb, ',');
	put_time(w, sb, ev->filetime_100ns);
	mo_putc(sb, ',');
	mo_sb_i64(sb, ev->timestamp_ticks);
	mo_putc(sb, ',');
	mo_sb_u64(sb, ev->processor);
	mo_putc(sb, ',');
	if (ev->process_id != ALPCSCOPE_ID_UNKNOWN) {
		mo_sb_u64(sb, ev->process_id);
		mo_putc(sb, ',');
		mo_sb_u64(sb, ev->thread_id);
		mo_putc(sb, ',');
	} else {
		MO_LIT(sb, ",,");
	}
	put_segment(w, sb, ev, event_name(w, ev, d), csv_segment);
	mo_sb_u64(sb, ev->file_offset);
	mo_putc(sb, ',');
	mo_sb_u64(sb, ev->payload_size);
	mo_putc(sb, ',');
	strbuf_reset(fb);
	if (d && d->kind != ALPCSCOPE_DECODED_GENERIC) {
		for (size_t i = 0; i < d->field_count; i++) {
			if (i)
				mo_putc(fb, ';');
			mo_puts(fb, d->fields[i].name);
			mo_putc(fb, '=');
			field_text(fb, &d->fields[i], &w->style);
		}
	} else if (ev->payload_size) {
		MO_LIT(fb, "payload=");
		if (put_payload_hex(w, fb, ev->payload, ev->payload_size))
			MO_LIT(fb, "...");
	}
	strbuf_add_csv_field(sb, fb->data ? fb->data : "", w->csv_raw);
	mo_putc(sb, '\n');
}

/* Write the collected rows. */
static enum alpcscope_status
flush_rows(struct alpcscope_dump_writer *w, struct alpcscope_error *err)
{
	if (w->line.len && !w->write_failed &&
	    fwrite(w->line.data, 1, w->line.len, w->out) != w->line.len)
		w->write_failed = true;
	strbuf_reset(&w->line);
	if (w->write_failed)
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "write failed");
	return ALPCSCOPE_OK;
}

enum alpcscope_status
alpcscope_dump_writer_event(struct alpcscope_dump_writer *w, const struct alpcscope_event *ev,
			    const struct alpcscope_decoded *d, struct alpcscope_error *err)
{
	struct alpcscope_decoded copy;

	d = with_symbols(w, ev, d, &copy);
	switch (w->fmt) {
	case ALPCSCOPE_DUMP_TEXT: write_text(w, ev, d); break;
	case ALPCSCOPE_DUMP_JSONL: write_jsonl(w, ev, d); break;
	case ALPCSCOPE_DUMP_CSV: write_csv(w, ev, d); break;
	case ALPCSCOPE_DUMP_XML: return xml_dump_event(w->xml, ev, d, err);
	}
	if (w->line.oom || w->field.oom || w->name.oom || w->time.tmp.oom)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	if (w->line.len >= ROW_BATCH || w->write_failed)
		return flush_rows(w, err);
	return ALPCSCOPE_OK;
}

enum alpcscope_status
alpcscope_dump_writer_flush(struct alpcscope_dump_writer *w, struct alpcscope_error *err)
{
	if (!w)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "NULL argument");
	return flush_rows(w, err);
}

void
alpcscope_dump_writer_free(struct alpcscope_dump_writer *w)
{
	if (!w)
		return;
	(void)flush_rows(w, NULL);
	strbuf_free(&w->line);
	strbuf_free(&w->field);
	strbuf_free(&w->name);
	mo_cache_free(&w->time);
	free(w->segments);
	strbuf_free(&w->symbols);
	free(w->fields);
	xml_dump_free(w->xml); /* ends the XML document */
	free(w);
}

void
alpcscope_dump_writer_set_csv_raw(struct alpcscope_dump_writer *w, bool raw)
{
	if (w)
		w->csv_raw = raw;
}
