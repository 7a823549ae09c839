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

#include "output/chains_writer_internal.h"
#include "output/mermaid_writer.h"
#include "output/model_output.h"
#include "output/rpc_output.h"
#include "output/xml_analysis_writer.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/utf8.h"

static const char *
window_end_name(const struct alpcscope_message *p, bool closed)
{
	if (closed)
		return "reply";
	if (p->evidence & ALPCSCOPE_EVIDENCE_ABANDONED)
		return "abandoned";
	return "trace-end";
}

/* "label pid/tid" */
void
cw_party_text(struct strbuf *sb, const char *label, uint32_t pid, uint32_t tid)
{
	mo_sb_text(sb, label);
	mo_putc(sb, ' ');
	mo_sb_u64(sb, pid);
	mo_putc(sb, '/');
	mo_sb_u64(sb, tid);
}

const char *
cw_sb_text(const struct strbuf *sb)
{
	return sb->data ? sb->data : "";
}

/* A message node: its parties, time, evidence and one-line summary. */
static void
nrow_message(struct cw *w, struct nrow *r)
{
	const struct alpcscope_model *m = w->c.m;
	struct strbuf *sum = &w->summary;

	r->msg = alpcscope_model_message_at(m, r->n->message);
	mo_fclient_server(&w->c, r->msg, &r->client, &r->server);
	r->time = mo_message_time(r->msg);
	r->evidence = mo_shown_evidence(m, r->msg);
	const char *port = alpcscope_model_port_name(m, r->msg->port);

	mo_putc(sum, '#');
	mo_sb_u64(sum, r->n->message);
	mo_putc(sum, ' ');
	if (r->client.tid != ALPCSCOPE_ID_UNKNOWN)
		cw_party_text(sum, r->client.label, r->client.pid, r->client.tid);
	else
		mo_putc(sum, '?');
	MO_LIT(sum, " -> ");
	if (r->msg->receive.thread != ALPCSCOPE_NONE)
		cw_party_text(sum, r->server.label, r->server.pid, r->server.tid);
	else
		mo_putc(sum, '?');
	MO_LIT(sum, " msg ");
	mo_sb_hex32(sum, r->msg->message_id);
	mo_putc(sum, ' ');
	mo_puts(sum, alpcscope_message_kind_name((enum alpcscope_message_kind)r->msg->kind));
	mo_putc(sum, ' ');
	mo_sb_latency(sum, mo_latency(m, r->msg));
	if (port) {
		MO_LIT(sum, " port=");
		mo_puts(sum, port);
	}
	r->edge_ordinal = r->msg->send.ordinal;
	r->edge_file_offset = r->msg->send.file_offset;
}

/* A process node: its creator and one-line summary. */
static void
nrow_process(struct cw *w, struct nrow *r)
{
	const struct alpcscope_model *m = w->c.m;
	struct strbuf *sum = &w->summary;

	r->proc = alpcscope_model_process_at(m, r->n->process);
	r->time = r->proc->start_filetime_100ns;
	const struct alpcscope_thread_instance *t =
	    alpcscope_model_thread_at(m, r->proc->creator_thread);

	r->creator_tid = r->proc->creator_tid;
	r->creator_pid = ALPCSCOPE_ID_UNKNOWN;
	r->creator = "?";
	if (t) {
		const struct alpcscope_process_instance *cp =
		    alpcscope_model_process_at(m, t->process);

		if (cp)
			r->creator_pid = cp->pid;
		r->creator = mo_label(&w->c, t->process);
	}
	cw_party_text(sum, r->creator, r->creator_pid, r->creator_tid);
	MO_LIT(sum, " creates ");
	mo_puts(sum, mo_label(&w->c, r->n->process));
	MO_LIT(sum, " (pid ");
	mo_sb_u64(sum, r->proc->pid);
	mo_putc(sum, ')');
	if (r->proc->command_line) {
		MO_LIT(sum, " cmd=");
		mo_puts(sum, r->proc->command_line);
	}
	r->edge_ordinal = r->proc->start_ordinal;
	r->edge_file_offset = r->proc->start_file_offset;
}

