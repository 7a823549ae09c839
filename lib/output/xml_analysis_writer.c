/* SPDX-License-Identifier: MIT */
/*
 * `messages --format xml` and `chains --format xml`: the analysis results
 * as events in the Windows event XML schema, so that tools that ingest
 * wevtutil/tracerpt XML take them as they are. Provider "alpcscope";
 * EventID 1 = one ALPC message, EventID 2 = one call-chain node. Field
 * names and meanings follow docs/output-schema.md (CamelCase); docs/xml.md.
 */
#include "output/xml_analysis_writer.h"

#include <alpcscope/interfaces.h>
#include <alpcscope/reader.h>
#include <alpcscope/symbols.h>

#include <inttypes.h>
#include <string.h>

#include "output/message_row.h"
#include "output/model_output.h"
#include "output/row_model.h"
#include "output/rpc_output.h"
#include "output/xml_util.h"
#include "util/error.h"

/* Provider GUID of alpcscope's own events (fixed; name-based, not registered). */
#define ALPCSCOPE_PROVIDER_GUID "{5c8b1d6e-3f4a-4c2b-9e7d-a1b2c3d4e5f6}"

enum { EVENT_MESSAGE = 1, EVENT_CHAIN_NODE = 2 };

static void
data(struct xml_out *x, const char *name, const char *value)
{
	rm_xml_data_text(x, name, value);
}

static void
data_u(struct xml_out *x, const char *name, uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "%" PRIu64, v);
	data(x, name, b);
}

/* An index, or nothing when NONE. */
static void
data_index(struct xml_out *x, const char *name, uint32_t v)
{
	if (v != ALPCSCOPE_NONE)
		data_u(x, name, v);
}

static void
data_id(struct xml_out *x, const char *name, uint32_t v)
{
	if (v != ALPCSCOPE_ID_UNKNOWN)
		data_u(x, name, v);
}

static void
begin_event(struct xml_out *x, unsigned id, const char *channel, int64_t ft, uint64_t record,
	    uint32_t pid, uint32_t tid)
{
	char t[40];

	xml_start_ns(x, "Event", XML_NS_EVENT);
	xml_start(x, "System");
	xml_start(x, "Provider");
	xml_attr(x, "Name", "alpcscope");
	xml_attr(x, "Guid", ALPCSCOPE_PROVIDER_GUID);
	xml_end(x);
	xml_elemf(x, "EventID", "%u", id);
	xml_elem(x, "Version", "0");
	xml_elem(x, "Level", "4");
	xml_elemf(x, "Task", "%u", id);
	xml_elem(x, "Opcode", "0");
	xml_elem(x, "Keywords", "0x0");
	xml_start(x, "TimeCreated");
	alpcscope_filetime_format(t, sizeof(t), ft);
	xml_attr(x, "SystemTime", t);
	xml_end(x);
	xml_elemf(x, "EventRecordID", "%" PRIu64, record);
	xml_empty(x, "Correlation");
	xml_start(x, "Execution");
	xml_attrf(x, "ProcessID", "%u", pid);
	xml_attrf(x, "ThreadID", "%u", tid);
	xml_end(x);
	xml_elem(x, "Channel", channel);
	xml_empty(x, "Computer");
	xml_end(x);
	xml_start(x, "EventData");
}

static void
end_event(struct xml_out *x, const char *channel, const char *task, const char *opcode,
	  const char *message)
{
	xml_end(x); /* EventData */
	/* the event schema's RenderingInfoType order (docs/xsd/event.xsd) */
	xml_start(x, "RenderingInfo");
	xml_attr(x, "Culture", "en-US");
	xml_elem(x, "Message", message);
	xml_elem(x, "Level", "Information");
	xml_elem(x, "Opcode", opcode);
	xml_elem(x, "Task", task);
	xml_elem(x, "Channel", channel);
	xml_elem(x, "Provider", "alpcscope");
	xml_end(x);
	xml_end(x); /* Event */
	xml_out_maybe_flush(x);
}

