/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope chains`: call-chain trees of a finished model. Text shows each
 * tree indented by nesting depth, every edge with the events that prove it
 * (the child's Send or Process Start: time, record ordinal, file offset,
 * thread; and the parent request's serving window: its Receive and its
 * reply's Send). JSON nests children; JSON lines and CSV give one row per
 * node. In "caused process" mode each selected created process is explained
 * by the path from the chain root to it. Keys: docs/output-schema.md §chains.
 */
#include <alpcscope/model.h>

#include <inttypes.h>
#include <string.h>

#include "output/model_output.h"
#include "output/rpc_output.h"
#include "output/xml_analysis_writer.h"
#include "util/error.h"

#define UNIX_EPOCH_FILETIME 116444736000000000ll

/* Everything said about one node and the edge from its parent. */
struct nrow {
	uint32_t node;
	const struct alpcscope_chain_node *n;
	const struct alpcscope_message *msg;           /* message node */
	const struct alpcscope_process_instance *proc; /* process node */
	struct mo_party client, server;                /* message node */
	char creator[MO_LABEL_SIZE];                   /* process node */
	uint32_t creator_pid, creator_tid;
	int64_t time;
	char time_str[MO_TIME_SIZE];
	char latency[32];
	char evidence[256];
	char summary[1024];
	/* edge from the parent */
	bool has_edge;
	uint64_t edge_ordinal, edge_file_offset;
	uint32_t parent_message;
	uint64_t window_start_ordinal; /* parent request's Receive */
	bool window_closed;            /* the parent's reply Send was seen */
	uint64_t window_end_ordinal;
	const char *window_end; /* "reply", "abandoned", "trace-end" */
	char edge_text[512];
};

static const char *
window_end_name(const struct alpcscope_message *p, bool closed)
{
	if (closed)
		return "reply";
	if (p->evidence & ALPCSCOPE_EVIDENCE_ABANDONED)
		return "abandoned";
	return "trace-end";
}

static void
fill_nrow(const struct alpcscope_model *m, uint32_t node, struct nrow *r)
{
	char buf[MO_LABEL_SIZE];

	memset(r, 0, sizeof(*r));
	r->node = node;
	r->n = alpcscope_model_chain_node_at(m, node);
	if (r->n->kind == ALPCSCOPE_NODE_MESSAGE) {
		char c[320], s[320];

		r->msg = alpcscope_model_message_at(m, r->n->message);
		mo_client_server(m, r->msg, &r->client, &r->server);
		r->time = mo_message_time(r->msg);
		mo_latency_str(r->latency, sizeof(r->latency), mo_latency(m, r->msg));
		mo_evidence(r->evidence, sizeof(r->evidence), mo_shown_evidence(m, r->msg));
		if (r->client.tid != ALPCSCOPE_ID_UNKNOWN)
			snprintf(c, sizeof(c), "%s %u/%u", r->client.label, r->client.pid,
				 r->client.tid);
		else
			snprintf(c, sizeof(c), "?");
		if (r->msg->receive.thread != ALPCSCOPE_NONE)
			snprintf(s, sizeof(s), "%s %u/%u", r->server.label, r->server.pid,
				 r->server.tid);
		else
			snprintf(s, sizeof(s), "?");
		const char *port = alpcscope_model_port_name(m, r->msg->port);

		snprintf(r->summary, sizeof(r->summary), "#%u %s -> %s msg 0x%x %s %s%s%s",
			 r->n->message, c, s, r->msg->message_id,
			 alpcscope_message_kind_name((enum alpcscope_message_kind)r->msg->kind),
			 r->latency, port ? " port=" : "", port ? port : "");
		r->edge_ordinal = r->msg->send.ordinal;
		r->edge_file_offset = r->msg->send.file_offset;
	} else {
		r->proc = alpcscope_model_process_at(m, r->n->process);
		r->time = r->proc->start_filetime_100ns;
		const struct alpcscope_thread_instance *t =
		    alpcscope_model_thread_at(m, r->proc->creator_thread);

		r->creator_tid = r->proc->creator_tid;
		r->creator_pid = ALPCSCOPE_ID_UNKNOWN;
		snprintf(r->creator, sizeof(r->creator), "?");
		if (t) {
			const struct alpcscope_process_instance *cp =
			    alpcscope_model_process_at(m, t->process);

			if (cp)
				r->creator_pid = cp->pid;
			mo_process_label(m, t->process, r->creator, sizeof(r->creator));
		}
		snprintf(r->summary, sizeof(r->summary), "%s %u/%u creates %s (pid %u)%s%s",
			 r->creator, r->creator_pid, r->creator_tid,
			 mo_process_label(m, r->n->process, buf, sizeof(buf)), r->proc->pid,
			 r->proc->command_line ? " cmd=" : "",
			 r->proc->command_line ? r->proc->command_line : "");
		r->edge_ordinal = r->proc->start_ordinal;
		r->edge_file_offset = r->proc->start_file_offset;
	}
	mo_time(r->time_str, r->time);
	if (r->n->parent == ALPCSCOPE_NONE) {
		snprintf(r->edge_text, sizeof(r->edge_text),
			 "root: Send ord %" PRIu64 " @0x%" PRIx64
			 " by tid %u (no request was being "
			 "served by the sender)",
			 r->edge_ordinal, r->edge_file_offset, r->client.tid);
		if (r->msg && r->msg->send.thread == ALPCSCOPE_NONE)
			snprintf(r->edge_text, sizeof(r->edge_text),
				 "root: Receive ord %" PRIu64 " @0x%" PRIx64
				 " (Send precedes the trace)",
				 r->msg->receive.ordinal, r->msg->receive.file_offset);
		return;
	}
	const struct alpcscope_chain_node *pn = alpcscope_model_chain_node_at(m, r->n->parent);
	const struct alpcscope_message *p = alpcscope_model_message_at(m, pn->message);
	const struct alpcscope_message *reply = alpcscope_model_message_at(m, p->related);

	r->has_edge = true;
	r->parent_message = pn->message;
	r->window_start_ordinal = p->receive.ordinal;
	r->window_closed = reply && reply->send.thread != ALPCSCOPE_NONE;
	r->window_end_ordinal = r->window_closed ? reply->send.ordinal : 0;
	r->window_end = window_end_name(p, r->window_closed);
	char end[96];

	if (r->window_closed)
		snprintf(end, sizeof(end), "reply #%u Send ord %" PRIu64, p->related,
			 r->window_end_ordinal);
	else
		snprintf(end, sizeof(end), "no reply (%s)", r->window_end);
	snprintf(r->edge_text, sizeof(r->edge_text),
		 "%s ord %" PRIu64 " @0x%" PRIx64 " by tid %u inside #%u (Receive ord %" PRIu64
		 " .. %s)",
		 r->msg ? "Send" : "Process Start (header TID = creator)", r->edge_ordinal,
		 r->edge_file_offset, r->msg ? r->client.tid : r->creator_tid, pn->message,
		 r->window_start_ordinal, end);
}

/* Process labels from the root to @p node, joined by @p sep. */
static void
path_text(const struct alpcscope_model *m, uint32_t node, const char *sep, char *out, size_t size)
{
	uint32_t chain[256];
	size_t n = 0, used = 0;
	char buf[MO_LABEL_SIZE];

	for (uint32_t i = node; i != ALPCSCOPE_NONE && n < 256;
	     i = alpcscope_model_chain_node_at(m, i)->parent)
		chain[n++] = i;
	out[0] = '\0';
	for (size_t k = n; k-- > 0;) {
		const struct alpcscope_chain_node *c = alpcscope_model_chain_node_at(m, chain[k]);
		uint32_t procs[2];
		int np = 0;

		if (c->kind == ALPCSCOPE_NODE_PROCESS) {
			procs[np++] = c->process;
		} else {
			const struct alpcscope_message *msg =
			    alpcscope_model_message_at(m, c->message);

			if (k == n - 1)
				procs[np++] = alpcscope_model_event_process(m, &msg->send);
			procs[np++] = alpcscope_model_event_process(m, &msg->receive);
		}
		for (int i = 0; i < np; i++) {
			int w = snprintf(out + used, size - used, "%s%s", used ? sep : "",
					 mo_process_label(m, procs[i], buf, sizeof(buf)));

			if (w < 0 || (size_t)w >= size - used)
				return;
			used += (size_t)w;
		}
	}
}

/* ---- text ---- */

static void
write_stack_text(const struct alpcscope_model *m, FILE *out, int indent, const char *what,
		 uint32_t stack)
{
	const struct alpcscope_stack *s = alpcscope_model_stack_at(m, stack);
	char buf[300];

	if (!s)
		return;
	fprintf(out, "%*s%s stack:\n", indent, "", what);
	for (uint32_t i = 0; i < s->frame_count; i++)
		fprintf(out, "%*s  %s\n", indent, "",
			alpcscope_model_format_frame(m, s, i, buf, sizeof(buf)));
}

/* RPC call, WMI operation and WMI process report of a node (rpc_output.c). */
static void
write_rpc_wmi_text(const struct alpcscope_model *m, FILE *out, int indent, const char *bar,
		   const struct nrow *r)
{
	char buf[1400];

	if (r->msg && ro_rpc_text(m, r->n->message, buf, sizeof(buf))) {
		fprintf(out, "%*s%srpc: %s\n", indent, "", bar, buf);
		ro_rpc_evidence(m, r->n->message, buf, sizeof(buf));
		fprintf(out, "%*s%srpc evidence: %s\n", indent, "", bar, buf);
	}
	if (r->msg && ro_wmi_text(m, r->n->message, buf, sizeof(buf)))
		fprintf(out, "%*s%swmi: %s\n", indent, "", bar, buf);
	if (r->proc && ro_process_wmi_text(m, r->n->process, buf, sizeof(buf)))
		fprintf(out, "%*s%swmi: %s\n", indent, "", bar, buf);
}

static void
write_text_node(const struct alpcscope_model *m, const struct alpcscope_write_options *o, FILE *out,
		const struct nrow *r)
{
	int indent = 2 + 4 * (int)r->n->depth;

	fprintf(out, "%*s%s %s %s\n", indent, "", r->n->depth ? "\\_" : "*", r->time_str,
		r->summary);
	fprintf(out, "%*s   | edge: %s\n", indent, "", r->edge_text);
	if (r->msg)
		fprintf(out, "%*s   | evidence: %s\n", indent, "", r->evidence);
	write_rpc_wmi_text(m, out, indent + 3, "| ", r);
	if (o->stacks && r->msg) {
		write_stack_text(m, out, indent + 3, "send", r->msg->send.stack);
		write_stack_text(m, out, indent + 3, "receive", r->msg->receive.stack);
	}
}

/* Pre-order successor of @p n within the tree rooted at @p root. */
static uint32_t
next_preorder(const struct alpcscope_model *m, uint32_t root, uint32_t n)
{
	const struct alpcscope_chain_node *c = alpcscope_model_chain_node_at(m, n);

	if (c->first_child != ALPCSCOPE_NONE)
		return c->first_child;
	while (n != root) {
		c = alpcscope_model_chain_node_at(m, n);
		if (c->next_sibling != ALPCSCOPE_NONE)
			return c->next_sibling;
		n = c->parent;
	}
	return ALPCSCOPE_NONE;
}

static void
write_text_chain(const struct alpcscope_model *m, const struct alpcscope_write_options *o,
		 FILE *out, uint32_t ci)
{
	const struct alpcscope_chain *c = alpcscope_model_chain_at(m, ci);
	char buf[MO_LABEL_SIZE];

	fprintf(out,
		"chain %u: client %s; %u messages, %u processes created, depth %u, %u processes\n",
		ci, mo_process_label(m, c->root_process, buf, sizeof(buf)), c->message_count,
		c->process_count, c->max_depth, c->process_span);
	for (uint32_t n = c->root_node; n != ALPCSCOPE_NONE;
	     n = next_preorder(m, c->root_node, n)) {
		struct nrow r;

		fill_nrow(m, n, &r);
		write_text_node(m, o, out, &r);
	}
	fputc('\n', out);
}

/* ---- json / jsonl / csv ---- */

static json_object *
node_json(const struct alpcscope_model *m, const struct alpcscope_write_options *o,
	  const struct nrow *r, bool flat)
{
	json_object *j = json_object_new_object();
	char path[2048];

	if (flat && o->format == ALPCSCOPE_OUTPUT_JSONL) {
		json_object_object_add(j, "message", mo_jstr(r->summary));
		json_object_object_add(j, "datetime", mo_jstr(r->time_str));
		json_object_object_add(j, "timestamp",
				       mo_ji64((r->time - UNIX_EPOCH_FILETIME) / 10));
		json_object_object_add(j, "timestamp_desc",
				       mo_jstr(r->msg ? "ALPC request in call chain"
						      : "Process created in call chain"));
	}
	json_object_object_add(j, "chain", mo_ju64(r->n->chain));
	json_object_object_add(j, "node", mo_ju64(r->node));
	json_object_object_add(j, "depth", mo_ju64(r->n->depth));
	json_object_object_add(j, "parent_node",
			       r->n->parent == ALPCSCOPE_NONE ? NULL : mo_ju64(r->n->parent));
	json_object_object_add(j, "node_kind", mo_jstr(r->msg ? "message" : "process"));
	if (!(flat && o->format == ALPCSCOPE_OUTPUT_JSONL))
		json_object_object_add(j, "time", mo_jstr(r->time_str));
	json_object_object_add(j, "summary", mo_jstr(r->summary));
	path_text(m, r->node, " > ", path, sizeof(path));
	json_object_object_add(j, "path", mo_jstr(path));
	if (r->msg) {
		json_object_object_add(j, "message_index", mo_ju64(r->n->message));
		json_object_object_add(j, "message_id", mo_ju64(r->msg->message_id));
		json_object_object_add(j, "kind",
				       mo_jstr(alpcscope_message_kind_name(
					   (enum alpcscope_message_kind)r->msg->kind)));
		json_object_object_add(j, "client_pid", mo_jid(r->client.pid));
		json_object_object_add(j, "client_tid", mo_jid(r->client.tid));
		json_object_object_add(j, "client_process", mo_jstr(r->client.label));
		json_object_object_add(j, "server_pid", mo_jid(r->server.pid));
		json_object_object_add(j, "server_tid", mo_jid(r->server.tid));
		json_object_object_add(j, "server_process", mo_jstr(r->server.label));
		json_object_object_add(j, "port",
				       mo_jstr(alpcscope_model_port_name(m, r->msg->port)));
		json_object_object_add(j, "evidence", mo_jstr(r->evidence));
		if (!flat) {
			json_object_object_add(j, "send", mo_jevent(m, &r->msg->send, o->stacks));
			json_object_object_add(j, "receive",
					       mo_jevent(m, &r->msg->receive, o->stacks));
		}
	} else {
		json_object_object_add(j, "created_pid", mo_ju64(r->proc->pid));
		json_object_object_add(j, "created_image", mo_jstr(r->proc->image_name));
		json_object_object_add(j, "created_command_line", mo_jstr(r->proc->command_line));
		json_object_object_add(j, "creator_pid", mo_jid(r->creator_pid));
		json_object_object_add(j, "creator_tid", mo_jid(r->creator_tid));
		json_object_object_add(j, "creator_process", mo_jstr(r->creator));
	}
	if (r->msg) { /* only when present: rows of traces without RPC/WMI are unchanged */
		json_object *x = ro_rpc_json(m, r->n->message);

		if (x)
			json_object_object_add(j, "rpc", x);
		if ((x = ro_wmi_json(m, r->n->message)))
			json_object_object_add(j, "wmi", x);
	} else {
		json_object *x = ro_process_wmi_json(m, r->n->process);

		if (x)
			json_object_object_add(j, "wmi", x);
	}
	json_object_object_add(j, "edge_ordinal", mo_ju64(r->edge_ordinal));
	json_object_object_add(j, "edge_file_offset", mo_ju64(r->edge_file_offset));
	json_object_object_add(j, "edge", mo_jstr(r->edge_text));
	if (r->has_edge) {
		json_object_object_add(j, "parent_message", mo_ju64(r->parent_message));
		json_object_object_add(j, "window_start_ordinal", mo_ju64(r->window_start_ordinal));
		json_object_object_add(j, "window_end_ordinal",
				       r->window_closed ? mo_ju64(r->window_end_ordinal) : NULL);
		json_object_object_add(j, "window_end", mo_jstr(r->window_end));
	}
	return j;
}

static json_object *
tree_json(const struct alpcscope_model *m, const struct alpcscope_write_options *o, uint32_t node)
{
	struct nrow r;

	fill_nrow(m, node, &r);
	json_object *j = node_json(m, o, &r, false), *kids = json_object_new_array();

	for (uint32_t c = r.n->first_child; c != ALPCSCOPE_NONE;
	     c = alpcscope_model_chain_node_at(m, c)->next_sibling)
		json_object_array_add(kids, tree_json(m, o, c));
	json_object_object_add(j, "children", kids);
	return j;
}

static const char *const csv_header =
    "chain,node,depth,parent_node,node_kind,time,summary,path,message_index,message_id,kind,"
    "client_pid,client_tid,client_process,server_pid,server_tid,server_process,port,evidence,"
    "created_pid,created_image,creator_pid,creator_tid,edge_ordinal,edge_file_offset,"
    "parent_message,window_start_ordinal,window_end_ordinal,window_end";

static void
csv_u32(FILE *out, uint32_t v)
{
	if (v != ALPCSCOPE_NONE)
		fprintf(out, "%u", v);
	fputc(',', out);
}

static void
write_csv_node(const struct alpcscope_model *m, FILE *out, const struct nrow *r)
{
	char path[2048];

	path_text(m, r->node, " > ", path, sizeof(path));
	fprintf(out, "%u,%u,%u,", r->n->chain, r->node, r->n->depth);
	csv_u32(out, r->n->parent);
	fprintf(out, "%s,%s,", r->msg ? "message" : "process", r->time_str);
	mo_csv_field(out, r->summary);
	fputc(',', out);
	mo_csv_field(out, path);
	fputc(',', out);
	if (r->msg) {
		fprintf(out, "%u,0x%x,%s,", r->n->message, r->msg->message_id,
			alpcscope_message_kind_name((enum alpcscope_message_kind)r->msg->kind));
		csv_u32(out, r->client.pid);
		csv_u32(out, r->client.tid);
		mo_csv_field(out, r->client.label);
		fputc(',', out);
		csv_u32(out, r->server.pid);
		csv_u32(out, r->server.tid);
		mo_csv_field(out, r->server.label);
		fputc(',', out);
		mo_csv_field(out, alpcscope_model_port_name(m, r->msg->port));
		fprintf(out, ",%s,,,,,", r->evidence);
	} else {
		fputs(",,,,,,,,,,,", out);
		fprintf(out, "%u,", r->proc->pid);
		mo_csv_field(out, r->proc->image_name);
		fputc(',', out);
		csv_u32(out, r->creator_pid);
		csv_u32(out, r->creator_tid);
	}
	fprintf(out, "%" PRIu64 ",%" PRIu64 ",", r->edge_ordinal, r->edge_file_offset);
	if (r->has_edge) {
		fprintf(out, "%u,%" PRIu64 ",", r->parent_message, r->window_start_ordinal);
		if (r->window_closed)
			fprintf(out, "%" PRIu64, r->window_end_ordinal);
		fprintf(out, ",%s", r->window_end);
	} else {
		fputs(",,,", out);
	}
	if (ro_any(m)) { /* rpc,wmi columns only for traces with RPC or WMI events */
		char buf[1400];

		fputc(',', out);
		if (r->msg && ro_rpc_text(m, r->n->message, buf, sizeof(buf)))
			mo_csv_field(out, buf);
		fputc(',', out);
		if ((r->msg && ro_wmi_text(m, r->n->message, buf, sizeof(buf))) ||
		    (r->proc && ro_process_wmi_text(m, r->n->process, buf, sizeof(buf))))
			mo_csv_field(out, buf);
	}
	fputc('\n', out);
}

static void
write_flat_node(const struct alpcscope_model *m, const struct alpcscope_write_options *o, FILE *out,
		uint32_t node)
{
	struct nrow r;

	fill_nrow(m, node, &r);
	if (o->format == ALPCSCOPE_OUTPUT_CSV) {
		write_csv_node(m, out, &r);
		return;
	}
	json_object *j = node_json(m, o, &r, true);

	mo_json_write(out, j);
	fputc('\n', out);
	json_object_put(j);
}

static json_object *
chain_json(const struct alpcscope_model *m, const struct alpcscope_write_options *o, uint32_t ci)
{
	const struct alpcscope_chain *c = alpcscope_model_chain_at(m, ci);
	json_object *j = json_object_new_object();
	char buf[MO_LABEL_SIZE];

	json_object_object_add(j, "chain", mo_ju64(ci));
	json_object_object_add(j, "root_process",
			       mo_jstr(mo_process_label(m, c->root_process, buf, sizeof(buf))));
	json_object_object_add(j, "message_count", mo_ju64(c->message_count));
	json_object_object_add(j, "process_count", mo_ju64(c->process_count));
	json_object_object_add(j, "max_depth", mo_ju64(c->max_depth));
	json_object_object_add(j, "process_span", mo_ju64(c->process_span));
	json_object_object_add(j, "tree", tree_json(m, o, c->root_node));
	return j;
}

static void
json_open(const struct alpcscope_write_options *o, FILE *out, const char *key)
{
	fputs("{\"trace\":", out);
	if (o->trace_path) {
		json_object *p = json_object_new_string(o->trace_path);

		mo_json_write(out, p);
		json_object_put(p);
	} else {
		fputs("null", out);
	}
	fprintf(out, ",\"%s\":[", key);
}

/* ---- caused-process mode ---- */

static void
write_caused(const struct alpcscope_model *m, const struct alpcscope_write_options *o, FILE *out,
	     uint32_t node, bool *first)
{
	const struct alpcscope_chain_node *pn = alpcscope_model_chain_node_at(m, node);
	const struct alpcscope_process_instance *p = alpcscope_model_process_at(m, pn->process);
	uint32_t path[256];
	size_t n = 0;
	char label[MO_LABEL_SIZE], os[MO_LABEL_SIZE], logical[MO_LABEL_SIZE], arrows[2048];
	char t[MO_TIME_SIZE];

	for (uint32_t i = node; i != ALPCSCOPE_NONE && n < 256;
	     i = alpcscope_model_chain_node_at(m, i)->parent)
		path[n++] = i;
	mo_process_label(m, pn->process, label, sizeof(label));
	mo_process_label(m, p->os_parent, os, sizeof(os));
	mo_process_label(m, p->logical_parent, logical, sizeof(logical));
	path_text(m, node, " -> ", arrows, sizeof(arrows));

	if (o->format == ALPCSCOPE_OUTPUT_TEXT) {
		fprintf(out, "%s (pid %u) created %s\n", label, p->pid,
			mo_time(t, p->start_filetime_100ns));
		fprintf(out, "  OS parent:      %s (pid %u)\n", os, p->parent_pid);
		fprintf(out, "  logical parent: %s\n", logical);
		fprintf(out, "  chain %u: %s\n", pn->chain, arrows);
		for (size_t k = n, hop = 1; k-- > 0; hop++) {
			struct nrow r;

			fill_nrow(m, path[k], &r);
			fprintf(out, "  hop %zu: %s %s\n", hop, r.time_str, r.summary);
			fprintf(out, "         edge: %s\n", r.edge_text);
			if (r.msg)
				fprintf(out, "         evidence: %s\n", r.evidence);
			write_rpc_wmi_text(m, out, 9, "", &r);
		}
		fputc('\n', out);
		return;
	}
	if (o->format == ALPCSCOPE_OUTPUT_JSON) {
		json_object *j = json_object_new_object(), *hops = json_object_new_array();

		json_object_object_add(j, "process", mo_jstr(label));
		json_object_object_add(j, "pid", mo_jid(p->pid));
		json_object_object_add(j, "time", mo_jstr(mo_time(t, p->start_filetime_100ns)));
		json_object_object_add(j, "os_parent", mo_jstr(os));
		json_object_object_add(j, "os_parent_pid", mo_ju64(p->parent_pid));
		json_object_object_add(j, "logical_parent", mo_jstr(logical));
		json_object_object_add(j, "chain", mo_ju64(pn->chain));
		json_object_object_add(j, "path", mo_jstr(arrows));
		for (size_t k = n; k-- > 0;) {
			struct nrow r;

			fill_nrow(m, path[k], &r);
			json_object_array_add(hops, node_json(m, o, &r, false));
		}
		json_object_object_add(j, "hops", hops);
		if (!*first)
			fputc(',', out);
		fputc('\n', out);
		mo_json_write(out, j);
		json_object_put(j);
		*first = false;
		return;
	}
	for (size_t k = n; k-- > 0;)
		write_flat_node(m, o, out, path[k]);
}

enum alpcscope_status
alpcscope_chains_write(const struct alpcscope_model *m, const struct alpcscope_write_options *o,
		       FILE *out, struct alpcscope_error *err)
{
	struct alpcscope_write_options defaults = ALPCSCOPE_WRITE_OPTIONS_INIT;
	bool first = true;
	uint32_t written = 0;

	if (!m || !out)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "NULL argument");
	if (!o)
		o = &defaults;
	if (o->version != ALPCSCOPE_WRITE_OPTIONS_VERSION)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "unknown write options version");
	if (o->format == ALPCSCOPE_OUTPUT_XML) /* xml_analysis_writer.c */
		return xml_chains_write(m, o, out, err);
	if (o->format == ALPCSCOPE_OUTPUT_CSV)
		fprintf(out, "%s%s\n", csv_header, ro_any(m) ? ",rpc,wmi" : "");
	if (o->format == ALPCSCOPE_OUTPUT_TEXT && !o->caused_process_only)
		fprintf(out, "# alpcscope chains%s%s: %u chains\n\n", o->trace_path ? " " : "",
			o->trace_path ? o->trace_path : "", alpcscope_model_chain_count(m));
	if (o->format == ALPCSCOPE_OUTPUT_JSON)
		json_open(o, out, o->caused_process_only ? "caused" : "chains");

	if (o->caused_process_only) {
		uint32_t nn = alpcscope_model_chain_node_count(m);

		for (uint32_t i = 0; i < nn; i++) {
			const struct alpcscope_chain_node *c = alpcscope_model_chain_node_at(m, i);

			if (c->kind != ALPCSCOPE_NODE_PROCESS)
				continue;
			if (o->chain_filter && !o->chain_filter(o->filter_ctx, m, c->chain))
				continue;
			if (o->node_filter && !o->node_filter(o->filter_ctx, m, i))
				continue;
			write_caused(m, o, out, i, &first);
			written++;
		}
		if (o->format == ALPCSCOPE_OUTPUT_TEXT && !written)
			fprintf(out, "no matching process was created inside a call chain\n");
	} else {
		uint32_t nc = alpcscope_model_chain_count(m);

		for (uint32_t ci = 0; ci < nc; ci++) {
			const struct alpcscope_chain *c = alpcscope_model_chain_at(m, ci);

			if (o->chain_filter && !o->chain_filter(o->filter_ctx, m, ci))
				continue;
			written++;
			switch (o->format) {
			case ALPCSCOPE_OUTPUT_XML: break; /* handled above */
			case ALPCSCOPE_OUTPUT_TEXT: write_text_chain(m, o, out, ci); break;
			case ALPCSCOPE_OUTPUT_JSON: {
				json_object *j = chain_json(m, o, ci);

				if (!first)
					fputc(',', out);
				fputc('\n', out);
				mo_json_write(out, j);
				json_object_put(j);
				first = false;
				break;
			}
			case ALPCSCOPE_OUTPUT_JSONL:
			case ALPCSCOPE_OUTPUT_CSV:
				for (uint32_t n = c->root_node; n != ALPCSCOPE_NONE;
				     n = next_preorder(m, c->root_node, n))
					write_flat_node(m, o, out, n);
				break;
			}
		}
	}
	if (o->format == ALPCSCOPE_OUTPUT_JSON)
		fputs("\n]}\n", out);
	if (fflush(out) != 0 || ferror(out))
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "write error");
	return ALPCSCOPE_OK;
}