/* The evidence for the node's place: a root, or inside its parent's Receive..reply window. */
static void
nrow_edge(struct cw *w, struct nrow *r)
{
	const struct alpcscope_model *m = w->c.m;
	struct strbuf *edge = &w->edge;

	if (r->n->parent == ALPCSCOPE_NONE) {
		if (r->msg && r->msg->send.thread == ALPCSCOPE_NONE) {
			MO_LIT(edge, "root: Receive ord ");
			mo_sb_u64(edge, r->msg->receive.ordinal);
			MO_LIT(edge, " @");
			mo_sb_hex64(edge, r->msg->receive.file_offset);
			MO_LIT(edge, " (Send precedes the trace)");
		} else {
			MO_LIT(edge, "root: Send ord ");
			mo_sb_u64(edge, r->edge_ordinal);
			MO_LIT(edge, " @");
			mo_sb_hex64(edge, r->edge_file_offset);
			MO_LIT(edge, " by tid ");
			mo_sb_u64(edge, r->msg ? r->client.tid : 0);
			MO_LIT(edge, " (no request was being served by the sender)");
		}
		mo_sb_cut(edge, 0, 511);
		r->edge_text = cw_sb_text(edge);
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
	mo_puts(edge, r->msg ? "Send" : "Process Start (header TID = creator)");
	MO_LIT(edge, " ord ");
	mo_sb_u64(edge, r->edge_ordinal);
	MO_LIT(edge, " @");
	mo_sb_hex64(edge, r->edge_file_offset);
	MO_LIT(edge, " by tid ");
	mo_sb_u64(edge, r->msg ? r->client.tid : r->creator_tid);
	MO_LIT(edge, " inside #");
	mo_sb_u64(edge, pn->message);
	MO_LIT(edge, " (Receive ord ");
	mo_sb_u64(edge, r->window_start_ordinal);
	MO_LIT(edge, " .. ");
	if (r->window_closed) {
		MO_LIT(edge, "reply #");
		mo_sb_u64(edge, p->related);
		MO_LIT(edge, " Send ord ");
		mo_sb_u64(edge, r->window_end_ordinal);
	} else {
		MO_LIT(edge, "no reply (");
		mo_puts(edge, r->window_end);
		mo_putc(edge, ')');
	}
	mo_putc(edge, ')');
	mo_sb_cut(edge, 0, 511); /* was snprintf into char[512] */
	r->edge_text = cw_sb_text(edge);
}

void
cw_fill_nrow(struct cw *w, uint32_t node, struct nrow *r)
{
	const struct alpcscope_model *m = w->c.m;
	struct strbuf *sum = &w->summary, *edge = &w->edge;

	memset(r, 0, sizeof(*r));
	strbuf_reset(sum);
	strbuf_reset(edge);
	r->node = node;
	r->n = alpcscope_model_chain_node_at(m, node);
	if (r->n->kind == ALPCSCOPE_NODE_MESSAGE)
		nrow_message(w, r);
	else
		nrow_process(w, r);
	mo_sb_cut(sum, 0, 1023); /* was snprintf into char[1024] */
	r->summary = cw_sb_text(sum);
	r->edge_text = cw_sb_text(edge);
	nrow_edge(w, r);
}

/* Process labels from the root to @p node, joined by @p sep, into w->path (cut to 2047). */
const char *
cw_path_text(struct cw *w, uint32_t node, const char *sep)
{
	const struct alpcscope_model *m = w->c.m;
	uint32_t chain[256];
	size_t n = 0;
	struct strbuf *out = &w->path;

	strbuf_reset(out);
	for (uint32_t i = node; i != ALPCSCOPE_NONE && n < 256;
	     i = alpcscope_model_chain_node_at(m, i)->parent)
		chain[n++] = i;
	for (size_t k = n; k-- > 0 && out->len < 2047;) {
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
			if (out->len)
				mo_puts(out, sep);
			mo_puts(out, mo_label(&w->c, procs[i]));
		}
	}
	mo_sb_cut(out, 0, 2047); /* was snprintf into char[2048] */
	return cw_sb_text(out);
}