/* The Data fields of one message (shared by both documents): its row model (message_row.c). */
static void
message_data(struct rm_ctx *ctx, struct xml_out *x, uint32_t index)
{
	struct msg_row r;

	msg_row_fill(ctx->c, index, &r);
	rm_xml_data(ctx, x, &msg_row_table, &r, 0);
}

static void
message_summary(char *out, size_t n, const struct alpcscope_model *m, uint32_t index,
		const struct mo_party *client, const struct mo_party *server)
{
	const struct alpcscope_message *msg = alpcscope_model_message_at(m, index);

	snprintf(out, n, "%s #%u (id %u): %s pid %u -> %s pid %u",
		 alpcscope_message_kind_name((enum alpcscope_message_kind)msg->kind), index,
		 msg->message_id, client->label, client->pid, server->label, server->pid);
}

/* The emitters' state for a write: labels and times cached, frames symbolized as asked. */
static void
ctx_open(struct rm_ctx *ctx, struct mo_cache *c, const struct alpcscope_model *m,
	 const struct alpcscope_write_options *o, bool rpc_wmi)
{
	mo_cache_init(c, m);
	c->sym = o->symbolizer;
	rm_ctx_init(ctx, c, RM_XML, msg_row_conds(m, o) & (rpc_wmi ? ~0u : ~(unsigned)RM_IF_RPC));
}

static enum alpcscope_status
finish(struct xml_out *x, struct rm_ctx *ctx, struct alpcscope_error *err)
{
	bool ok = !x->failed && !ctx->cell.oom;

	rm_ctx_free(ctx);
	mo_cache_free(ctx->c);
	if (!ok) {
		xml_out_free(x);
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "XML write failed");
	}
	if (!xml_out_close(x))
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "XML write failed");
	return ALPCSCOPE_OK;
}

static bool
open_doc(struct xml_out *x, FILE *out, const struct alpcscope_write_options *o, const char *what)
{
	char c[1200];

	if (!xml_out_open(x, out, true))
		return false;
	snprintf(c, sizeof(c), " alpcscope %s%s%s (docs/xml.md) ", what, o->trace_path ? ": " : "",
		 o->trace_path ? o->trace_path : "");
	xml_comment(x, c);
	xml_start(x, "Events");
	return !x->failed;
}

enum alpcscope_status
xml_messages_write(const struct alpcscope_model *m, const struct alpcscope_write_options *o,
		   FILE *out, struct alpcscope_error *err)
{
	struct xml_out x;
	struct mo_cache cache;
	struct rm_ctx ctx;
	uint32_t n = alpcscope_model_message_count(m);

	if (!open_doc(&x, out, o, "messages")) {
		xml_out_free(&x);
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	}
	ctx_open(&ctx, &cache, m, o, true);
	for (uint32_t i = 0; i < n && !x.failed; i++) {
		const struct alpcscope_message *msg = alpcscope_model_message_at(m, i);
		struct mo_party client, server, sender;
		char sum[700];

		if (o->message_filter && !o->message_filter(o->filter_ctx, m, i))
			continue;
		mo_client_server(m, msg, &client, &server);
		mo_party(m, msg->send.thread != ALPCSCOPE_NONE ? &msg->send : &msg->receive,
			 &sender);
		begin_event(&x, EVENT_MESSAGE, "alpcscope/Messages", mo_message_time(msg), i,
			    sender.pid, sender.tid);
		message_data(&ctx, &x, i);
		message_summary(sum, sizeof(sum), m, i, &client, &server);
		end_event(&x, "alpcscope/Messages", "ALPC message",
			  alpcscope_message_kind_name((enum alpcscope_message_kind)msg->kind), sum);
	}
	return finish(&x, &ctx, err);
}

