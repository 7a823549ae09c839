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
	struct strbuf *sum = &w->summary;

	msg_row_fill(&w->c, r->n->message, &r->mr);
	r->msg = r->mr.msg;
	r->client = r->mr.client;
	r->server = r->mr.server;
	r->time = r->mr.time;
	r->evidence = r->mr.evidence;
	r->when = CW_MESSAGE;
	r->node_kind = "message";
	r->ts_desc = "ALPC request in call chain";
	const char *port = r->mr.port;

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
	mo_sb_latency(sum, r->mr.latency_100ns);
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
	r->when = CW_PROCESS;
	r->node_kind = "process";
	r->ts_desc = "Process created in call chain";
	r->process_index = r->n->process;
	r->created_pid = r->proc->pid;
	r->created_image = r->proc->image_name;
	r->created_command_line = r->proc->command_line;
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
	r->when |= CW_EDGE;
	r->parent_message = pn->message;
	r->window_start_ordinal = p->receive.ordinal;
	r->window_closed = reply && reply->send.thread != ALPCSCOPE_NONE;
	r->window_end_ordinal = r->window_closed ? reply->send.ordinal : 0;
	r->window_end_cell = r->window_closed ? r->window_end_ordinal : UINT64_MAX;
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
	r->chain = r->n->chain;
	r->depth = r->n->depth;
	r->parent_node = r->n->parent;
	if (r->n->kind == ALPCSCOPE_NODE_MESSAGE)
		nrow_message(w, r);
	else
		nrow_process(w, r);
	mo_sb_cut(sum, 0, 1023); /* was snprintf into char[1024] */
	r->summary = cw_sb_text(sum);
	r->edge_text = cw_sb_text(edge);
	r->ts_timestamp = (r->time - UNIX_EPOCH_FILETIME) / 10;
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

/* ---- json / jsonl / csv: the node table ---- */

static bool
process_wmi_json(struct rm_ctx *ctx, struct strbuf *sb, const void *process)
{
	json_object *x = ro_process_wmi_json(ctx->c->m, *(const uint32_t *)process);

	if (!x)
		return false;
	mo_sb_json(sb, x);
	json_object_put(x);
	return true;
}

/* CSV: the message's WMI operation, or WMI's word on the created process. */
static void
node_wmi_csv(struct rm_ctx *ctx, struct strbuf *sb, const void *row)
{
	const struct nrow *r = row;
	char buf[1400];

	if ((r->msg && ro_wmi_text(ctx->c->m, r->n->message, buf, sizeof(buf))) ||
	    (r->proc && ro_process_wmi_text(ctx->c->m, r->n->process, buf, sizeof(buf))))
		mo_sb_csv(ctx->c, sb, buf);
}

static const struct rm_custom process_wmi_cell = {process_wmi_json, msg_no_csv, msg_no_xml};
static const struct rm_custom node_wmi_csv_cell = {NULL, node_wmi_csv, msg_no_xml};

#define NODE(member) RM_AT(struct nrow, member)
#define JSON_CSV     (RM_JSON | RM_CSV)
#define ALL_BUT_XML  (RM_ANY_JSON | RM_CSV)

/*
 * JSON keeps its key order; CSV columns that only some traces or options
 * have (rpc, wmi, stacks, call site) come last so the fixed columns keep
 * their positions, hence their own CSV-only lines at the end.
 */