/* ---- text ---- */

static void
indent_to(struct strbuf *sb, int indent)
{
	for (int i = 0; i < indent; i++)
		mo_putc(sb, ' ');
}

static void
write_stack_text(struct mo_cache *c, struct strbuf *sb, int indent, const char *what,
		 uint32_t stack)
{
	const struct alpcscope_stack *s = alpcscope_model_stack_at(c->m, stack);
	char buf[MO_FRAME_SIZE];

	if (!s)
		return;
	strbuf_printf(sb, "%*s%s stack:\n", indent, "", what);
	for (uint32_t i = 0; i < s->frame_count; i++) {
		strbuf_printf(sb, "%*s  ", indent, "");
		mo_sb_text(sb, mo_frame(c, s, i, NULL, buf, sizeof(buf)));
		mo_putc(sb, '\n');
	}
}

/* One indented line "BARwhat TEXT" with @p text from the trace shown as safe text. */
static void
text_line(struct strbuf *sb, int indent, const char *bar, const char *what, const char *text)
{
	strbuf_printf(sb, "%*s%s%s", indent, "", bar, what);
	mo_sb_text(sb, text);
	mo_putc(sb, '\n');
}

/* RPC call, WMI operation and WMI process report of a node (rpc_output.c). */
void
cw_write_rpc_wmi_text(const struct alpcscope_model *m, struct strbuf *sb, int indent,
		      const char *bar, const struct nrow *r)
{
	char buf[1400];

	if (r->msg && ro_rpc_text(m, r->n->message, buf, sizeof(buf))) {
		text_line(sb, indent, bar, "rpc: ", buf);
		ro_rpc_evidence(m, r->n->message, buf, sizeof(buf));
		text_line(sb, indent, bar, "rpc evidence: ", buf);
	}
	if (r->msg && ro_wmi_text(m, r->n->message, buf, sizeof(buf)))
		text_line(sb, indent, bar, "wmi: ", buf);
	if (r->proc && ro_process_wmi_text(m, r->n->process, buf, sizeof(buf)))
		text_line(sb, indent, bar, "wmi: ", buf);
}

