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

#include "output/message_row.h"
#include "output/model_output.h"
#include "output/row_model.h"
#include "output/rpc_output.h"
#include "output/xml_analysis_writer.h"
#include "util/error.h"
#include "util/strbuf.h"

/* "  iface=... op=..." and "  wmi=..." when the message has them. */
static void
rpc_wmi_text(const struct alpcscope_model *m, struct strbuf *sb, uint32_t index)
{
	char buf[1400];

	if (ro_rpc_text(m, index, buf, sizeof(buf))) {
		MO_LIT(sb, "  ");
		mo_sb_text(sb, buf);
	}
	if (ro_wmi_text(m, index, buf, sizeof(buf))) {
		MO_LIT(sb, "  wmi=");
		mo_sb_text(sb, buf);
	}
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

/*
 * The text layout is laid out by hand rather than walked from the column
 * table: fixed-width padded columns, "client pid/tid -> server pid/tid" as
 * one compound, and words that depend on the role ("reply=#" / "request=#")
 * are a template, not a list of cells. Its values come from the same row as
 * every other format's (msg_row_fill()).
 */
static void
write_text_row(struct mo_cache *c, const struct alpcscope_write_options *o, struct strbuf *sb,
	       const struct msg_row *r, bool rpc_wmi)
{
	char id[16];

	mo_putc(sb, '#');
	size_t start = sb->len;

	mo_sb_u64(sb, r->index);
	while (sb->len < start + 6)
		mo_putc(sb, ' ');
	mo_putc(sb, ' ');
	mo_sb_time(c, sb, r->time);
	mo_putc(sb, ' ');
	mo_sb_pad(sb, r->kind, 16);
	mo_putc(sb, ' ');
	start = sb->len;
	mo_sb_hex32(sb, r->message_id);
	mo_sb_cut(sb, start, sizeof(id) - 1);
	while (sb->len < start + 10)
		mo_putc(sb, ' ');
	mo_putc(sb, ' ');
	mo_sb_party_text(sb, &r->client);
	MO_LIT(sb, " -> ");
	mo_sb_party_text(sb, &r->server);
	MO_LIT(sb, "  ");
	mo_sb_latency(sb, r->latency_100ns);
	if (r->port) {
		MO_LIT(sb, "  port=");
		mo_sb_text(sb, r->port);
	}
	if (r->related != ALPCSCOPE_NONE) {
		mo_puts(sb, r->msg->role == ALPCSCOPE_ROLE_REPLY ? "  request=#" : "  reply=#");
		mo_sb_u64(sb, r->related);
	}
	if (r->parent != ALPCSCOPE_NONE) {
		MO_LIT(sb, "  parent=#");
		mo_sb_u64(sb, r->parent);
	}
	MO_LIT(sb, "  evidence=");
	mo_sb_evidence(sb, r->evidence);
	if (rpc_wmi)
		rpc_wmi_text(c->m, sb, r->index);
	mo_putc(sb, '\n');
	if (o->stacks) {
		write_stack_text(c, sb, "send", r->send.stack);
		write_stack_text(c, sb, "receive", r->receive.stack);
	}
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

static void
write_header(const struct alpcscope_model *m, const struct alpcscope_write_options *o,
	     struct rm_ctx *ctx, FILE *out)
{
	switch (o->format) {
	case ALPCSCOPE_OUTPUT_TEXT: write_text_header(m, o, out); break;
	case ALPCSCOPE_OUTPUT_CSV: {
		struct strbuf sb = {0};

		rm_csv_header(ctx, &sb, &msg_row_table);
		mo_putc(&sb, '\n');
		mo_sb_flush(&sb, out);
		strbuf_free(&sb);
		break;
	}
	case ALPCSCOPE_OUTPUT_JSON: {
		json_object *s = stats_json(m, o);

		mo_json_open_trace(out, o->trace_path);
		fputs(",\"stats\":", out);
		mo_json_write(out, s);
		json_object_put(s);
		fputs(",\"messages\":[", out);
		break;
	}
	default: break;
	}
}

/* A request's latency and evidence read its reply, far away: fetch it early. */
static inline void
prefetch_reply(const struct alpcscope_model *m, uint32_t i, uint32_t n)
{
	if (i + 16 < n) {
		const struct alpcscope_message *ahead = alpcscope_model_message_at(m, i + 16);
		const struct alpcscope_message *rel = alpcscope_model_message_at(m, ahead->related);

		if (rel) {
			__builtin_prefetch(&rel->receive);
			__builtin_prefetch(&rel->evidence);
		}
	}
}

static void
write_row(struct rm_ctx *ctx, const struct alpcscope_write_options *o, struct strbuf *sb,
	  struct msg_row *r, bool first)
{
	switch (o->format) {
	case ALPCSCOPE_OUTPUT_TEXT: write_text_row(ctx->c, o, sb, r, ctx->conds & RM_IF_RPC); break;
	case ALPCSCOPE_OUTPUT_CSV:
		rm_csv_cells(ctx, sb, &msg_row_table, r, 0);
		mo_putc(sb, '\n');
		break;
	case ALPCSCOPE_OUTPUT_JSON:
		mo_puts(sb, first ? "\n" : ",\n");
		rm_json_object(ctx, sb, &msg_row_table, r, 0);
		mo_putc(sb, '}');
		break;
	case ALPCSCOPE_OUTPUT_JSONL:
		msg_row_fill_timesketch(r);
		rm_json_object(ctx, sb, &msg_row_table, r, 0);
		MO_LIT(sb, "}\n");
		break;
	default: break;
	}
}

enum alpcscope_status
alpcscope_messages_write(const struct alpcscope_model *m, const struct alpcscope_write_options *o,
			 FILE *out, struct alpcscope_error *err)
{
	enum alpcscope_status st = mo_check_write_args(m, &o, out, err);

	if (st != ALPCSCOPE_OK)
		return st;
	if (o->format == ALPCSCOPE_OUTPUT_XML) /* xml_analysis_writer.c */
		return xml_messages_write(m, o, out, err);
	if (o->format == ALPCSCOPE_OUTPUT_MERMAID)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "messages have no mermaid form (chains have)");
	uint32_t n = alpcscope_model_message_count(m);
	struct mo_cache cache;
	struct rm_ctx ctx;
	struct strbuf sb = {0};
	bool ok = true, oom = false, first = true;

	mo_cache_init(&cache, m);
	cache.csv_raw = mo_csv_raw(o);
	cache.sym = o->symbolizer;
	rm_ctx_init(&ctx, &cache, rm_format(o->format), msg_row_conds(m, o));
	write_header(m, o, &ctx, out);
	for (uint32_t i = 0; i < n && ok; i++) {
		struct msg_row r;

		prefetch_reply(m, i, n);
		if (o->message_filter && !o->message_filter(o->filter_ctx, m, i))
			continue;
		msg_row_fill(&cache, i, &r);
		write_row(&ctx, o, &sb, &r, first);
		first = false;
		if (sb.len >= 1u << 16 || sb.oom)
			ok = !(oom = sb.oom) && mo_sb_flush(&sb, out);
	}
	if (ok)
		ok = !(oom = sb.oom) && mo_sb_flush(&sb, out);
	strbuf_free(&sb);
	rm_ctx_free(&ctx);
	mo_cache_free(&cache);
	return mo_finish_write(o, out, ok, oom, err);
}
