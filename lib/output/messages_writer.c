/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope messages`: one row per ALPC message of a finished model, in
 * message index (trace) order, as text, one JSON document, JSON lines
 * (Timesketch-ready: message, datetime, timestamp_desc) or CSV. Columns and
 * keys: docs/output-schema.md §messages. In traces with RPC or WMI-Activity
 * events a request row also carries the RPC call and the WMI operation it
 * belongs to (rpc_output.c, as the chains writer shows them).
 */
#include <alpcscope/model.h>

#include <inttypes.h>
#include <string.h>

#include "output/model_output.h"
#include "output/rpc_output.h"
#include "output/xml_analysis_writer.h"
#include "util/error.h"
#include "util/strbuf.h"

/* FILETIME of 1970-01-01 (100 ns units since 1601). */
#define UNIX_EPOCH_FILETIME 116444736000000000ll

struct row {
	uint32_t index;
	const struct alpcscope_message *msg;
	struct mo_fparty client, server;
	int64_t latency_100ns;
	uint16_t evidence;
	const char *kind;
	const char *role;
	const char *port;
	bool rpc_wmi; /* the trace has RPC/WMI events: look this message up */
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
fill_row(struct mo_cache *c, uint32_t i, struct row *r)
{
	const struct alpcscope_model *m = c->m;
	const struct alpcscope_message *msg = alpcscope_model_message_at(m, i);

	r->index = i;
	r->msg = msg;
	mo_fclient_server(c, msg, &r->client, &r->server);
	r->latency_100ns = mo_latency(m, msg);
	r->evidence = mo_shown_evidence(m, msg);
	r->kind = alpcscope_message_kind_name((enum alpcscope_message_kind)msg->kind);
	r->role = role_name(msg->role);
	r->port = alpcscope_model_port_name(m, msg->port);
}

/* "  iface=... op=..." and "  wmi=..." when the message has them. */
static void
rpc_wmi_text(const struct alpcscope_model *m, struct strbuf *sb, const struct row *r)
{
	char buf[1400];

	if (!r->rpc_wmi)
		return;
	if (ro_rpc_text(m, r->index, buf, sizeof(buf))) {
		MO_LIT(sb, "  ");
		mo_sb_text(sb, buf);
	}
	if (ro_wmi_text(m, r->index, buf, sizeof(buf))) {
		MO_LIT(sb, "  wmi=");
		mo_sb_text(sb, buf);
	}
}

/* ,"rpc":{...},"wmi":{...} with the chains writer's keys, each only when present. */
static void
rpc_wmi_json(const struct alpcscope_model *m, struct strbuf *sb, const struct row *r)
{
	json_object *x;

	if (!r->rpc_wmi)
		return;
	if ((x = ro_rpc_json(m, r->index))) {
		MO_LIT(sb, ",\"rpc\":");
		mo_sb_json(sb, x);
		json_object_put(x);
	}
	if ((x = ro_wmi_json(m, r->index))) {
		MO_LIT(sb, ",\"wmi\":");
		mo_sb_json(sb, x);
		json_object_put(x);
	}
}

/* "label pid/tid", or "?" when neither process nor thread is known. */
static void
party_text(struct strbuf *sb, const struct mo_fparty *p)
{
	if (p->process == ALPCSCOPE_NONE && p->tid == ALPCSCOPE_ID_UNKNOWN) {
		mo_putc(sb, '?');
		return;
	}
	mo_sb_text(sb, p->label);
	mo_putc(sb, ' ');
	mo_sb_u64(sb, p->pid);
	mo_putc(sb, '/');
	mo_sb_u64(sb, p->tid);
}

static void
write_stack_text(struct mo_cache *c, struct strbuf *sb, const char *what, uint32_t stack)
{
	const struct alpcscope_stack *s = alpcscope_model_stack_at(c->m, stack);
	char buf[MO_FRAME_SIZE];

	if (!s)
		return;
	strbuf_printf(sb, "        %s stack:\n", what);
	for (uint32_t i = 0; i < s->frame_count; i++) {
		MO_LIT(sb, "          ");
		mo_sb_text(sb, mo_frame(c, s, i, NULL, buf, sizeof(buf)));
		mo_putc(sb, '\n');
	}
}

static void
write_text_row(struct mo_cache *c, const struct alpcscope_write_options *o, struct strbuf *sb,
	       const struct row *r)
{
	char id[16];

	mo_putc(sb, '#');
	size_t start = sb->len;

	mo_sb_u64(sb, r->index);
	while (sb->len < start + 6)
		mo_putc(sb, ' ');
	mo_putc(sb, ' ');
	mo_sb_time(c, sb, mo_message_time(r->msg));
	mo_putc(sb, ' ');
	mo_sb_pad(sb, r->kind, 16);
	mo_putc(sb, ' ');
	start = sb->len;
	mo_sb_hex32(sb, r->msg->message_id);
	mo_sb_cut(sb, start, sizeof(id) - 1);
	while (sb->len < start + 10)
		mo_putc(sb, ' ');
	mo_putc(sb, ' ');
	party_text(sb, &r->client);
	MO_LIT(sb, " -> ");
	party_text(sb, &r->server);
	MO_LIT(sb, "  ");
	mo_sb_latency(sb, r->latency_100ns);
	if (r->port) {
		MO_LIT(sb, "  port=");
		mo_sb_text(sb, r->port);
	}
	if (r->msg->related != ALPCSCOPE_NONE) {
		mo_puts(sb, r->msg->role == ALPCSCOPE_ROLE_REPLY ? "  request=#" : "  reply=#");
		mo_sb_u64(sb, r->msg->related);
	}
	if (r->msg->parent != ALPCSCOPE_NONE) {
		MO_LIT(sb, "  parent=#");
		mo_sb_u64(sb, r->msg->parent);
	}
	MO_LIT(sb, "  evidence=");
	mo_sb_evidence(sb, r->evidence);
	rpc_wmi_text(c->m, sb, r);
	mo_putc(sb, '\n');
	if (o->stacks) {
		write_stack_text(c, sb, "send", r->msg->send.stack);
		write_stack_text(c, sb, "receive", r->msg->receive.stack);
	}
}

static void
row_json(struct mo_cache *c, const struct alpcscope_write_options *o, struct strbuf *sb,
	 struct strbuf *tmp, const struct row *r, bool timesketch)
{
	const struct alpcscope_message *msg = r->msg;

	mo_putc(sb, '{');
	if (timesketch) {
		int64_t ft = mo_message_time(msg);

		/* the message text was an snprintf into char[1024]: cut to 1023 bytes */
		strbuf_reset(tmp);
		MO_LIT(tmp, "ALPC ");
		mo_puts(tmp, r->kind);
		mo_putc(tmp, ' ');
		mo_sb_hex32(tmp, msg->message_id);
		MO_LIT(tmp, ": ");
		party_text(tmp, &r->client);
		MO_LIT(tmp, " -> ");
		party_text(tmp, &r->server);
		if (r->port) {
			MO_LIT(tmp, " port ");
			mo_puts(tmp, r->port);
		}
		mo_sb_cut(tmp, 0, 1023);
		MO_LIT(sb, "\"message\":");
		mo_sb_jstr(sb, tmp->data ? tmp->data : "");
		MO_LIT(sb, ",\"datetime\":");
		mo_putc(sb, '"');
		mo_sb_time(c, sb, ft);
		mo_putc(sb, '"');
		MO_LIT(sb, ",\"timestamp\":");
		mo_sb_i64(sb, (ft - UNIX_EPOCH_FILETIME) / 10);
		MO_LIT(sb, ",\"timestamp_desc\":");
		mo_puts(sb,
			msg->send.thread != ALPCSCOPE_NONE ? "\"ALPC Send\"" : "\"ALPC Receive\"");
		mo_putc(sb, ',');
	}
	MO_LIT(sb, "\"index\":");
	mo_sb_u64(sb, r->index);
	if (!timesketch) {
		MO_LIT(sb, ",\"time\":");
		mo_putc(sb, '"');
		mo_sb_time(c, sb, mo_message_time(msg));
		mo_putc(sb, '"');
	}
	MO_LIT(sb, ",\"kind\":");
	mo_sb_jstr(sb, r->kind);
	MO_LIT(sb, ",\"role\":");
	mo_sb_jstr(sb, r->role);
	MO_LIT(sb, ",\"message_id\":");
	mo_sb_u64(sb, msg->message_id);
	MO_LIT(sb, ",\"message_id_hex\":\"");
	mo_sb_hex32(sb, msg->message_id);
	mo_putc(sb, '"');
	MO_LIT(sb, ",\"client_pid\":");
	mo_sb_jid(sb, r->client.pid);
	MO_LIT(sb, ",\"client_tid\":");
	mo_sb_jid(sb, r->client.tid);
	MO_LIT(sb, ",\"client_process\":");
	mo_sb_jlabel(c, sb, r->client.process);
	MO_LIT(sb, ",\"server_pid\":");
	mo_sb_jid(sb, r->server.pid);
	MO_LIT(sb, ",\"server_tid\":");
	mo_sb_jid(sb, r->server.tid);
	MO_LIT(sb, ",\"server_process\":");
	mo_sb_jlabel(c, sb, r->server.process);
	MO_LIT(sb, ",\"port\":");
	mo_sb_jstr(sb, r->port);
	MO_LIT(sb, ",\"latency_us\":");
	mo_sb_jlatency_us(sb, r->latency_100ns);
	MO_LIT(sb, ",\"evidence\":");
	mo_putc(sb, '"');
	mo_sb_evidence(sb, r->evidence);
	mo_putc(sb, '"');
	MO_LIT(sb, ",\"related\":");
	mo_sb_jnone(sb, msg->related);
	MO_LIT(sb, ",\"parent\":");
	mo_sb_jnone(sb, msg->parent);
	MO_LIT(sb, ",\"send\":");
	mo_sb_jevent(c, sb, &msg->send, o->stacks);
	MO_LIT(sb, ",\"receive\":");
	mo_sb_jevent(c, sb, &msg->receive, o->stacks);
	rpc_wmi_json(c->m, sb, r);
	mo_putc(sb, '}');
}

static const char *const csv_header =
    "index,time,kind,role,message_id,client_pid,client_tid,client_process,server_pid,"
    "server_tid,server_process,port,latency_us,evidence,related,parent,send_time,send_ordinal,"
    "send_file_offset,receive_time,receive_ordinal,receive_file_offset";

static void
csv_u32(struct strbuf *sb, uint32_t v)
{
	if (v != ALPCSCOPE_NONE)
		mo_sb_u64(sb, v);
}

static void
csv_event(struct mo_cache *c, struct strbuf *sb, const struct alpcscope_message_event *e)
{
	if (e->thread == ALPCSCOPE_NONE) {
		MO_LIT(sb, ",,,");
		return;
	}
	mo_putc(sb, ',');
	mo_sb_time(c, sb, e->filetime_100ns);
	mo_putc(sb, ',');
	mo_sb_u64(sb, e->ordinal);
	mo_putc(sb, ',');
	mo_sb_u64(sb, e->file_offset);
}

static void
write_csv_row(struct mo_cache *c, const struct alpcscope_write_options *o, struct strbuf *sb,
	      const struct row *r)
{
	const struct alpcscope_message *msg = r->msg;

	mo_sb_u64(sb, r->index);
	mo_putc(sb, ',');
	mo_sb_time(c, sb, mo_message_time(msg));
	mo_putc(sb, ',');
	mo_puts(sb, r->kind);
	mo_putc(sb, ',');
	mo_puts(sb, r->role);
	mo_putc(sb, ',');
	mo_sb_hex32(sb, msg->message_id);
	mo_putc(sb, ',');
	csv_u32(sb, r->client.pid);
	mo_putc(sb, ',');
	csv_u32(sb, r->client.tid);
	mo_putc(sb, ',');
	mo_sb_csv(c, sb, r->client.label);
	mo_putc(sb, ',');
	csv_u32(sb, r->server.pid);
	mo_putc(sb, ',');
	csv_u32(sb, r->server.tid);
	mo_putc(sb, ',');
	mo_sb_csv(c, sb, r->server.label);
	mo_putc(sb, ',');
	mo_sb_csv(c, sb, r->port);
	mo_putc(sb, ',');
	if (r->latency_100ns >= 0) {
		mo_sb_u64(sb, (uint64_t)(r->latency_100ns / 10));
		mo_putc(sb, '.');
		mo_sb_u64(sb, (uint64_t)(r->latency_100ns % 10));
	}
	mo_putc(sb, ',');
	mo_sb_evidence(sb, r->evidence);
	mo_putc(sb, ',');
	csv_u32(sb, msg->related);
	mo_putc(sb, ',');
	csv_u32(sb, msg->parent);
	csv_event(c, sb, &msg->send);
	csv_event(c, sb, &msg->receive);
	if (r->rpc_wmi) { /* rpc,wmi columns only for traces with RPC or WMI events */
		char buf[1400];

		mo_putc(sb, ',');
		if (ro_rpc_text(c->m, r->index, buf, sizeof(buf)))
			mo_sb_csv(c, sb, buf);
		mo_putc(sb, ',');
		if (ro_wmi_text(c->m, r->index, buf, sizeof(buf)))
			mo_sb_csv(c, sb, buf);
	}
	mo_sb_csv_stacks(c, sb, msg, o->stacks, false);
	mo_putc(sb, '\n');
}

static json_object *
stats_json(const struct alpcscope_model *m, const struct alpcscope_write_options *o)
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
	if (o->message_filter)
		json_object_object_add(j, "matching",
				       mo_ju64(mo_count_kept(m, alpcscope_model_message_count(m),
							     o->message_filter, o->filter_ctx)));
	json_object_object_add(j, "loss", mo_loss_json(m));
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
	if (o->message_filter)
		fprintf(out, "# %u of %u messages match the filters\n",
			mo_count_kept(m, alpcscope_model_message_count(m), o->message_filter,
				      o->filter_ctx),
			alpcscope_model_message_count(m));
	struct strbuf sb = {0};

	mo_loss_line(m, &sb);
	if (sb.len)
		fwrite(sb.data, 1, sb.len, out);
	strbuf_free(&sb);
	fprintf(out,
		"# columns: #index time kind message-id client pid/tid -> server pid/tid "
		"latency [port] [reply|request] [parent] evidence%s\n",
		ro_any(m) ? " [iface=... op=... (RPC call)] [wmi=... (WMI operation)]" : "");
}

enum alpcscope_status
alpcscope_messages_write(const struct alpcscope_model *m, const struct alpcscope_write_options *o,
			 FILE *out, struct alpcscope_error *err)
{
	bool first = true, rpc_wmi;

	enum alpcscope_status st = mo_check_write_args(m, &o, out, err);

	if (st != ALPCSCOPE_OK)
		return st;
	if (o->format == ALPCSCOPE_OUTPUT_XML) /* xml_analysis_writer.c */
		return xml_messages_write(m, o, out, err);
	if (o->format == ALPCSCOPE_OUTPUT_MERMAID)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "messages have no mermaid form (chains have)");
	rpc_wmi = ro_any(m);
	switch (o->format) {
	case ALPCSCOPE_OUTPUT_XML:
	case ALPCSCOPE_OUTPUT_MERMAID: break; /* handled above */
	case ALPCSCOPE_OUTPUT_TEXT: write_text_header(m, o, out); break;
	case ALPCSCOPE_OUTPUT_CSV:
		fprintf(out, "%s%s%s\n", csv_header, rpc_wmi ? ",rpc,wmi" : "",
			o->stacks ? ",send_stack,receive_stack" : "");
		break;
	case ALPCSCOPE_OUTPUT_JSON: {
		json_object *s = stats_json(m, o);

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
	struct mo_cache cache;
	struct strbuf sb = {0}, tmp = {0};
	bool ok = true, oom = false;

	mo_cache_init(&cache, m);
	cache.csv_raw = mo_csv_raw(o);
	cache.sym = o->symbolizer;
	for (uint32_t i = 0; i < n && ok; i++) {
		struct row r;

		/* a request's latency and evidence read its reply, far away: fetch it early */
		if (i + 16 < n) {
			const struct alpcscope_message *ahead =
			    alpcscope_model_message_at(m, i + 16);
			const struct alpcscope_message *rel =
			    alpcscope_model_message_at(m, ahead->related);

			if (rel) {
				__builtin_prefetch(&rel->receive);
				__builtin_prefetch(&rel->evidence);
			}
		}
		if (o->message_filter && !o->message_filter(o->filter_ctx, m, i))
			continue;
		fill_row(&cache, i, &r);
		r.rpc_wmi = rpc_wmi;
		switch (o->format) {
		case ALPCSCOPE_OUTPUT_XML:
		case ALPCSCOPE_OUTPUT_MERMAID: break; /* handled above */
		case ALPCSCOPE_OUTPUT_TEXT: write_text_row(&cache, o, &sb, &r); break;
		case ALPCSCOPE_OUTPUT_CSV: write_csv_row(&cache, o, &sb, &r); break;
		case ALPCSCOPE_OUTPUT_JSON:
			mo_puts(&sb, first ? "\n" : ",\n");
			row_json(&cache, o, &sb, &tmp, &r, false);
			break;
		case ALPCSCOPE_OUTPUT_JSONL:
			row_json(&cache, o, &sb, &tmp, &r, true);
			mo_putc(&sb, '\n');
			break;
		}
		first = false;
		if (sb.len >= 1u << 16 || sb.oom)
			ok = !(oom = sb.oom) && mo_sb_flush(&sb, out);
	}
	if (ok)
		ok = !(oom = sb.oom) && mo_sb_flush(&sb, out);
	strbuf_free(&sb);
	strbuf_free(&tmp);
	mo_cache_free(&cache);
	return mo_finish_write(o, out, ok, oom, err);
}
