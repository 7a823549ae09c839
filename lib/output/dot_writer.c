/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope graph`: the process graph of a finished model, built with
 * Graphviz cgraph and written as DOT (agwrite) or laid out with dot and
 * rendered to SVG/PNG through gvc. The only file that includes Graphviz
 * headers. The graph model is built first in graph_build.c (messages ->
 * edge records sorted by stable keys, processes ranked by activity for
 * folding, highlighting); this file labels it and creates the cgraph objects
 * in that order, so the DOT text is deterministic. Layout of the output:
 * docs/graph.md.
 *
 * Graphviz 2.42 (Debian 12) takes `char *` everywhere; gv_str() is the one
 * place that casts away const.
 *
 * One Graphviz context per process, created on the first render and never
 * freed, used under a mutex: the 2.42 pango text-layout plugin caches a
 * pointer into the font table of the context that rendered last, so freeing
 * a context and rendering with a new one reads freed memory (found by ASan
 * with two renders in one process). Graphviz is not thread-safe either, so
 * the mutex also serializes layout and render. This is the library's only
 * process-wide state; DOT output does not touch it.
 */
#include <alpcscope/graph.h>
#include <alpcscope/reader.h>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "output/graph_build.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/utf8.h"

/* Folded process names listed in the graph label (all are in the tooltip). */
#define FOLD_LABEL_NAMES    20
#define FOLD_NAMES_PER_LINE 5
/* Highlighted chains described in the graph label. */
#define CHAIN_LABEL_LINES 10

/* The model (graph_build.h) and the cgraph objects drawn from it. */
struct graph {
	struct graph_model gm;
	Agraph_t *g;
	Agnode_t **pnode; /* per process */
	Agnode_t *fold_node, *unseen_node;
	struct strbuf sb;
};

/* Graphviz 2.42 takes char * for strings it only reads. */
static char *
gv_str(const char *s)
{
	union {
		const char *c;
		char *m;
	} u = {s};
	return u.m;
}

static const char *
sb_str(const struct strbuf *sb)
{
	return sb->data ? sb->data : "";
}

static void
set(void *obj, const char *name, const char *value)
{
	agsafeset(obj, gv_str(name), gv_str(value), gv_str(""));
}

/*
 * Append untrusted @p s to a DOT escString: safe text first (valid UTF-8,
 * controls and bidi characters as visible escapes: XML 1.0 forbids C0
 * controls, so raw ones would make the SVG unreadable), then backslashes
 * doubled, so "\RPC Control" and the escapes survive Graphviz.
 */
static void
add_esc(struct strbuf *sb, const char *s)
{
	struct strbuf t = {0};

	utf8_add_safe_text(&t, s, strlen(s));
	if (t.oom) {
		sb->oom = true;
		strbuf_free(&t);
		return;
	}
	for (size_t i = 0; i < t.len; i++) {
		if (t.data[i] == '\\')
			strbuf_addc(sb, '\\');
		strbuf_addc(sb, t.data[i]);
	}
	strbuf_free(&t);
}

static void
add_latency(struct strbuf *sb, int64_t l)
{
	strbuf_printf(sb, "%" PRId64 ".%04" PRId64, l / 10000, l % 10000);
}

/*
 * Round trip of a request in 100 ns units: its reply's Receive minus its
 * Send; -1 when the message is not a request with a paired, delivered
 * reply (one-way delivery times are not mixed in).
 */
static int64_t
round_trip(const struct alpcscope_model *m, const struct alpcscope_message *msg)
{
	if (msg->kind != ALPCSCOPE_MESSAGE_REQUEST || msg->related == ALPCSCOPE_NONE ||
	    msg->send.thread == ALPCSCOPE_NONE)
		return -1;
	const struct alpcscope_message *r = alpcscope_model_message_at(m, msg->related);

	if (!r || r->receive.thread == ALPCSCOPE_NONE)
		return -1;
	return r->receive.filetime_100ns - msg->send.filetime_100ns;
}

static int
i64_cmp(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

	return a < b ? -1 : a > b;
}

/* ---- labels ------------------------------------------------------------------- */

static void
process_line(struct graph *gr, struct strbuf *sb, uint32_t p)
{
	const struct alpcscope_process_instance *pi = alpcscope_model_process_at(gr->gm.m, p);
	char label[256];

	alpcscope_model_process_label(gr->gm.m, p, label, sizeof(label));
	add_esc(sb, label);
	strbuf_printf(sb, " (PID %" PRIu32 ")", pi->pid);
}

static void
node_label(struct graph *gr, uint32_t p)
{
	const struct alpcscope_process_instance *pi = alpcscope_model_process_at(gr->gm.m, p);
	char label[256], t[40];

	strbuf_reset(&gr->sb);
	alpcscope_model_process_label(gr->gm.m, p, label, sizeof(label));
	add_esc(&gr->sb, label);
	strbuf_printf(&gr->sb, "\\nPID %" PRIu32 "\\n", pi->pid);
	if (pi->start_filetime_100ns) {
		alpcscope_filetime_format(t, sizeof(t), pi->start_filetime_100ns);
		strbuf_printf(&gr->sb, "started %s", t);
	} else {
		strbuf_adds(&gr->sb, "running at trace start");
	}
	if (pi->end_filetime_100ns) {
		alpcscope_filetime_format(t, sizeof(t), pi->end_filetime_100ns);
		strbuf_printf(&gr->sb, "\\nexited %s", t);
	}
}

static void
add_count(struct strbuf *sb, bool *first, uint64_t n, const char *what)
{
	if (!n)
		return;
	strbuf_printf(sb, "%s%" PRIu64 " %s", *first ? "" : ", ", n, what);
	*first = false;
}

/* Label of the edge made of recs[lo, hi). Returns true when highlighted. */
static bool
edge_label(struct graph *gr, size_t lo, size_t hi, int64_t *lat)
{
	uint64_t by_kind[ALPCSCOPE_MESSAGE_KIND_COUNT] = {0};
	size_t nlat = 0;
	bool hl = false, first = true;
	const struct rec *r0 = &gr->gm.recs[lo];

	for (size_t i = lo; i < hi; i++) {
		const struct alpcscope_message *msg =
		    alpcscope_model_message_at(gr->gm.m, gr->gm.recs[i].msg);
		int64_t l = round_trip(gr->gm.m, msg);

		if (msg->kind < ALPCSCOPE_MESSAGE_KIND_COUNT)
			by_kind[msg->kind]++;
		if (l >= 0)
			lat[nlat++] = l;
		if (gr->gm.msg_hl[gr->gm.recs[i].msg])
			hl = true;
	}
	strbuf_reset(&gr->sb);
	if (r0->port != ALPCSCOPE_NONE) {
		const char *port = alpcscope_model_port_name(gr->gm.m, r0->port);

		add_esc(&gr->sb, port && *port ? port : "(unnamed port)");
	} else if (r0->client == NODE_FOLD || r0->server == NODE_FOLD) {
		strbuf_adds(&gr->sb, "(all ports)");
	} else {
		strbuf_adds(&gr->sb, "(port unknown)");
	}
	strbuf_printf(&gr->sb, "\\n%zu message%s: ", hi - lo, hi - lo == 1 ? "" : "s");
	add_count(&gr->sb, &first,
		  by_kind[ALPCSCOPE_MESSAGE_REQUEST] + by_kind[ALPCSCOPE_MESSAGE_REQUEST_NO_REPLY],
		  "request");
	if (by_kind[ALPCSCOPE_MESSAGE_REQUEST_NO_REPLY])
		strbuf_printf(&gr->sb, " (%" PRIu64 " unanswered)",
			      by_kind[ALPCSCOPE_MESSAGE_REQUEST_NO_REPLY]);
	add_count(&gr->sb, &first, by_kind[ALPCSCOPE_MESSAGE_REPLY], "reply");
	add_count(&gr->sb, &first, by_kind[ALPCSCOPE_MESSAGE_ONE_WAY], "one-way");
	add_count(&gr->sb, &first, by_kind[ALPCSCOPE_MESSAGE_AMBIGUOUS], "ambiguous");
	add_count(&gr->sb, &first, by_kind[ALPCSCOPE_MESSAGE_UNMATCHED_SEND], "unmatched send");
	add_count(&gr->sb, &first, by_kind[ALPCSCOPE_MESSAGE_ORPHAN_RECEIVE], "orphan receive");
	if (nlat) {
		qsort(lat, nlat, sizeof(*lat), i64_cmp);
		strbuf_adds(&gr->sb, "\\nround trip ms: min ");
		add_latency(&gr->sb, lat[0]);
		strbuf_adds(&gr->sb, " / median ");
		add_latency(&gr->sb, lat[(nlat - 1) / 2]);
		strbuf_adds(&gr->sb, " / max ");
		add_latency(&gr->sb, lat[nlat - 1]);
	}
	return hl;
}

/* ---- building the cgraph graph ------------------------------------------------ */

static Agnode_t *
node_for(struct graph *gr, uint32_t key)
{
	if (key == NODE_FOLD)
		return gr->fold_node;
	if (key == NODE_UNSEEN)
		return gr->unseen_node;
	return gr->pnode[key];
}

static Agedge_t *
edge(struct graph *gr, uint32_t from, uint32_t to)
{
	Agnode_t *t = node_for(gr, from), *h = node_for(gr, to);

	if (!t || !h)
		return NULL;
	gr->gm.st.edges++;
	return agedge(gr->g, t, h, NULL, 1);
}

static bool
add_nodes(struct graph *gr)
{
	char name[32];

	for (uint32_t p = 0; p < gr->gm.nproc; p++) {
		uint8_t f = gr->gm.flags[p];

		if (!(f & (PF_ENDPOINT | PF_CREATED | PF_HL)) || (f & PF_FOLDED))
			continue;
		snprintf(name, sizeof(name), "p%" PRIu32, p);
		Agnode_t *n = agnode(gr->g, name, 1);

		if (!n)
			return false;
		gr->pnode[p] = n;
		gr->gm.st.nodes++;
		node_label(gr, p);
		set(n, "label", sb_str(&gr->sb));
		if (f & PF_HL) {
			gr->gm.st.highlighted_processes++;
			set(n, "color", "red");
			set(n, "penwidth", "2.5");
			set(n, "style", "rounded,filled,bold");
			set(n, "fillcolor", "mistyrose");
		}
	}
	if (gr->gm.nfolded) {
		gr->fold_node = agnode(gr->g, gv_str("folded"), 1);
		if (!gr->fold_node)
			return false;
		gr->gm.st.nodes++;
		strbuf_reset(&gr->sb);
		strbuf_printf(&gr->sb,
			      "%" PRIu32 " other processes\\n(%" PRIu64 " messages)\\n"
			      "folded by --max-nodes %" PRIu32,
			      gr->gm.nfolded, gr->gm.st.folded_messages, gr->gm.o->max_nodes);
		set(gr->fold_node, "label", sb_str(&gr->sb));
		set(gr->fold_node, "shape", "folder");
		set(gr->fold_node, "style", "dashed");
		strbuf_reset(&gr->sb);
		for (uint32_t i = 0; i < gr->gm.nfolded; i++) {
			if (i)
				strbuf_adds(&gr->sb, "\\n");
			process_line(gr, &gr->sb, gr->gm.folded[i]);
			strbuf_printf(&gr->sb, ": %" PRIu64 " messages",
				      gr->gm.activity[gr->gm.folded[i]]);
		}
		set(gr->fold_node, "tooltip", sb_str(&gr->sb));
	}
	if (gr->gm.st.folded_edges) {
		/* No edges: the least active conversations are only counted (--max-edges). */
		Agnode_t *n = agnode(gr->g, gv_str("folded_edges"), 1);

		if (!n)
			return false;
		gr->gm.st.nodes++;
		strbuf_reset(&gr->sb);
		strbuf_printf(&gr->sb,
			      "%" PRIu32 " other conversations\\n(%" PRIu64 " messages)\\n"
			      "folded by --max-edges %" PRIu32,
			      gr->gm.st.folded_edges, gr->gm.st.folded_edge_messages,
			      gr->gm.max_edges);
		set(n, "label", sb_str(&gr->sb));
		set(n, "shape", "note");
		set(n, "style", "dashed");
	}
	if (gr->gm.unseen) {
		gr->unseen_node = agnode(gr->g, gv_str("unseen"), 1);
		if (!gr->unseen_node)
			return false;
		gr->gm.st.nodes++;
		set(gr->unseen_node, "label",
		    "endpoint not in trace\\n(unmatched sends, orphan receives)");
		set(gr->unseen_node, "shape", "ellipse");
		set(gr->unseen_node, "style", "dashed");
	}
	return true;
}

static bool
add_message_edges(struct graph *gr)
{
	int64_t *lat = malloc((gr->gm.nrecs ? gr->gm.nrecs : 1) * sizeof(*lat));
	char count[24];

	if (!lat)
		return false;
	for (size_t lo = 0, hi; lo < gr->gm.nrecs; lo = hi) {
		const struct rec *r0 = &gr->gm.recs[lo];

		for (hi = lo + 1;
		     hi < gr->gm.nrecs && gr->gm.recs[hi].client == r0->client &&
		     gr->gm.recs[hi].server == r0->server && gr->gm.recs[hi].port == r0->port;
		     hi++)
			;
		bool hl = edge_label(gr, lo, hi, lat);
		Agedge_t *e = edge(gr, r0->client, r0->server);

		if (!e) {
			free(lat);
			return false;
		}
		gr->gm.st.message_edges++;
		set(e, "label", sb_str(&gr->sb));
		snprintf(count, sizeof(count), "%zu", hi - lo);
		set(e, "messages", count);
		if (hl) {
			set(e, "color", "red");
			set(e, "penwidth", "3");
			set(e, "fontcolor", "red");
		}
	}
	free(lat);
	return true;
}

static bool
add_creation_edges(struct graph *gr)
{
	char t[40];

	for (size_t i = 0; i < gr->gm.ncreations; i++) {
		const struct creation *c = &gr->gm.creations[i];
		uint32_t from = graph_display(&gr->gm, c->creator),
			 to = graph_display(&gr->gm, c->created);
		const struct alpcscope_process_instance *pi =
		    alpcscope_model_process_at(gr->gm.m, c->created);

		if (from == NODE_FOLD && to == NODE_FOLD)
			continue;
		Agedge_t *e = edge(gr, from, to);

		if (!e)
			return false;
		strbuf_reset(&gr->sb);
		strbuf_adds(&gr->sb, "creates");
		if (pi->start_filetime_100ns) {
			alpcscope_filetime_format(t, sizeof(t), pi->start_filetime_100ns);
			strbuf_printf(&gr->sb, "\\n%s", t);
		}
		set(e, "label", sb_str(&gr->sb));
		set(e, "style", "dashed");
		set(e, "kind", "creates");
		if (gr->gm.flags[c->created] & PF_HL) {
			set(e, "color", "red");
			set(e, "penwidth", "3");
			set(e, "fontcolor", "red");
		}
	}
	return true;
}

static bool
drawn(const struct graph *gr, uint32_t p)
{
	return p < gr->gm.nproc && gr->pnode[p];
}

static bool
add_parent_edges(struct graph *gr)
{
	for (uint32_t p = 0; p < gr->gm.nproc; p++) {
		const struct alpcscope_process_instance *pi =
		    alpcscope_model_process_at(gr->gm.m, p);

		if (!drawn(gr, p))
			continue;
		if (drawn(gr, pi->os_parent) && pi->os_parent != p) {
			Agedge_t *e = edge(gr, pi->os_parent, p);

			if (!e)
				return false;
			set(e, "label", "parent");
			set(e, "style", "dotted");
			set(e, "color", "gray40");
			set(e, "kind", "parent");
		}
		if (drawn(gr, pi->logical_parent) && pi->logical_parent != pi->os_parent &&
		    pi->logical_parent != p) {
			Agedge_t *e = edge(gr, pi->logical_parent, p);

			if (!e)
				return false;
			set(e, "label", "logical parent");
			set(e, "style", "dashed");
			set(e, "color", "blue");
			set(e, "kind", "logical-parent");
		}
	}
	return true;
}

static void
graph_label(struct graph *gr)
{
	struct strbuf *sb = &gr->sb;
	uint32_t shown = 0, total_hl = 0;

	strbuf_reset(sb);
	if (gr->gm.o->title) {
		add_esc(sb, gr->gm.o->title);
		strbuf_adds(sb, "\\l");
	}
	strbuf_printf(sb,
		      "%" PRIu32 " nodes, %" PRIu32 " message edges, %" PRIu64
		      " messages, %zu created process%s\\l",
		      gr->gm.st.nodes, gr->gm.st.message_edges, gr->gm.st.messages,
		      gr->gm.ncreations, gr->gm.ncreations == 1 ? "" : "es");
	for (uint32_t c = 0; c < gr->gm.nchains; c++)
		total_hl += gr->gm.chain_hl[c];
	for (uint32_t c = 0; c < gr->gm.nchains; c++) {
		if (!gr->gm.chain_hl[c])
			continue;
		if (shown == CHAIN_LABEL_LINES) {
			strbuf_printf(sb, "... and %" PRIu32 " more highlighted chains\\l",
				      total_hl - shown);
			break;
		}
		const struct alpcscope_chain *ch = alpcscope_model_chain_at(gr->gm.m, c);

		strbuf_printf(sb, "highlighted: chain %" PRIu32 ", root ", c);
		if (ch->root_process != ALPCSCOPE_NONE)
			process_line(gr, sb, ch->root_process);
		else
			strbuf_adds(sb, "(client not in trace)");
		strbuf_printf(sb,
			      ", %" PRIu32 " messages, %" PRIu32 " created, depth %" PRIu32 "\\l",
			      ch->message_count, ch->process_count, ch->max_depth);
		shown++;
	}
	gr->gm.st.highlighted_chains = total_hl;
	if (!total_hl)
		strbuf_adds(sb, "no chain highlighted\\l");
	if (gr->gm.nfolded) {
		strbuf_printf(sb,
			      "folded: the %" PRIu32 " least active processes (%" PRIu64
			      " messages) into \"%" PRIu32 " other processes\": ",
			      gr->gm.nfolded, gr->gm.st.folded_messages, gr->gm.nfolded);
		for (uint32_t i = 0; i < gr->gm.nfolded && i < FOLD_LABEL_NAMES; i++) {
			if (i)
				strbuf_adds(sb, i % FOLD_NAMES_PER_LINE ? ", " : ",\\l    ");
			process_line(gr, sb, gr->gm.folded[i]);
		}
		if (gr->gm.nfolded > FOLD_LABEL_NAMES)
			strbuf_printf(sb, " and %" PRIu32 " more (listed in the node's tooltip)",
				      gr->gm.nfolded - FOLD_LABEL_NAMES);
		strbuf_adds(sb, "\\l");
		if (gr->gm.folded_internal)
			strbuf_printf(sb,
				      "%" PRIu64 " messages between folded processes are "
				      "counted in that node only\\l",
				      gr->gm.folded_internal);
	}
	if (gr->gm.st.folded_edges)
		strbuf_printf(sb,
			      "folded: the %" PRIu32 " least active conversations (%" PRIu64
			      " messages) are not drawn (--max-edges %" PRIu32 ")\\l",
			      gr->gm.st.folded_edges, gr->gm.st.folded_edge_messages,
			      gr->gm.max_edges);
	if (gr->gm.unseen_messages)
		strbuf_printf(sb,
			      "%" PRIu64 " messages have only one side in the trace (node "
			      "\"endpoint not in trace\")\\l",
			      gr->gm.unseen_messages);
	if (gr->gm.o->filter_description || gr->gm.st.filtered_messages) {
		strbuf_adds(sb, "filters: ");
		add_esc(sb, gr->gm.o->filter_description ? gr->gm.o->filter_description : "none");
		strbuf_printf(sb, "; %" PRIu64 " of %" PRIu32 " messages left out\\l",
			      gr->gm.st.filtered_messages, gr->gm.nmsg);
	}
	set(gr->g, "label", sb_str(sb));
}

static bool
build(struct graph *gr)
{
	gr->g = agopen(gv_str("alpc"), Agdirected, NULL);
	if (!gr->g)
		return false;
	agattr(gr->g, AGRAPH, gv_str("rankdir"), gv_str("LR"));
	agattr(gr->g, AGRAPH, gv_str("labelloc"), gv_str("t"));
	agattr(gr->g, AGRAPH, gv_str("labeljust"), gv_str("l"));
	agattr(gr->g, AGRAPH, gv_str("fontsize"), gv_str("12"));
	agattr(gr->g, AGNODE, gv_str("shape"), gv_str("box"));
	agattr(gr->g, AGNODE, gv_str("style"), gv_str("rounded"));
	agattr(gr->g, AGNODE, gv_str("fontsize"), gv_str("11"));
	agattr(gr->g, AGEDGE, gv_str("fontsize"), gv_str("9"));
	return add_nodes(gr) && add_message_edges(gr) && add_creation_edges(gr) &&
	       (!gr->gm.o->parents || add_parent_edges(gr));
}

/* ---- output ------------------------------------------------------------------- */

static pthread_once_t gvc_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t gvc_lock = PTHREAD_MUTEX_INITIALIZER;
static GVC_t *gvc_shared;

static void
gvc_init(void)
{
	gvc_shared = gvContext();
}

/*
 * Bounds on dot's layout work, set only for rendering (DOT output stays the
 * plain graph): network-simplex iterations (nslimit, nslimit1), crossing
 * minimisation passes (mclimit) and the cut-value search (searchsize). With
 * the edge cap they keep any graph to seconds; the drawing differs little.
 */
static const char *const layout_bounds[][2] = {
    {"nslimit", "4"},
    {"nslimit1", "4"},
    {"mclimit", "0.5"},
    {"searchsize", "30"},
};

/*
 * Lay out and render into memory, then write it ourselves: Graphviz calls
 * exit(1) when a write to its own FILE fails (disk full, file-size limit),
 * which would end the process with the wrong code and leave a temporary
 * file behind. Every write is checked here.
 */
static enum alpcscope_status
render(struct graph *gr, FILE *out, struct alpcscope_error *err)
{
	const char *fmt = alpcscope_graph_format_name(gr->gm.o->format);
	enum alpcscope_status st = ALPCSCOPE_OK;
	char *data = NULL;
	unsigned int len = 0;

	pthread_once(&gvc_once, gvc_init);
	if (!gvc_shared)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
				 "Graphviz: cannot create a context");
	for (size_t i = 0; i < sizeof(layout_bounds) / sizeof(layout_bounds[0]); i++)
		set(gr->g, layout_bounds[i][0], layout_bounds[i][1]);
	pthread_mutex_lock(&gvc_lock);
	if (gvLayout(gvc_shared, gr->g, "dot") != 0) {
		st =
		    error_set(err, ALPCSCOPE_E_UNSUPPORTED, ALPCSCOPE_NO_OFFSET,
			      "Graphviz cannot lay out the graph with 'dot' (layout plugin missing "
			      "or not configured: install libgvc6 and run 'libgvc6-config-update "
			      "-c' or 'dot -c' as root); "
			      "write DOT with -o FILE.dot instead");
		pthread_mutex_unlock(&gvc_lock);
		return st;
	}
	if (gvRenderData(gvc_shared, gr->g, fmt, &data, &len) != 0 || !data)
		st = error_set(err, ALPCSCOPE_E_UNSUPPORTED, ALPCSCOPE_NO_OFFSET,
			       "Graphviz cannot render '%s' (renderer plugin missing or not "
			       "configured: run 'libgvc6-config-update -c' or 'dot -c' as root); "
			       "write DOT with -o FILE.dot "
			       "instead",
			       fmt);
	gvFreeLayout(gvc_shared, gr->g);
	pthread_mutex_unlock(&gvc_lock);
	if (st == ALPCSCOPE_OK && len && fwrite(data, 1, len, out) != len)
		st = error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "%s", strerror(errno));
	if (data)
		gvFreeRenderData(data);
	return st;
}

static void
graph_free(struct graph *gr)
{
	if (gr->g)
		agclose(gr->g);
	graph_model_free(&gr->gm);
	free(gr->pnode);
	strbuf_free(&gr->sb);
}

const char *
alpcscope_graph_format_name(enum alpcscope_graph_format format)
{
	switch (format) {
	case ALPCSCOPE_GRAPH_DOT: return "dot";
	case ALPCSCOPE_GRAPH_SVG: return "svg";
	case ALPCSCOPE_GRAPH_PNG: return "png";
	}
	return "unknown";
}

enum alpcscope_status
alpcscope_graph_write(const struct alpcscope_model *m,
		      const struct alpcscope_graph_options *options, FILE *out,
		      struct alpcscope_graph_stats *stats, struct alpcscope_error *err)
{
	static const struct alpcscope_graph_options defaults = ALPCSCOPE_GRAPH_OPTIONS_INIT;
	struct graph gr;
	enum alpcscope_status st;

	if (!options)
		options = &defaults;
	if (!m || !out)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "NULL model or stream");
	if (options->version != 1 && options->version != ALPCSCOPE_GRAPH_OPTIONS_VERSION)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "unknown graph options version %" PRIu32, options->version);
	if (options->max_nodes == 1)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "max_nodes must be 0 (no limit) or at least 2");
	if (options->format != ALPCSCOPE_GRAPH_DOT && options->format != ALPCSCOPE_GRAPH_SVG &&
	    options->format != ALPCSCOPE_GRAPH_PNG)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "unknown graph format %d", (int)options->format);
	if ((options->highlight_chain_count && !options->highlight_chains) ||
	    (options->highlight_node_count && !options->highlight_nodes))
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "highlight count without an array");

	memset(&gr, 0, sizeof(gr));
	if ((st = graph_model_init(&gr.gm, m, options, err)) != ALPCSCOPE_OK)
		goto out;
	gr.pnode = calloc(gr.gm.nproc + 1, sizeof(*gr.pnode));
	if (!gr.pnode) {
		st = error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
		goto out;
	}
	if ((st = graph_model_build(&gr.gm, err)) != ALPCSCOPE_OK)
		goto out;
	if (!build(&gr)) {
		st = error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
			       "out of memory building the graph");
		goto out;
	}
	graph_label(&gr);
	if (gr.sb.oom) {
		st = error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
		goto out;
	}
	if (options->on_fold)
		for (uint32_t i = 0; i < gr.gm.nfolded; i++)
			options->on_fold(options->fold_ctx, m, gr.gm.folded[i],
					 gr.gm.activity[gr.gm.folded[i]]);

	if (options->format == ALPCSCOPE_GRAPH_DOT) {
		if (agwrite(gr.g, out) == EOF)
			st = error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "%s",
				       strerror(errno));
	} else {
		st = render(&gr, out, err);
	}
	if (st == ALPCSCOPE_OK && (fflush(out) != 0 || ferror(out)))
		st = error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "%s", strerror(errno));
out:
	if (stats)
		*stats = gr.gm.st;
	graph_free(&gr);
	return st;
}
