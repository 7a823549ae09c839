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

#include "output/model_output.h"
#include "output/rpc_output.h"
#include "output/xml_util.h"
#include "util/error.h"

/* Provider GUID of alpcscope's own events (fixed; name-based, not registered). */
#define ALPCSCOPE_PROVIDER_GUID "{5c8b1d6e-3f4a-4c2b-9e7d-a1b2c3d4e5f6}"

enum { EVENT_MESSAGE = 1, EVENT_CHAIN_NODE = 2 };

static void
data(struct xml_out *x, const char *name, const char *value)
{
	xml_start(x, "Data");
	xml_attr(x, "Name", name);
	xml_text(x, value ? value : "");
	xml_end(x);
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

static void
stack_data(struct xml_out *x, const struct alpcscope_model *m,
	   struct alpcscope_symbolizer *symbolizer, const char *name, uint32_t stack,
	   struct strbuf *sb)
{
	const struct alpcscope_stack *s = alpcscope_model_stack_at(m, stack);
	char buf[2048];

	if (!s)
		return;
	strbuf_reset(sb);
	for (uint32_t i = 0; i < s->frame_count; i++) {
		/* Symbolized names can hold spaces ("T const &"): frames then split on " | ". */
		if (i)
			strbuf_adds(sb, symbolizer ? " | " : " ");
		strbuf_adds(sb, alpcscope_symbolizer_format_frame(symbolizer, m, s, i, NULL, buf,
								  sizeof(buf)));
	}
	if (sb->oom) {
		x->failed = true;
		return;
	}
	data(x, name, sb->data ? sb->data : "");
}

static void
event_data(struct xml_out *x, const char *prefix, const struct alpcscope_message_event *e)
{
	char name[40], t[40];

	if (e->thread == ALPCSCOPE_NONE)
		return;
	snprintf(name, sizeof(name), "%sTime", prefix);
	data(x, name, mo_time(t, e->filetime_100ns));
	snprintf(name, sizeof(name), "%sOrdinal", prefix);
	data_u(x, name, e->ordinal);
	snprintf(name, sizeof(name), "%sFileOffset", prefix);
	data_u(x, name, e->file_offset);
}

/* The Data fields of one message (shared by both documents). */
static void
message_data(struct xml_out *x, const struct alpcscope_model *m, uint32_t index,
	     const struct mo_party *client, const struct mo_party *server)
{
	const struct alpcscope_message *msg = alpcscope_model_message_at(m, index);
	char ev[256], lat[40], hex[16];
	int64_t latency = mo_latency(m, msg);

	data_u(x, "Message", index);
	data(x, "Kind", alpcscope_message_kind_name((enum alpcscope_message_kind)msg->kind));
	data(x, "Role",
	     msg->role == ALPCSCOPE_ROLE_REQUEST ? "request"
	     : msg->role == ALPCSCOPE_ROLE_REPLY ? "reply"
						 : "unknown");
	data_u(x, "MessageID", msg->message_id);
	snprintf(hex, sizeof(hex), "0x%x", msg->message_id);
	data(x, "MessageIDHex", hex); /* as text and CSV show it */
	data(x, "ClientProcess", client->label);
	data_id(x, "ClientPid", client->pid);
	data_id(x, "ClientTid", client->tid);
	data(x, "ServerProcess", server->label);
	data_id(x, "ServerPid", server->pid);
	data_id(x, "ServerTid", server->tid);
	if (alpcscope_model_port_name(m, msg->port))
		data(x, "Port", alpcscope_model_port_name(m, msg->port));
	if (latency >= 0) {
		snprintf(lat, sizeof(lat), "%" PRId64 ".%" PRId64, latency / 10, latency % 10);
		data(x, "LatencyUs", lat);
	}
	data(x, "Evidence", mo_evidence(ev, sizeof(ev), mo_shown_evidence(m, msg)));
	data_index(x, "Related", msg->related);
	data_index(x, "Parent", msg->parent);
	event_data(x, "Send", &msg->send);
	event_data(x, "Receive", &msg->receive);
}

/*
 * The RPC call and WMI operation of a message (only those present), as the
 * messages writer's rpc/wmi objects (docs/output-schema.md).
 */
static void
rpc_wmi_data(struct xml_out *x, const struct alpcscope_model *m, uint32_t index)
{
	struct alpcscope_rpc_names n;
	const struct alpcscope_rpc_call *c = ro_rpc_call(m, index, &n);
	char buf[1400];
	bool as_provider;

	if (c) {
		const char *pn = ro_protocol_name(c->protocol);

		alpcscope_guid_format(buf, &c->interface_uuid);
		data(x, "Interface", buf);
		if (n.interface_name)
			data(x, "InterfaceName", n.interface_name);
		if (n.version != ALPCSCOPE_IFACE_VERSION_ANY) {
			snprintf(buf, sizeof(buf), "%u.%u", n.version >> 16, n.version & 0xFFFFu);
			data(x, "InterfaceVersion", buf);
		}
		data_u(x, "Opnum", c->opnum);
		if (n.procedure_name)
			data(x, "Procedure", n.procedure_name);
		if (n.interface_source)
			data(x, "InterfaceSource", n.interface_source);
		if (n.procedure_source)
			data(x, "ProcedureSource", n.procedure_source);
		if (pn)
			data(x, "Protocol", pn);
		else
			data_u(x, "Protocol", c->protocol);
		if (c->endpoint && c->endpoint[0])
			data(x, "Endpoint", c->endpoint);
		data_u(x, "AuthenticationLevel", c->authentication_level);
		data_u(x, "AuthenticationService", c->authentication_service);
		data_u(x, "ImpersonationLevel", c->impersonation_level);
		if (c->stopped)
			data_u(x, "RpcStatus", c->status);
		ro_rpc_text(m, index, buf, sizeof(buf));
		data(x, "Rpc", buf);
	}
	uint32_t op = alpcscope_model_message_wmi_operation(m, index, &as_provider);
	const struct alpcscope_wmi_operation *o = alpcscope_model_wmi_operation_at(m, op);

	if (o) {
		data_u(x, "WmiOperationId", o->operation_id);
		data(x, "WmiRole", as_provider ? "provider-call" : "operation");
		ro_wmi_text(m, index, buf, sizeof(buf));
		data(x, "Wmi", buf);
	}
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

static enum alpcscope_status
finish(struct xml_out *x, struct strbuf *sb, struct alpcscope_error *err)
{
	bool ok = !x->failed && !sb->oom;

	strbuf_free(sb);
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
	struct strbuf sb = {0};
	uint32_t n = alpcscope_model_message_count(m);
	bool rpc_wmi = ro_any(m);

	if (!open_doc(&x, out, o, "messages")) {
		xml_out_free(&x);
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	}
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
		message_data(&x, m, i, &client, &server);
		if (rpc_wmi)
			rpc_wmi_data(&x, m, i);
		if (o->stacks) {
			stack_data(&x, m, o->symbolizer, "SendStack", msg->send.stack, &sb);
			stack_data(&x, m, o->symbolizer, "ReceiveStack", msg->receive.stack, &sb);
		}
		message_summary(sum, sizeof(sum), m, i, &client, &server);
		end_event(&x, "alpcscope/Messages", "ALPC message",
			  alpcscope_message_kind_name((enum alpcscope_message_kind)msg->kind), sum);
	}
	return finish(&x, &sb, err);
}

/* One chain node as an event. */
static void
write_node(struct xml_out *x, const struct alpcscope_model *m, uint32_t index,
	   const struct alpcscope_write_options *o, struct strbuf *sb, uint64_t *record)
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
		message_data(x, m, nd->message, &client, &server);
		if (o->stacks) {
			stack_data(x, m, o->symbolizer, "SendStack", msg->send.stack, sb);
			stack_data(x, m, o->symbolizer, "ReceiveStack", msg->receive.stack, sb);
		}
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
	   const struct alpcscope_write_options *o, struct strbuf *sb, uint64_t *record)
{
	uint32_t n = root;

	while (n != ALPCSCOPE_NONE && !x->failed) {
		const struct alpcscope_chain_node *nd = alpcscope_model_chain_node_at(m, n);

		if (!nd)
			return;
		write_node(x, m, n, o, sb, record);
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
	   const struct alpcscope_write_options *o, struct strbuf *sb, uint64_t *record)
{
	uint32_t path[256];
	uint32_t depth = 0;

	for (uint32_t n = node; n != ALPCSCOPE_NONE && depth < 256; depth++) {
		path[depth] = n;
		n = alpcscope_model_chain_node_at(m, n)->parent;
	}
	while (depth--)
		write_node(x, m, path[depth], o, sb, record);
}

enum alpcscope_status
xml_chains_write(const struct alpcscope_model *m, const struct alpcscope_write_options *o,
		 FILE *out, struct alpcscope_error *err)
{
	struct xml_out x;
	struct strbuf sb = {0};
	uint64_t record = 0;

	if (!open_doc(&x, out, o, "chains")) {
		xml_out_free(&x);
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	}
	if (o->caused_process_only) {
		uint32_t np = alpcscope_model_process_count(m);

		for (uint32_t i = 0; i < np && !x.failed; i++) {
			enum mo_caused kind = mo_caused_kind(m, o, i);

			if (kind == MO_CAUSED_CHAIN)
				write_path(&x, m, alpcscope_model_process_at(m, i)->chain_node, o,
					   &sb, &record);
			else if (kind != MO_CAUSED_SKIP)
				write_uncaused(&x, m, i, kind, o, &record);
		}
	} else {
		uint32_t nc = alpcscope_model_chain_count(m);

		for (uint32_t c = 0; c < nc && !x.failed; c++) {
			if (o->chain_filter && !o->chain_filter(o->filter_ctx, m, c))
				continue;
			write_tree(&x, m, alpcscope_model_chain_at(m, c)->root_node, o, &sb,
				   &record);
		}
	}
	return finish(&x, &sb, err);
}