/* One chain node as an event. */
static void
write_node(struct xml_out *x, const struct alpcscope_model *m, uint32_t index,
	   const struct alpcscope_write_options *o, struct rm_ctx *ctx, uint64_t *record)
{
	const struct alpcscope_chain_node *nd = alpcscope_model_chain_node_at(m, index);
	char sum[700], label[MO_LABEL_SIZE];

	if (!nd)
		return;
	if (nd->kind == ALPCSCOPE_NODE_MESSAGE) {
		const struct alpcscope_message *msg = alpcscope_model_message_at(m, nd->message);
		struct mo_party client, server;

		if (!msg)
			return;
		mo_client_server(m, msg, &client, &server);
		begin_event(x, EVENT_CHAIN_NODE, "alpcscope/Chains", mo_message_time(msg),
			    (*record)++, client.pid, client.tid);
		data_u(x, "Chain", nd->chain);
		data_u(x, "Node", index);
		data_index(x, "ParentNode", nd->parent);
		data_u(x, "Depth", nd->depth);
		data(x, "NodeKind", "message");
		message_data(ctx, x, nd->message);
		if (o->stacks || o->symbolizer) {
			char site[MO_FRAME_SIZE];

			if (mo_call_site_of(o->symbolizer, m, msg, site, sizeof(site)))
				data(x, "CallSite", site);
		}
		message_summary(sum, sizeof(sum), m, nd->message, &client, &server);
		end_event(x, "alpcscope/Chains", "Call chain", "message", sum);
	} else {
		const struct alpcscope_process_instance *p =
		    alpcscope_model_process_at(m, nd->process);
		const struct alpcscope_process_instance *parent =
		    p ? alpcscope_model_process_at(m, p->os_parent) : NULL;

		if (!p)
			return;
		begin_event(x, EVENT_CHAIN_NODE, "alpcscope/Chains", p->start_filetime_100ns,
			    (*record)++, parent ? parent->pid : ALPCSCOPE_ID_UNKNOWN,
			    p->creator_tid);
		data_u(x, "Chain", nd->chain);
		data_u(x, "Node", index);
		data_index(x, "ParentNode", nd->parent);
		data_u(x, "Depth", nd->depth);
		data(x, "NodeKind", "process");
		mo_process_label(m, nd->process, label, sizeof(label));
		data(x, "CreatedProcess", label);
		data_u(x, "CreatedPid", p->pid);
		if (p->command_line)
			data(x, "CommandLine", p->command_line);
		data_id(x, "CreatorTid", p->creator_tid);
		data_index(x, "CauseMessage", p->cause_message);
		if (p->started_in_trace) {
			data_u(x, "StartOrdinal", p->start_ordinal);
			data_u(x, "StartFileOffset", p->start_file_offset);
		}
		snprintf(sum, sizeof(sum), "process created: %s pid %u", label, p->pid);
		end_event(x, "alpcscope/Chains", "Call chain", "process", sum);
	}
}

/* Depth-first, children in trace order. */
static void
write_tree(struct xml_out *x, const struct alpcscope_model *m, uint32_t root,
	   const struct alpcscope_write_options *o, struct rm_ctx *ctx, uint64_t *record)
{
	uint32_t n = root;

	while (n != ALPCSCOPE_NONE && !x->failed) {
		const struct alpcscope_chain_node *nd = alpcscope_model_chain_node_at(m, n);

		if (!nd)
			return;
		write_node(x, m, n, o, ctx, record);
		if (nd->first_child != ALPCSCOPE_NONE) {
			n = nd->first_child;
			continue;
		}
		/* climb until a sibling exists, never above the root */
		while (n != root && n != ALPCSCOPE_NONE) {
			const struct alpcscope_chain_node *c = alpcscope_model_chain_node_at(m, n);

			if (c->next_sibling != ALPCSCOPE_NONE) {
				n = c->next_sibling;
				break;
			}
			n = c->parent;
		}
		if (n == root || n == ALPCSCOPE_NONE)
			return;
	}
}

/*
 * A selected process no chain explains (caused-process mode): created by a
 * thread serving no request, or running before the trace started.
 */