static const struct rm_column node_columns[] = {
    /* Timesketch's keys first in JSON lines */
    {RM_KEY("message"), .type = RM_TEXT, NODE(summary), .formats = RM_JSONL},
    {RM_KEY("datetime"), .type = RM_TIME, NODE(time), .formats = RM_JSONL},
    {RM_KEY("timestamp"), .type = RM_I64, NODE(ts_timestamp), .formats = RM_JSONL},
    {RM_KEY("timestamp_desc"), .type = RM_WORD, NODE(ts_desc), .formats = RM_JSONL},
    {RM_KEY("chain"), .type = RM_U32, NODE(chain), .formats = ALL_BUT_XML},
    {RM_KEY("node"), .type = RM_U32, NODE(node), .formats = ALL_BUT_XML},
    {RM_KEY("depth"), .type = RM_U32, NODE(depth), .formats = ALL_BUT_XML},
    {RM_KEY("parent_node"), .type = RM_OPT_U32, NODE(parent_node), .formats = ALL_BUT_XML},
    {RM_KEY("node_kind"), .type = RM_WORD, NODE(node_kind), .formats = ALL_BUT_XML},
    {RM_KEY("time"), .type = RM_TIME, NODE(time), .formats = JSON_CSV},
    {RM_KEY("summary"), .type = RM_TEXT, NODE(summary), .formats = ALL_BUT_XML},
    {RM_KEY("path"), .type = RM_TEXT, NODE(path), .formats = ALL_BUT_XML},
    /* a message node */
    {RM_KEY("message_index"), .type = RM_U32, NODE(mr.index), .formats = ALL_BUT_XML,
     .when = CW_MESSAGE},
    {RM_KEY("message_id"), .type = RM_U32, NODE(mr.message_id), .formats = RM_ANY_JSON,
     .when = CW_MESSAGE},
    {RM_KEY("message_id_hex"), .csv = "message_id", .type = RM_HEX32, NODE(mr.message_id),
     .formats = ALL_BUT_XML, .when = CW_MESSAGE},
    {RM_KEY("kind"), .type = RM_WORD, NODE(mr.kind), .formats = ALL_BUT_XML, .when = CW_MESSAGE},
    {RM_KEY("client_pid"), .type = RM_OPT_U32, NODE(mr.client.pid), .formats = ALL_BUT_XML,
     .when = CW_MESSAGE},
    {RM_KEY("client_tid"), .type = RM_OPT_U32, NODE(mr.client.tid), .formats = ALL_BUT_XML,
     .when = CW_MESSAGE},
    {RM_KEY("client_process"), .type = RM_LABEL, NODE(mr.client.process), .formats = ALL_BUT_XML,
     .when = CW_MESSAGE},
    {RM_KEY("server_pid"), .type = RM_OPT_U32, NODE(mr.server.pid), .formats = ALL_BUT_XML,
     .when = CW_MESSAGE},
    {RM_KEY("server_tid"), .type = RM_OPT_U32, NODE(mr.server.tid), .formats = ALL_BUT_XML,
     .when = CW_MESSAGE},
    {RM_KEY("server_process"), .type = RM_LABEL, NODE(mr.server.process), .formats = ALL_BUT_XML,
     .when = CW_MESSAGE},
    {RM_KEY("port"), .type = RM_PORT, NODE(mr.port_index), .formats = ALL_BUT_XML,
     .when = CW_MESSAGE},
    {RM_KEY("evidence"), .type = RM_EVIDENCE, NODE(evidence), .formats = ALL_BUT_XML,
     .when = CW_MESSAGE},
    {RM_KEY("send"), .type = RM_GROUP, NODE(mr.send), .formats = RM_JSON, .when = CW_MESSAGE,
     .sub = &msg_side_table},
    {RM_KEY("receive"), .type = RM_GROUP, NODE(mr.receive), .formats = RM_JSON, .when = CW_MESSAGE,
     .sub = &msg_side_table},
    {RM_KEY("call_site"), .type = RM_TEXT, NODE(call_site), .formats = RM_ANY_JSON,
     .needs = RM_IF_SITE, .flags = RM_OMIT_NULL, .when = CW_MESSAGE},
    {RM_KEY("rpc"), .type = RM_CUSTOM, NODE(mr.index), .formats = RM_ANY_JSON, .when = CW_MESSAGE,
     .sub = &msg_rpc_cell},
    {RM_KEY("wmi"), .type = RM_CUSTOM, NODE(mr.index), .formats = RM_ANY_JSON, .when = CW_MESSAGE,
     .sub = &msg_wmi_cell},
    /* a process node */
    {RM_KEY("created_pid"), .type = RM_U32, NODE(created_pid), .formats = ALL_BUT_XML,
     .when = CW_PROCESS},
    {RM_KEY("created_image"), .type = RM_TEXT, NODE(created_image), .formats = ALL_BUT_XML,
     .when = CW_PROCESS},
    {RM_KEY("created_command_line"), .type = RM_TEXT, NODE(created_command_line),
     .formats = RM_ANY_JSON, .when = CW_PROCESS},
    {RM_KEY("creator_pid"), .type = RM_OPT_U32, NODE(creator_pid), .formats = ALL_BUT_XML,
     .when = CW_PROCESS},
    {RM_KEY("creator_tid"), .type = RM_OPT_U32, NODE(creator_tid), .formats = ALL_BUT_XML,
     .when = CW_PROCESS},
    {RM_KEY("creator_process"), .type = RM_TEXT, NODE(creator), .formats = RM_ANY_JSON,
     .when = CW_PROCESS},
    {RM_KEY("wmi"), .type = RM_CUSTOM, NODE(process_index), .formats = RM_ANY_JSON,
     .when = CW_PROCESS, .sub = &process_wmi_cell},
    /* the edge from the parent */
    {RM_KEY("edge_ordinal"), .type = RM_U64, NODE(edge_ordinal), .formats = ALL_BUT_XML},
    {RM_KEY("edge_file_offset"), .type = RM_U64, NODE(edge_file_offset), .formats = ALL_BUT_XML},
    {RM_KEY("edge"), .type = RM_TEXT, NODE(edge_text), .formats = RM_ANY_JSON},
    {RM_KEY("parent_message"), .type = RM_U32, NODE(parent_message), .formats = ALL_BUT_XML,
     .when = CW_EDGE},
    {RM_KEY("window_start_ordinal"), .type = RM_U64, NODE(window_start_ordinal),
     .formats = ALL_BUT_XML, .when = CW_EDGE},
    {RM_KEY("window_end_ordinal"), .type = RM_OPT_U64, NODE(window_end_cell),
     .formats = ALL_BUT_XML, .when = CW_EDGE},
    {RM_KEY("window_end"), .type = RM_WORD, NODE(window_end), .formats = ALL_BUT_XML,
     .when = CW_EDGE},
    /* CSV only: the optional columns */
    {RM_KEY("rpc"), .type = RM_CUSTOM, NODE(mr.index), .formats = RM_CSV, .needs = RM_IF_RPC,
     .when = CW_MESSAGE, .sub = &msg_rpc_cell},
    {RM_KEY("wmi"), .type = RM_CUSTOM, .formats = RM_CSV, .needs = RM_IF_RPC,
     .sub = &node_wmi_csv_cell},
    {RM_KEY("send_stack"), .type = RM_STACK, NODE(mr.send.stack), .formats = RM_CSV,
     .needs = RM_IF_STACKS, .when = CW_MESSAGE},
    {RM_KEY("receive_stack"), .type = RM_STACK, NODE(mr.receive.stack), .formats = RM_CSV,
     .needs = RM_IF_STACKS, .when = CW_MESSAGE},
    {RM_KEY("call_site"), .type = RM_TEXT, NODE(call_site), .formats = RM_CSV, .needs = RM_IF_SITE,
     .when = CW_MESSAGE},
};
static const struct rm_table node_table = RM_TABLE(node_columns);

