/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope messages`: one row per ALPC message of a finished model, in
 * message index (trace) order, as text, one JSON document, JSON lines
 * (Timesketch-ready: message, datetime, timestamp_desc) or CSV. Columns and
 * keys: docs/output-schema.md §messages.
 */
#include <alpcscope/model.h>

#include <inttypes.h>
#include <string.h>

#include "output/model_output.h"
#include "output/xml_analysis_writer.h"
#include "util/error.h"

/* FILETIME of 1970-01-01 (100 ns units since 1601). */
#define UNIX_EPOCH_FILETIME 116444736000000000ll

struct row {
	uint32_t index;
	const struct alpcscope_message *msg;
	struct mo_party client, server;
	char time[MO_TIME_SIZE];
	char send_time[MO_TIME_SIZE];
	char receive_time[MO_TIME_SIZE];
	char latency[32];
	int64_t latency_100ns;
	char evidence[256];
	char id[16];
	const char *kind;
	const char *role;
	const char *port;
};

static const char *
role_name(uint8_t role)
{
	switch (role) {
	case ALPCSCOPE_ROLE_REQUEST: return "request";
	case ALPCSCOPE_ROLE_REPLY: return "reply";
	default: return "unknown";
	}
}

static void
fill_row(const struct alpcscope_model *m, uint32_t i, struct row *r)
{
	const struct alpcscope_message *msg = alpcscope_model_message_at(m, i);

	r->index = i;
	r->msg = msg;
	mo_client_server(m, msg, &r->client, &r->server);
	mo_time(r->time, mo_message_time(msg));
	mo_time(r->send_time, msg->send.thread != ALPCSCOPE_NONE ? msg->send.filetime_100ns : 0);
	mo_time(r->receive_time,
		msg->receive.thread != ALPCSCOPE_NONE ? msg->receive.filetime_100ns : 0);
	r->latency_100ns = mo_latency(m, msg);
	mo_latency_str(r->latency, sizeof(r->latency), r->latency_100ns);
	mo_evidence(r->evidence, sizeof(r->evidence), mo_shown_evidence(m, msg));
	snprintf(r->id, sizeof(r->id), "0x%x", msg->message_id);
	r->kind = alpcscope_message_kind_name((enum alpcscope_message_kind)msg->kind);
	r->role = role_name(msg->role);
	r->port = alpcscope_model_port_name(m, msg->port);
}

static void
party_text(char *out, size_t size, const struct mo_party *p)
{
	if (p->process == ALPCSCOPE_NONE && p->tid == ALPCSCOPE_ID_UNKNOWN)
		snprintf(out, size, "?");
	else
		snprintf(out, size, "%s %u/%u", p->label, p->pid, p->tid);
}

static void
write_stack_text(const struct alpcscope_model *m, FILE *out, const char *what, uint32_t stack)
{
	const struct alpcscope_stack *s = alpcscope_model_stack_at(m, stack);
	char buf[300];

	if (!s)
		return;
	fprintf(out, "        %s stack:\n", what);
	for (uint32_t i = 0; i < s->frame_count; i++)
		fprintf(out, "          %s\n",
			alpcscope_model_format_frame(m, s, i, buf, sizeof(buf)));
}

static void
write_text_row(const struct alpcscope_model *m, const struct alpcscope_write_options *o, FILE *out,
	       const struct row *r)
{
	char c[320], s[320];

	party_text(c, sizeof(c), &r->client);
	party_text(s, sizeof(s), &r->server);
	fprintf(out, "#%-6u %s %-16s %-10s %s -> %s  %s", r->index, r->time, r->kind, r->id, c, s,
		r->latency);
	if (r->port)
		fprintf(out, "  port=%s", r->port);
	if (r->msg->related != ALPCSCOPE_NONE)
		fprintf(out, "  %s=#%u", r->msg->role == ALPCSCOPE_ROLE_REPLY ? "request" : "reply",
			r->msg->related);
	if (r->msg->parent != ALPCSCOPE_NONE)
		fprintf(out, "  parent=#%u", r->msg->parent);
	fprintf(out, "  evidence=%s\n", r->evidence);
	if (o->stacks) {
		write_stack_text(m, out, "send", r->msg->send.stack);
		write_stack_text(m, out, "receive", r->msg->receive.stack);
	}
}

static json_object *
row_json(const struct alpcscope_model *m, const struct alpcscope_write_options *o,
	 const struct row *r, bool timesketch)
{
	json_object *j = json_object_new_object();
	const struct alpcscope_message *msg = r->msg;

	if (timesketch) {
		char text[1024], c[320], sv[320];
		int64_t ft = mo_message_time(msg);

		party_text(c, sizeof(c), &r->client);
		party_text(sv, sizeof(sv), &r->server);
		snprintf(text, sizeof(text), "ALPC %s %s: %s -> %s%s%s", r->kind, r->id, c, sv,
			 r->port ? " port " : "", r->port ? r->port : "");
		json_object_object_add(j, "message", mo_jstr(text));
		json_object_object_add(j, "datetime", mo_jstr(r->time));
		json_object_object_add(j, "timestamp", mo_ji64((ft - UNIX_EPOCH_FILETIME) / 10));
		json_object_object_add(
		    j, "timestamp_desc",
		    mo_jstr(msg->send.thread != ALPCSCOPE_NONE ? "ALPC Send" : "ALPC Receive"));
	}
	json_object_object_add(j, "index", mo_ju64(r->index));
	if (!timesketch)
		json_object_object_add(j, "time", mo_jstr(r->time));
	json_object_object_add(j, "kind", mo_jstr(r->kind));
	json_object_object_add(j, "role", mo_jstr(r->role));
	json_object_object_add(j, "message_id", mo_ju64(msg->message_id));
	json_object_object_add(j, "client_pid", mo_jid(r->client.pid));
	json_object_object_add(j, "client_tid", mo_jid(r->client.tid));
	json_object_object_add(j, "client_process", mo_jstr(r->client.label));
	json_object_object_add(j, "server_pid", mo_jid(r->server.pid));
	json_object_object_add(j, "server_tid", mo_jid(r->server.tid));
	json_object_object_add(j, "server_process", mo_jstr(r->server.label));
	json_object_object_add(j, "port", mo_jstr(r->port));
	json_object_object_add(
	    j, "latency_us",
	    r->latency_100ns < 0 ? NULL : json_object_new_double((double)r->latency_100ns / 10.0));
	json_object_object_add(j, "evidence", mo_jstr(r->evidence));
	json_object_object_add(j, "related",
			       msg->related == ALPCSCOPE_NONE ? NULL : mo_ju64(msg->related));
	json_object_object_add(j, "parent",
			       msg->parent == ALPCSCOPE_NONE ? NULL : mo_ju64(msg->parent));
	json_object_object_add(j, "send", mo_jevent(m, &msg->send, o->stacks));
	json_object_object_add(j, "receive", mo_jevent(m, &msg->receive, o->stacks));
	return j;
}

static const char *const csv_header =
    "index,time,kind,role,message_id,client_pid,client_tid,client_process,server_pid,"
    "server_tid,server_process,port,latency_us,evidence,related,parent,send_time,send_ordinal,"
    "send_file_offset,receive_time,receive_ordinal,receive_file_offset";

static void
csv_u32(FILE *out, uint32_t v)
{
	if (v != ALPCSCOPE_NONE)
		fprintf(out, "%u", v);
}

static void
write_csv_row(FILE *out, const struct row *r)
{
	const struct alpcscope_message *msg = r->msg;

	fprintf(out, "%u,%s,%s,%s,%s,", r->index, r->time, r->kind, r->role, r->id);
	csv_u32(out, r->client.pid);
	fputc(',', out);
	csv_u32(out, r->client.tid);
	fputc(',', out);
	mo_csv_field(out, r->client.label);
	fputc(',', out);
	csv_u32(out, r->server.pid);
	fputc(',', out);
	csv_u32(out, r->server.tid);
	fputc(',', out);
	mo_csv_field(out, r->server.label);
	fputc(',', out);
	mo_csv_field(out, r->port);
	fputc(',', out);
	if (r->latency_100ns >= 0)
		fprintf(out, "%" PRId64 ".%" PRId64, r->latency_100ns / 10, r->latency_100ns % 10);
	fprintf(out, ",%s,", r->evidence);
	csv_u32(out, msg->related);
	fputc(',', out);
	csv_u32(out, msg->parent);
	if (msg->send.thread != ALPCSCOPE_NONE)
		fprintf(out, ",%s,%" PRIu64 ",%" PRIu64, r->send_time, msg->send.ordinal,
			msg->send.file_offset);
	else
		fputs(",,,", out);
	if (msg->receive.thread != ALPCSCOPE_NONE)
		fprintf(out, ",%s,%" PRIu64 ",%" PRIu64 "\n", r->receive_time, msg->receive.ordinal,
			msg->receive.file_offset);
	else
		fputs(",,,\n", out);
}

static json_object *
stats_json(const struct alpcscope_model *m)
{
	const struct alpcscope_model_stats *st = alpcscope_model_stats(m);
	json_object *j = json_object_new_object(), *k = json_object_new_object();

	for (int i = 0; i < ALPCSCOPE_MESSAGE_KIND_COUNT; i++)
		json_object_object_add(k,
				       alpcscope_message_kind_name((enum alpcscope_message_kind)i),
				       mo_ju64(st->messages_by_kind[i]));
	json_object_object_add(j, "messages", mo_ju64(alpcscope_model_message_count(m)));
	json_object_object_add(j, "by_kind", k);
	json_object_object_add(j, "replies_same_id", mo_ju64(st->replies_same_id));
	json_object_object_add(j, "replies_new_id", mo_ju64(st->replies_new_id));
	json_object_object_add(j, "pending_expired", mo_ju64(st->pending_expired));
	json_object_object_add(j, "stacks_attached", mo_ju64(st->stacks_attached));
	json_object_object_add(j, "stacks_unmatched", mo_ju64(st->stacks_unmatched));
	json_object_object_add(j, "stack_refs_unresolved", mo_ju64(st->stack_refs_unresolved));
	return j;
}

static void
write_text_header(const struct alpcscope_model *m, const struct alpcscope_write_options *o,
		  FILE *out)
{
	const struct alpcscope_model_stats *st = alpcscope_model_stats(m);

	fprintf(out, "# alpcscope messages%s%s\n", o->trace_path ? ": " : "",
		o->trace_path ? o->trace_path : "");
	fprintf(out, "# %u messages:", alpcscope_model_message_count(m));
	for (int i = 0; i < ALPCSCOPE_MESSAGE_KIND_COUNT; i++)
		fprintf(out, " %s %" PRIu64 "%s",
			alpcscope_message_kind_name((enum alpcscope_message_kind)i),
			st->messages_by_kind[i], i + 1 < ALPCSCOPE_MESSAGE_KIND_COUNT ? "," : "\n");
	fprintf(out,
		"# replies paired by same ID %" PRIu64 ", by new ID %" PRIu64
		"; sends expired %" PRIu64 "\n",
		st->replies_same_id, st->replies_new_id, st->pending_expired);
	fprintf(out, "# columns: #index time kind message-id client pid/tid -> server pid/tid "
		     "latency [port] [reply|request] [parent] evidence\n");
}

enum alpcscope_status
alpcscope_messages_write(const struct alpcscope_model *m, const struct alpcscope_write_options *o,
			 FILE *out, struct alpcscope_error *err)
{
	struct alpcscope_write_options defaults = ALPCSCOPE_WRITE_OPTIONS_INIT;
	bool first = true;

	if (!m || !out)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "NULL argument");
	if (!o)
		o = &defaults;
	if (o->version != ALPCSCOPE_WRITE_OPTIONS_VERSION)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "unknown write options version");
	if (o->format == ALPCSCOPE_OUTPUT_XML) /* xml_analysis_writer.c */
		return xml_messages_write(m, o, out, err);
	switch (o->format) {
	case ALPCSCOPE_OUTPUT_XML: break; /* handled above */
	case ALPCSCOPE_OUTPUT_TEXT: write_text_header(m, o, out); break;
	case ALPCSCOPE_OUTPUT_CSV: fprintf(out, "%s\n", csv_header); break;
	case ALPCSCOPE_OUTPUT_JSON: {
		json_object *s = stats_json(m);

		fputs("{\"trace\":", out);
		if (o->trace_path) {
			json_object *p = json_object_new_string(o->trace_path);

			mo_json_write(out, p);
			json_object_put(p);
		} else {
			fputs("null", out);
		}
		fputs(",\"stats\":", out);
		mo_json_write(out, s);
		json_object_put(s);
		fputs(",\"messages\":[", out);
		break;
	}
	case ALPCSCOPE_OUTPUT_JSONL: break;
	}
	uint32_t n = alpcscope_model_message_count(m);

	for (uint32_t i = 0; i < n; i++) {
		struct row r;

		if (o->message_filter && !o->message_filter(o->filter_ctx, m, i))
			continue;
		fill_row(m, i, &r);
		switch (o->format) {
		case ALPCSCOPE_OUTPUT_XML: break; /* handled above */
		case ALPCSCOPE_OUTPUT_TEXT: write_text_row(m, o, out, &r); break;
		case ALPCSCOPE_OUTPUT_CSV: write_csv_row(out, &r); break;
		case ALPCSCOPE_OUTPUT_JSON:
		case ALPCSCOPE_OUTPUT_JSONL: {
			json_object *j = row_json(m, o, &r, o->format == ALPCSCOPE_OUTPUT_JSONL);

			if (o->format == ALPCSCOPE_OUTPUT_JSON && !first)
				fputc(',', out);
			if (o->format == ALPCSCOPE_OUTPUT_JSON)
				fputc('\n', out);
			mo_json_write(out, j);
			if (o->format == ALPCSCOPE_OUTPUT_JSONL)
				fputc('\n', out);
			json_object_put(j);
			break;
		}
		}
		first = false;
	}
	if (o->format == ALPCSCOPE_OUTPUT_JSON)
		fputs("\n]}\n", out);
	if (fflush(out) != 0 || ferror(out))
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "write error");
	return ALPCSCOPE_OK;
}