static void
write_uncaused(struct xml_out *x, const struct alpcscope_model *m, uint32_t process,
	       enum mo_caused kind, const struct alpcscope_write_options *o, uint64_t *record)
{
	const struct alpcscope_process_instance *p = alpcscope_model_process_at(m, process);
	uint32_t cproc, cpid, ctid;
	char sum[700], label[MO_LABEL_SIZE], creator[MO_LABEL_SIZE];
	bool direct = kind == MO_CAUSED_DIRECT;

	mo_creator(m, p, &cproc, &cpid, &ctid);
	mo_process_label(m, process, label, sizeof(label));
	mo_process_label(m, cproc, creator, sizeof(creator));
	begin_event(x, EVENT_CHAIN_NODE, "alpcscope/Chains",
		    direct ? p->start_filetime_100ns : o->trace_start_filetime, (*record)++,
		    direct ? cpid : ALPCSCOPE_ID_UNKNOWN, direct ? ctid : ALPCSCOPE_ID_UNKNOWN);
	data(x, "NodeKind", "process");
	data(x, "Creation", mo_caused_name(kind));
	data(x, "CreatedProcess", label);
	data_u(x, "CreatedPid", p->pid);
	if (p->command_line)
		data(x, "CommandLine", p->command_line);
	if (direct) {
		data(x, "CreatorProcess", creator);
		data_id(x, "CreatorPid", cpid);
		data_id(x, "CreatorTid", ctid);
		data_u(x, "StartOrdinal", p->start_ordinal);
		data_u(x, "StartFileOffset", p->start_file_offset);
		snprintf(sum, sizeof(sum),
			 "process created directly, outside any ALPC call: %s pid %u by %s", label,
			 p->pid, creator);
	} else {
		snprintf(sum, sizeof(sum), "process running before the trace started: %s pid %u",
			 label, p->pid);
	}
	end_event(x, "alpcscope/Chains", "Call chain", "process", sum);
}

/* Path root -> @p node, written root first (caused-process mode). */
static void
write_path(struct xml_out *x, const struct alpcscope_model *m, uint32_t node,
	   const struct alpcscope_write_options *o, struct rm_ctx *ctx, uint64_t *record)
{
	uint32_t path[256];
	uint32_t depth = 0;

	for (uint32_t n = node; n != ALPCSCOPE_NONE && depth < 256; depth++) {
		path[depth] = n;
		n = alpcscope_model_chain_node_at(m, n)->parent;
	}
	while (depth--)
		write_node(x, m, path[depth], o, ctx, record);
}

enum alpcscope_status
xml_chains_write(const struct alpcscope_model *m, const struct alpcscope_write_options *o,
		 FILE *out, struct alpcscope_error *err)
{
	struct xml_out x;
	struct mo_cache cache;
	struct rm_ctx ctx;
	uint64_t record = 0;

	if (!open_doc(&x, out, o, "chains")) {
		xml_out_free(&x);
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	}
	/* chain nodes carry no rpc/wmi Data (the chains JSON and CSV have them) */
	ctx_open(&ctx, &cache, m, o, false);
	if (o->caused_process_only) {
		uint32_t np = alpcscope_model_process_count(m);

		for (uint32_t i = 0; i < np && !x.failed; i++) {
			enum mo_caused kind = mo_caused_kind(m, o, i);

			if (kind == MO_CAUSED_CHAIN)
				write_path(&x, m, alpcscope_model_process_at(m, i)->chain_node, o,
					   &ctx, &record);
			else if (kind != MO_CAUSED_SKIP)
				write_uncaused(&x, m, i, kind, o, &record);
		}
	} else {
		uint32_t nc = alpcscope_model_chain_count(m);

		for (uint32_t c = 0; c < nc && !x.failed; c++) {
			if (o->chain_filter && !o->chain_filter(o->filter_ctx, m, c))
				continue;
			write_tree(&x, m, alpcscope_model_chain_at(m, c)->root_node, o, &ctx,
				   &record);
		}
	}
	return finish(&x, &ctx, err);
}