/* The cells only JSON and CSV show: the path and the call site. */
static void
node_cells(struct cw *w, struct nrow *r)
{
	r->path = cw_path_text(w, r->node, " > ");
	r->call_site = NULL;
	if (r->msg && (w->rc.conds & RM_IF_SITE))
		r->call_site = mo_call_site(&w->c, r->msg, w->site, sizeof(w->site));
}

void
cw_node_json(struct cw *w, struct nrow *r)
{
	node_cells(w, r);
	rm_json_object(&w->rc, &w->out, &node_table, r, r->when);
}

static void
tree_json(struct cw *w, uint32_t node)
{
	const struct alpcscope_model *m = w->c.m;
	struct nrow r;

	cw_fill_nrow(w, node, &r);
	cw_node_json(w, &r);
	MO_LIT(&w->out, ",\"children\":[");
	for (uint32_t c = r.n->first_child; c != ALPCSCOPE_NONE;
	     c = alpcscope_model_chain_node_at(m, c)->next_sibling) {
		if (c != r.n->first_child)
			mo_putc(&w->out, ',');
		tree_json(w, c);
	}
	MO_LIT(&w->out, "]}");
}

void
cw_csv_cell_u32(struct strbuf *sb, uint32_t v)
{
	if (v != ALPCSCOPE_NONE)
		mo_sb_u64(sb, v);
	mo_putc(sb, ',');
}

void
cw_write_flat_node(struct cw *w, const struct alpcscope_write_options *o, uint32_t node)
{
	struct nrow r;

	cw_fill_nrow(w, node, &r);
	if (o->format == ALPCSCOPE_OUTPUT_CSV) {
		node_cells(w, &r);
		rm_csv_cells(&w->rc, &w->out, &node_table, &r, r.when);
		mo_putc(&w->out, '\n');
		return;
	}
	cw_node_json(w, &r);
	MO_LIT(&w->out, "}\n");
}

static void
chain_json(struct cw *w, uint32_t ci)
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
	tree_json(w, c->root_node);
	mo_putc(sb, '}');
}

static void
json_open(const struct alpcscope_model *m, const struct alpcscope_write_options *o, FILE *out,
	  const char *key_name)
{
	json_object *loss = mo_loss_json(m);

	mo_json_open_trace(out, o->trace_path);
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
	rm_ctx_init(&w.rc, &w.c, rm_format(o->format), msg_row_conds(m, o));
	if (o->format == ALPCSCOPE_OUTPUT_CSV) {
		rm_csv_header(&w.rc, &w.out, &node_table);
		mo_putc(&w.out, '\n');
	}
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
				chain_json(&w, ci);
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
	rm_ctx_free(&w.rc);
	mo_cache_free(&w.c);
	return mo_finish_write(o, out, ok, oom, err);
}
