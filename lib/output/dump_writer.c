/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope dump` writers: header fields plus decoded fields by name, one
 * event per line as text, JSON Lines or CSV. Lines are built in one reusable
 * strbuf, so writing an event allocates nothing once the buffer has grown.
 * JSON is escaped here rather than through json-c: json-c has no streaming
 * writer and would allocate a tree per event on this hot path.
 */
#include <alpcscope/dump.h>
#include <alpcscope/reader.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/field_text.h"
#include "output/xml_writer.h" /* ALPCSCOPE_DUMP_XML lives in xml_writer.c */
#include "util/error.h"
#include "util/strbuf.h"

struct alpcscope_dump_writer {
	enum alpcscope_dump_format fmt;
	FILE *out;
	struct strbuf line;
	struct strbuf field;  /* one field's text, for CSV quoting */
	struct xml_dump *xml; /* ALPCSCOPE_DUMP_XML */
};

static const char *
event_name(const struct alpcscope_event *ev, const struct alpcscope_decoded *d, char *buf, size_t n)
{
	if (d && d->name)
		return d->name;
	if (ev->is_kernel) {
		const char *on = alpcscope_kernel_opcode_name(ev->group, ev->opcode);
		const char *gn = alpcscope_kernel_group_name(ev->group);

		if (on)
			return on;
		snprintf(buf, n, "%s/%u", gn ? gn : "Group", ev->opcode);
		return buf;
	}
	if (ev->kind == ALPCSCOPE_RECORD_WPP_MESSAGE)
		snprintf(buf, n, "msg%u", ev->event_id);
	else if (ev->kind >= ALPCSCOPE_RECORD_FULL32 && ev->kind <= ALPCSCOPE_RECORD_INSTANCE64)
		snprintf(buf, n, "op%u", ev->opcode);
	else
		snprintf(buf, n, "id%u/op%u", ev->event_id, ev->opcode);
	return buf;
}

static void
field_json(struct strbuf *sb, const struct alpcscope_field *f, struct strbuf *tmp)
{
	switch (f->type) {
	case ALPCSCOPE_FIELD_UINT: strbuf_printf(sb, "%" PRIu64, f->value.u); break;
	case ALPCSCOPE_FIELD_INT: strbuf_printf(sb, "%" PRId64, f->value.i); break;
	case ALPCSCOPE_FIELD_BOOL: strbuf_adds(sb, f->value.b ? "true" : "false"); break;
	case ALPCSCOPE_FIELD_ADDRESSES:
		strbuf_addc(sb, '[');
		for (size_t i = 0; i < f->value.addresses.count; i++)
			strbuf_printf(sb, "%s\"0x%" PRIx64 "\"", i ? "," : "",
				      f->value.addresses.items[i]);
		strbuf_addc(sb, ']');
		break;
	default:
		strbuf_reset(tmp);
		field_text(tmp, f, &field_text_dump);
		strbuf_add_json_string(sb, tmp->data ? tmp->data : "");
		break;
	}
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

static void
write_text(struct alpcscope_dump_writer *w, const struct alpcscope_event *ev,
	   const struct alpcscope_decoded *d)
{
	struct strbuf *sb = &w->line;
	char t[40], nb[48], g[ALPCSCOPE_GUID_STR_SIZE];

	alpcscope_filetime_format(t, sizeof(t), ev->filetime_100ns);
	strbuf_printf(sb, "%s #%" PRIu64 " cpu%u ", t, ev->ordinal, ev->processor);
	if (ev->process_id != ALPCSCOPE_ID_UNKNOWN)
		strbuf_printf(sb, "pid=%u tid=%u ", ev->process_id, ev->thread_id);
	else
		strbuf_adds(sb, "pid=- tid=- ");
	strbuf_printf(sb, "%s ", alpcscope_record_kind_name(ev->kind));
	if (!ev->is_kernel && ev->has_provider) {
		const char *pn = alpcscope_provider_name(&ev->provider);

		alpcscope_guid_format(g, &ev->provider);
		strbuf_adds(sb, pn ? pn : g);
		strbuf_addc(sb, ' ');
	}
	strbuf_adds(sb, event_name(ev, d, nb, sizeof(nb)));
	strbuf_printf(sb, " v%u", ev->version);
	if (d && d->kind != ALPCSCOPE_DECODED_GENERIC) {
		for (size_t i = 0; i < d->field_count; i++) {
			const struct alpcscope_field *f = &d->fields[i];
			bool quote = f->type == ALPCSCOPE_FIELD_STRING;

			strbuf_printf(sb, " %s=", f->name);
			if (quote)
				strbuf_addc(sb, '"');
			field_text(sb, f, &field_text_dump);
			if (quote)
				strbuf_addc(sb, '"');
		}
	} else if (ev->payload_size) {
		strbuf_printf(sb, " payload[%zu]=", ev->payload_size);
		strbuf_add_hex(sb, ev->payload,
			       ev->payload_size > RAW_PAYLOAD_SHOWN ? RAW_PAYLOAD_SHOWN
								    : ev->payload_size);
		if (ev->payload_size > RAW_PAYLOAD_SHOWN)
			strbuf_adds(sb, "...");
	}
	strbuf_addc(sb, '\n');
}

static void
write_jsonl(struct alpcscope_dump_writer *w, const struct alpcscope_event *ev,
	    const struct alpcscope_decoded *d)
{
	struct strbuf *sb = &w->line;
	char t[40], nb[48], g[ALPCSCOPE_GUID_STR_SIZE];

	alpcscope_filetime_format(t, sizeof(t), ev->filetime_100ns);
	strbuf_printf(sb,
		      "{\"ordinal\":%" PRIu64 ",\"time\":\"%s\",\"ticks\":%" PRId64 ",\"cpu\":%u",
		      ev->ordinal, t, ev->timestamp_ticks, ev->processor);
	if (ev->process_id != ALPCSCOPE_ID_UNKNOWN)
		strbuf_printf(sb, ",\"pid\":%u,\"tid\":%u", ev->process_id, ev->thread_id);
	else
		strbuf_adds(sb, ",\"pid\":null,\"tid\":null");
	strbuf_printf(sb, ",\"kind\":\"%s\"", alpcscope_record_kind_name(ev->kind));
	if (ev->has_provider) {
		const char *pn = ev->is_kernel ? alpcscope_kernel_group_name(ev->group)
					       : alpcscope_provider_name(&ev->provider);

		alpcscope_guid_format(g, &ev->provider);
		strbuf_printf(sb, ",\"provider\":\"%s\"", g);
		if (pn) {
			strbuf_adds(sb, ",\"provider_name\":");
			strbuf_add_json_string(sb, pn);
		}
	}
	strbuf_adds(sb, ",\"event\":");
	strbuf_add_json_string(sb, event_name(ev, d, nb, sizeof(nb)));
	if (ev->is_kernel)
		strbuf_printf(sb, ",\"group\":%u", ev->group);
	strbuf_printf(sb, ",\"opcode\":%u,\"id\":%u,\"version\":%u,\"level\":%u", ev->opcode,
		      ev->event_id, ev->version, ev->level);
	if (ev->keywords)
		strbuf_printf(sb, ",\"keywords\":\"0x%" PRIx64 "\"", ev->keywords);
	strbuf_printf(sb, ",\"file_offset\":%" PRIu64 ",\"payload_size\":%zu", ev->file_offset,
		      ev->payload_size);
	if (d && d->kind != ALPCSCOPE_DECODED_GENERIC) {
		strbuf_adds(sb, ",\"fields\":{");
		for (size_t i = 0; i < d->field_count; i++) {
			if (i)
				strbuf_addc(sb, ',');
			strbuf_add_json_string(sb, d->fields[i].name);
			strbuf_addc(sb, ':');
			field_json(sb, &d->fields[i], &w->field);
		}
		strbuf_addc(sb, '}');
	} else if (ev->payload_size) {
		strbuf_adds(sb, ",\"payload\":\"");
		strbuf_add_hex(sb, ev->payload,
			       ev->payload_size > RAW_PAYLOAD_SHOWN ? RAW_PAYLOAD_SHOWN
								    : ev->payload_size);
		strbuf_addc(sb, '"');
	}
	strbuf_adds(sb, "}\n");
}

static void
write_csv(struct alpcscope_dump_writer *w, const struct alpcscope_event *ev,
	  const struct alpcscope_decoded *d)
{
	struct strbuf *sb = &w->line, *fb = &w->field;
	char t[40], nb[48], g[ALPCSCOPE_GUID_STR_SIZE] = "";
	const char *pn = NULL;

	alpcscope_filetime_format(t, sizeof(t), ev->filetime_100ns);
	if (ev->has_provider) {
		alpcscope_guid_format(g, &ev->provider);
		pn = ev->is_kernel ? alpcscope_kernel_group_name(ev->group)
				   : alpcscope_provider_name(&ev->provider);
	}
	strbuf_printf(sb, "%" PRIu64 ",%s,%" PRId64 ",%u,", ev->ordinal, t, ev->timestamp_ticks,
		      ev->processor);
	if (ev->process_id != ALPCSCOPE_ID_UNKNOWN)
		strbuf_printf(sb, "%u,%u,", ev->process_id, ev->thread_id);
	else
		strbuf_adds(sb, ",,");
	strbuf_printf(sb, "%s,%s,", alpcscope_record_kind_name(ev->kind), g);
	strbuf_add_csv_field(sb, pn ? pn : "");
	strbuf_addc(sb, ',');
	strbuf_add_csv_field(sb, event_name(ev, d, nb, sizeof(nb)));
	strbuf_addc(sb, ',');
	if (ev->is_kernel)
		strbuf_printf(sb, "%u", ev->group);
	strbuf_printf(sb, ",%u,%u,%u,%u,0x%" PRIx64 ",%" PRIu64 ",%zu,", ev->opcode, ev->event_id,
		      ev->version, ev->level, ev->keywords, ev->file_offset, ev->payload_size);
	strbuf_reset(fb);
	if (d && d->kind != ALPCSCOPE_DECODED_GENERIC) {
		for (size_t i = 0; i < d->field_count; i++) {
			strbuf_printf(fb, "%s%s=", i ? ";" : "", d->fields[i].name);
			field_text(fb, &d->fields[i], &field_text_dump);
		}
	} else if (ev->payload_size) {
		strbuf_adds(fb, "payload=");
		strbuf_add_hex(fb, ev->payload,
			       ev->payload_size > RAW_PAYLOAD_SHOWN ? RAW_PAYLOAD_SHOWN
								    : ev->payload_size);
	}
	strbuf_add_csv_field(sb, fb->data ? fb->data : "");
	strbuf_addc(sb, '\n');
}

enum alpcscope_status
alpcscope_dump_writer_event(struct alpcscope_dump_writer *w, const struct alpcscope_event *ev,
			    const struct alpcscope_decoded *d, struct alpcscope_error *err)
{
	strbuf_reset(&w->line);
	switch (w->fmt) {
	case ALPCSCOPE_DUMP_TEXT: write_text(w, ev, d); break;
	case ALPCSCOPE_DUMP_JSONL: write_jsonl(w, ev, d); break;
	case ALPCSCOPE_DUMP_CSV: write_csv(w, ev, d); break;
	case ALPCSCOPE_DUMP_XML: return xml_dump_event(w->xml, ev, d, err);
	}
	if (w->line.oom || w->field.oom)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	if (fwrite(w->line.data, 1, w->line.len, w->out) != w->line.len)
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "write failed");
	return ALPCSCOPE_OK;
}

void
alpcscope_dump_writer_free(struct alpcscope_dump_writer *w)
{
	if (!w)
		return;
	strbuf_free(&w->line);
	strbuf_free(&w->field);
	xml_dump_free(w->xml); /* ends the XML document */
	free(w);
}