static void
write_text_node(struct cw *w, const struct alpcscope_write_options *o, const struct nrow *r)
{
	struct strbuf *sb = &w->out;
	int indent = 2 + 4 * (int)r->n->depth;

	indent_to(sb, indent);
	mo_puts(sb, r->n->depth ? "\\_ " : "* ");
	mo_sb_time(&w->c, sb, r->time);
	mo_putc(sb, ' ');
	mo_sb_text(sb, r->summary);
	mo_putc(sb, '\n');
	indent_to(sb, indent);
	MO_LIT(sb, "   | edge: ");
	mo_sb_text(sb, r->edge_text);
	mo_putc(sb, '\n');
	if (r->msg) {
		indent_to(sb, indent);
		MO_LIT(sb, "   | evidence: ");
		mo_sb_evidence(sb, r->evidence);
		mo_putc(sb, '\n');
	}
	cw_write_rpc_wmi_text(w->c.m, sb, indent + 3, "| ", r);
	if (r->msg && (o->stacks || o->symbolizer)) {
		char site[MO_FRAME_SIZE];

		if (mo_call_site(&w->c, r->msg, site, sizeof(site)))
			text_line(sb, indent + 3, "| ", "call site: ", site);
	}
	if (o->stacks && r->msg) {
		write_stack_text(&w->c, sb, indent + 3, "send", r->msg->send.stack);
		write_stack_text(&w->c, sb, indent + 3, "receive", r->msg->receive.stack);
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
write_text_chain(struct cw *w, const struct alpcscope_write_options *o, uint32_t ci)
{
	const struct alpcscope_model *m = w->c.m;
	const struct alpcscope_chain *c = alpcscope_model_chain_at(m, ci);
	struct strbuf *sb = &w->out;

	MO_LIT(sb, "chain ");
	mo_sb_u64(sb, ci);
	MO_LIT(sb, ": client ");
	mo_sb_text(sb, mo_label(&w->c, c->root_process));
	MO_LIT(sb, "; ");
	mo_sb_u64(sb, c->message_count);
	MO_LIT(sb, " messages, ");
	mo_sb_u64(sb, c->process_count);
	MO_LIT(sb, " processes created, depth ");
	mo_sb_u64(sb, c->max_depth);
	MO_LIT(sb, ", ");
	mo_sb_u64(sb, c->process_span);
	MO_LIT(sb, " processes\n");
	for (uint32_t n = c->root_node; n != ALPCSCOPE_NONE;
	     n = next_preorder(m, c->root_node, n)) {
		struct nrow r;

		cw_fill_nrow(w, n, &r);
		write_text_node(w, o, &r);
	}
	mo_putc(sb, '\n');
}

/* ---- json / jsonl / csv ---- */

static void
key(struct strbuf *sb, const char *k)
{
	mo_putc(sb, ',');
	mo_sb_key(sb, k);
}

static void
add_json(struct strbuf *sb, const char *k, json_object *x)
{
	if (!x)
		return;
	key(sb, k);
	mo_sb_json(sb, x);
	json_object_put(x);
}

/* One node's object without its closing brace (the tree adds "children"). */
void
cw_node_json(struct cw *w, const struct alpcscope_write_options *o, const struct nrow *r, bool flat)
{
	const struct alpcscope_model *m = w->c.m;
	struct strbuf *sb = &w->out;
	bool ts = flat && o->format == ALPCSCOPE_OUTPUT_JSONL;

	mo_putc(sb, '{');
	if (ts) {
		MO_LIT(sb, "\"message\":");
		mo_sb_jstr(sb, r->summary);
		MO_LIT(sb, ",\"datetime\":");
		mo_putc(sb, '"');
		mo_sb_time(&w->c, sb, r->time);
		mo_putc(sb, '"');
		MO_LIT(sb, ",\"timestamp\":");
		mo_sb_i64(sb, (r->time - UNIX_EPOCH_FILETIME) / 10);
		MO_LIT(sb, ",\"timestamp_desc\":");
		mo_puts(sb, r->msg ? "\"ALPC request in call chain\""
				   : "\"Process created in call chain\"");
		mo_putc(sb, ',');
	}
	MO_LIT(sb, "\"chain\":");
	mo_sb_u64(sb, r->n->chain);
	MO_LIT(sb, ",\"node\":");
	mo_sb_u64(sb, r->node);
	MO_LIT(sb, ",\"depth\":");
	mo_sb_u64(sb, r->n->depth);
	MO_LIT(sb, ",\"parent_node\":");
	mo_sb_jnone(sb, r->n->parent);
	MO_LIT(sb, ",\"node_kind\":");
	mo_puts(sb, r->msg ? "\"message\"" : "\"process\"");
	if (!ts) {
		MO_LIT(sb, ",\"time\":");
		mo_putc(sb, '"');
		mo_sb_time(&w->c, sb, r->time);
		mo_putc(sb, '"');
	}
	MO_LIT(sb, ",\"summary\":");
	mo_sb_jstr(sb, r->summary);
	MO_LIT(sb, ",\"path\":");
	mo_sb_jstr(sb, cw_path_text(w, r->node, " > "));
	if (r->msg) {
		MO_LIT(sb, ",\"message_index\":");
		mo_sb_u64(sb, r->n->message);
		MO_LIT(sb, ",\"message_id\":");
		mo_sb_u64(sb, r->msg->message_id);
		MO_LIT(sb, ",\"message_id_hex\":\"");
		mo_sb_hex32(sb, r->msg->message_id);
		mo_putc(sb, '"');
		MO_LIT(sb, ",\"kind\":");
		mo_sb_jstr(sb,
			   alpcscope_message_kind_name((enum alpcscope_message_kind)r->msg->kind));
		MO_LIT(sb, ",\"client_pid\":");
		mo_sb_jid(sb, r->client.pid);
		MO_LIT(sb, ",\"client_tid\":");
		mo_sb_jid(sb, r->client.tid);
		MO_LIT(sb, ",\"client_process\":");
		mo_sb_jlabel(&w->c, sb, r->client.process);
		MO_LIT(sb, ",\"server_pid\":");
		mo_sb_jid(sb, r->server.pid);
		MO_LIT(sb, ",\"server_tid\":");
		mo_sb_jid(sb, r->server.tid);
		MO_LIT(sb, ",\"server_process\":");
		mo_sb_jlabel(&w->c, sb, r->server.process);
		MO_LIT(sb, ",\"port\":");
		mo_sb_jstr(sb, alpcscope_model_port_name(m, r->msg->port));
		MO_LIT(sb, ",\"evidence\":");
		mo_putc(sb, '"');
		mo_sb_evidence(sb, r->evidence);
		mo_putc(sb, '"');
		if (!flat) {
			MO_LIT(sb, ",\"send\":");
			mo_sb_jevent(&w->c, sb, &r->msg->send, o->stacks);
			MO_LIT(sb, ",\"receive\":");
			mo_sb_jevent(&w->c, sb, &r->msg->receive, o->stacks);
		}
		if (o->stacks || o->symbolizer) {
			char site[MO_FRAME_SIZE];

			if (mo_call_site(&w->c, r->msg, site, sizeof(site))) {
				MO_LIT(sb, ",\"call_site\":");
				mo_sb_jstr(sb, site);
			}
		}
		/* only when present: rows of traces without RPC/WMI are unchanged */
		add_json(sb, "rpc", ro_rpc_json(m, r->n->message));
		add_json(sb, "wmi", ro_wmi_json(m, r->n->message));
	} else {
		MO_LIT(sb, ",\"created_pid\":");
		mo_sb_u64(sb, r->proc->pid);
		MO_LIT(sb, ",\"created_image\":");
		mo_sb_jstr(sb, r->proc->image_name);
		MO_LIT(sb, ",\"created_command_line\":");
		mo_sb_jstr(sb, r->proc->command_line);
		MO_LIT(sb, ",\"creator_pid\":");
		mo_sb_jid(sb, r->creator_pid);
		MO_LIT(sb, ",\"creator_tid\":");
		mo_sb_jid(sb, r->creator_tid);
		MO_LIT(sb, ",\"creator_process\":");
		mo_sb_jstr(sb, r->creator);
		add_json(sb, "wmi", ro_process_wmi_json(m, r->n->process));
	}
	MO_LIT(sb, ",\"edge_ordinal\":");
	mo_sb_u64(sb, r->edge_ordinal);
	MO_LIT(sb, ",\"edge_file_offset\":");
	mo_sb_u64(sb, r->edge_file_offset);
	MO_LIT(sb, ",\"edge\":");
	mo_sb_jstr(sb, r->edge_text);
	if (r->has_edge) {
		MO_LIT(sb, ",\"parent_message\":");
		mo_sb_u64(sb, r->parent_message);
		MO_LIT(sb, ",\"window_start_ordinal\":");
		mo_sb_u64(sb, r->window_start_ordinal);
		MO_LIT(sb, ",\"window_end_ordinal\":");
		if (r->window_closed)
			mo_sb_u64(sb, r->window_end_ordinal);
		else
			MO_LIT(sb, "null");
		MO_LIT(sb, ",\"window_end\":");
		mo_sb_jstr(sb, r->window_end);
	}
}

static void
tree_json(struct cw *w, const struct alpcscope_write_options *o, uint32_t node)
{
	const struct alpcscope_model *m = w->c.m;
	struct nrow r;

	cw_fill_nrow(w, node, &r);
	cw_node_json(w, o, &r, false);
	MO_LIT(&w->out, ",\"children\":[");
	for (uint32_t c = r.n->first_child; c != ALPCSCOPE_NONE;
	     c = alpcscope_model_chain_node_at(m, c)->next_sibling) {
		if (c != r.n->first_child)
			mo_putc(&w->out, ',');
		tree_json(w, o, c);
	}
	MO_LIT(&w->out, "]}");
}

static const char *const csv_header =
    "chain,node,depth,parent_node,node_kind,time,summary,path,message_index,message_id,kind,"
    "client_pid,client_tid,client_process,server_pid,server_tid,server_process,port,evidence,"
    "created_pid,created_image,creator_pid,creator_tid,edge_ordinal,edge_file_offset,"
    "parent_message,window_start_ordinal,window_end_ordinal,window_end";

void
cw_csv_cell_u32(struct strbuf *sb, uint32_t v)
{
	if (v != ALPCSCOPE_NONE)
		mo_sb_u64(sb, v);
	mo_putc(sb, ',');
}

static void
write_csv_node(struct cw *w, const struct alpcscope_write_options *o, const struct nrow *r)
{
	const struct alpcscope_model *m = w->c.m;
	struct strbuf *sb = &w->out;

	mo_sb_u64(sb, r->n->chain);
	mo_putc(sb, ',');
	mo_sb_u64(sb, r->node);
	mo_putc(sb, ',');
	mo_sb_u64(sb, r->n->depth);
	mo_putc(sb, ',');
	cw_csv_cell_u32(sb, r->n->parent);
	mo_puts(sb, r->msg ? "message," : "process,");
	mo_sb_time(&w->c, sb, r->time);
	mo_putc(sb, ',');
	mo_sb_csv(&w->c, sb, r->summary);
	mo_putc(sb, ',');
	mo_sb_csv(&w->c, sb, cw_path_text(w, r->node, " > "));
	mo_putc(sb, ',');
	if (r->msg) {
		mo_sb_u64(sb, r->n->message);
		mo_putc(sb, ',');
		mo_sb_hex32(sb, r->msg->message_id);
		mo_putc(sb, ',');
		mo_puts(sb, alpcscope_message_kind_name((enum alpcscope_message_kind)r->msg->kind));
		mo_putc(sb, ',');
		cw_csv_cell_u32(sb, r->client.pid);
		cw_csv_cell_u32(sb, r->client.tid);
		mo_sb_csv(&w->c, sb, r->client.label);
		mo_putc(sb, ',');
		cw_csv_cell_u32(sb, r->server.pid);
		cw_csv_cell_u32(sb, r->server.tid);
		mo_sb_csv(&w->c, sb, r->server.label);
		mo_putc(sb, ',');
		mo_sb_csv(&w->c, sb, alpcscope_model_port_name(m, r->msg->port));
		mo_putc(sb, ',');
		mo_sb_evidence(sb, r->evidence);
		MO_LIT(sb, ",,,,,");
	} else {
		MO_LIT(sb, ",,,,,,,,,,,");
		mo_sb_u64(sb, r->proc->pid);
		mo_putc(sb, ',');
		mo_sb_csv(&w->c, sb, r->proc->image_name);
		mo_putc(sb, ',');
		cw_csv_cell_u32(sb, r->creator_pid);
		cw_csv_cell_u32(sb, r->creator_tid);
	}
	mo_sb_u64(sb, r->edge_ordinal);
	mo_putc(sb, ',');
	mo_sb_u64(sb, r->edge_file_offset);
	mo_putc(sb, ',');
	if (r->has_edge) {
		mo_sb_u64(sb, r->parent_message);
		mo_putc(sb, ',');
		mo_sb_u64(sb, r->window_start_ordinal);
		mo_putc(sb, ',');
		if (r->window_closed)
			mo_sb_u64(sb, r->window_end_ordinal);
		mo_putc(sb, ',');
		mo_puts(sb, r->window_end);
	} else {
		MO_LIT(sb, ",,,");
	}
	if (ro_any(m)) { /* rpc,wmi columns only for traces with RPC or WMI events */
		char buf[1400];

		mo_putc(sb, ',');
		if (r->msg && ro_rpc_text(m, r->n->message, buf, sizeof(buf)))
			mo_sb_csv(&w->c, sb, buf);
		mo_putc(sb, ',');
		if ((r->msg && ro_wmi_text(m, r->n->message, buf, sizeof(buf))) ||
		    (r->proc && ro_process_wmi_text(m, r->n->process, buf, sizeof(buf))))
			mo_sb_csv(&w->c, sb, buf);
	}
	mo_sb_csv_stacks(&w->c, sb, r->msg, o->stacks, o->stacks || o->symbolizer);
	mo_putc(sb, '\n');
}

void
cw_write_flat_node(struct cw *w, const struct alpcscope_write_options *o, uint32_t node)
{
	struct nrow r;

	cw_fill_nrow(w, node, &r);
	if (o->format == ALPCSCOPE_OUTPUT_CSV) {
		write_csv_node(w, o, &r);
		return;
	}
	cw_node_json(w, o, &r, true);
	MO_LIT(&w->out, "}\n");
}

static void
chain_json(struct cw *w, const struct alpcscope_write_options *o, uint32_t ci)
{
	const struct alpcscope_chain *c = alpcscope_model_chain_at(w->c.m, ci);
	struct strbuf *sb = &w->out;

	MO_LIT(sb, "{\"chain\":");
	mo_sb_u64(sb, ci);
	MO_LIT(sb, ",\"root_process\":");
	mo_sb_jstr(sb, mo_label(&w->c, c->root_process));
	MO_LIT(sb, ",\"message_count\":");
	mo_sb_u64(sb, c->message_count);
	MO_LIT(sb, ",\"process_count\":");
	mo_sb_u64(sb, c->process_count);
	MO_LIT(sb, ",\"max_depth\":");
	mo_sb_u64(sb, c->max_depth);
	MO_LIT(sb, ",\"process_span\":");
	mo_sb_u64(sb, c->process_span);
	MO_LIT(sb, ",\"tree\":");
	tree_json(w, o, c->root_node);
	mo_putc(sb, '}');
}

static void
json_open(const struct alpcscope_model *m, const struct alpcscope_write_options *o, FILE *out,
	  const char *key_name)
{
	json_object *loss = mo_loss_json(m);

	fputs("{\"trace\":", out);
	if (o->trace_path) {
		json_object *p = json_object_new_string(o->trace_path);

		mo_json_write(out, p);
		json_object_put(p);
	} else {
		fputs("null", out);
	}
	if (o->chain_filter && !o->caused_process_only)
		fprintf(out, ",\"stats\":{\"chains\":%u,\"matching\":%u}",
			alpcscope_model_chain_count(m),
			mo_count_kept(m, alpcscope_model_chain_count(m), o->chain_filter,
				      o->filter_ctx));
	fputs(",\"loss\":", out);
	mo_json_write(out, loss);
	json_object_put(loss);
	fprintf(out, ",\"%s\":[", key_name);
}

enum alpcscope_status
alpcscope_chains_write(const struct alpcscope_model *m, const struct alpcscope_write_options *o,
		       FILE *out, struct alpcscope_error *err)
{
	bool first = true, ok = true, oom = false;
	uint32_t written = 0;
	struct cw w;

	enum alpcscope_status st = mo_check_write_args(m, &o, out, err);

	if (st != ALPCSCOPE_OK)
		return st;
	if (o->format == ALPCSCOPE_OUTPUT_XML) /* xml_analysis_writer.c */
		return xml_chains_write(m, o, out, err);
	if (o->format == ALPCSCOPE_OUTPUT_MERMAID) /* mermaid_writer.c */
		return mermaid_chains_write(m, o, out, err);
	if (o->format == ALPCSCOPE_OUTPUT_CSV)
		fprintf(out, "%s%s%s%s\n", csv_header, ro_any(m) ? ",rpc,wmi" : "",
			o->stacks ? ",send_stack,receive_stack" : "",
			o->stacks || o->symbolizer ? ",call_site" : "");
	if (o->format == ALPCSCOPE_OUTPUT_TEXT && !o->caused_process_only) {
		struct strbuf sb = {0};

		mo_loss_line(m, &sb);
		fprintf(out, "# alpcscope chains%s%s: ", o->trace_path ? " " : "",
			o->trace_path ? o->trace_path : "");
		if (o->chain_filter)
			fprintf(out, "%u of %u chains match the filters\n",
				mo_count_kept(m, alpcscope_model_chain_count(m), o->chain_filter,
					      o->filter_ctx),
				alpcscope_model_chain_count(m));
		else
			fprintf(out, "%u chains\n", alpcscope_model_chain_count(m));
		fprintf(out, "%.*s\n", (int)sb.len, sb.data ? sb.data : "");
		strbuf_free(&sb);
	}
	if (o->format == ALPCSCOPE_OUTPUT_JSON)
		json_open(m, o, out, o->caused_process_only ? "caused" : "chains");

	memset(&w, 0, sizeof(w));
	mo_cache_init(&w.c, m);
	w.c.csv_raw = mo_csv_raw(o);
	w.c.sym = o->symbolizer;
	if (o->caused_process_only) {
		uint32_t np = alpcscope_model_process_count(m);

		/* one answer per selected process, in process (first appearance) order */
		for (uint32_t i = 0; i < np && ok; i++) {
			enum mo_caused kind = mo_caused_kind(m, o, i);

			if (kind == MO_CAUSED_SKIP)
				continue;
			if (kind == MO_CAUSED_CHAIN)
				cw_write_caused(&w, o, alpcscope_model_process_at(m, i)->chain_node,
						&first);
			else
				cw_write_uncaused(&w, o, i, kind, &first);
			written++;
			if (w.out.len >= 1u << 16 || w.out.oom)
				ok = !(oom = w.out.oom) && mo_sb_flush(&w.out, out);
		}
		if (o->format == ALPCSCOPE_OUTPUT_TEXT && !written)
			mo_puts(&w.out, "no selected process passes the filters\n");
	} else {
		uint32_t nc = alpcscope_model_chain_count(m);

		for (uint32_t ci = 0; ci < nc && ok; ci++) {
			const struct alpcscope_chain *c = alpcscope_model_chain_at(m, ci);

			if (o->chain_filter && !o->chain_filter(o->filter_ctx, m, ci))
				continue;
			written++;
			switch (o->format) {
			case ALPCSCOPE_OUTPUT_XML:
			case ALPCSCOPE_OUTPUT_MERMAID: break; /* handled above */
			case ALPCSCOPE_OUTPUT_TEXT: write_text_chain(&w, o, ci); break;
			case ALPCSCOPE_OUTPUT_JSON:
				mo_puts(&w.out, first ? "\n" : ",\n");
				chain_json(&w, o, ci);
				first = false;
				break;
			case ALPCSCOPE_OUTPUT_JSONL:
			case ALPCSCOPE_OUTPUT_CSV:
				for (uint32_t n = c->root_node; n != ALPCSCOPE_NONE;
				     n = next_preorder(m, c->root_node, n))
					cw_write_flat_node(&w, o, n);
				break;
			}
			if (w.out.len >= 1u << 16 || w.out.oom)
				ok = !(oom = w.out.oom) && mo_sb_flush(&w.out, out);
		}
	}
	if (ok)
		ok = !(oom = w.out.oom) && mo_sb_flush(&w.out, out);
	strbuf_free(&w.out);
	strbuf_free(&w.summary);
	strbuf_free(&w.edge);
	strbuf_free(&w.path);
	strbuf_free(&w.tmp);
	mo_cache_free(&w.c);
	return mo_finish_write(o, out, ok, oom, err);
}
