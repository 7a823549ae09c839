/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope graph`: the process graph of a finished model, built with
 * Graphviz cgraph and written as DOT (agwrite) or laid out with dot and
 * rendered to SVG/PNG through gvc. The only file that includes Graphviz
 * headers. The graph is aggregated first (messages -> edge records sorted
 * by stable keys, processes ranked by activity for folding), then the
 * cgraph objects are created in that order, so the DOT text is
 * deterministic. Layout of the output: docs/graph.md.
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

#include "util/error.h"
#include "util/strbuf.h"

/* Display keys of the two synthetic nodes; process indices sort before them. */
#define NODE_FOLD   (UINT32_MAX - 2)
#define NODE_UNSEEN (UINT32_MAX - 1)

/* Folded process names listed in the graph label (all are in the tooltip). */
#define FOLD_LABEL_NAMES    20
#define FOLD_NAMES_PER_LINE 5
/* Highlighted chains described in the graph label. */
#define CHAIN_LABEL_LINES 10

enum proc_flag {
	PF_OK = 1u << 0,       /* accepted by the process filter */
	PF_ENDPOINT = 1u << 1, /* client or server of a counted message */
	PF_CREATED = 1u << 2,  /* drawn as created inside a chain */
	PF_HL = 1u << 3,       /* on a highlighted chain */
	PF_FOLDED = 1u << 4,
};

/* One counted message, by display keys. */
struct rec {
	uint32_t client, server, port, msg;
};

/* One process-creation edge. */
struct creation {
	uint32_t creator, created;
};

struct graph {
	const struct alpcscope_model *m;
	const struct alpcscope_graph_options *o;
	uint32_t nproc, nmsg, nnodes, nchains;
	uint8_t *flags;     /* per process */
	uint64_t *activity; /* per process: counted messages it took part in */
	uint8_t *msg_hl;    /* per message */
	uint8_t *node_hl;   /* per chain node */
	uint8_t *chain_hl;  /* per chain: some node highlighted */
	struct rec *recs;
	size_t nrecs;
	struct creation *creations;
	size_t ncreations;
	uint32_t *folded; /* folded process indices, most active first */
	uint32_t nfolded;
	uint64_t folded_internal; /* messages between two folded processes */
	bool unseen;              /* some message has an endpoint not in the trace */
	uint64_t unseen_messages;
	struct alpcscope_graph_stats st;
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

/* Append @p s to a DOT escString: backslashes doubled, so "\RPC Control" survives. */
static void
add_esc(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			strbuf_addc(sb, '\\');
		strbuf_addc(sb, *s);
	}
}

static void
add_latency(struct strbuf *sb, int64_t l)
{
	strbuf_printf(sb, "%" PRId64 ".%04" PRId64, l / 10000, l % 10000);
}

static uint32_t
thread_process(const struct alpcscope_model *m, uint32_t thread)
{
	const struct alpcscope_thread_instance *t = alpcscope_model_thread_at(m, thread);

	return t ? t->process : ALPCSCOPE_NONE;
}

/* Client and server processes: a reply flows from server to client. */
static void
endpoints(const struct alpcscope_model *m, const struct alpcscope_message *msg, uint32_t *client,
	  uint32_t *server)
{
	uint32_t s = thread_process(m, msg->send.thread),
		 r = thread_process(m, msg->receive.thread);

	if (msg->role == ALPCSCOPE_ROLE_REPLY) {
		*client = r;
		*server = s;
	} else {
		*client = s;
		*server = r;
	}
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

static uint32_t
creator_of(const struct alpcscope_model *m, const struct alpcscope_process_instance *p)
{
	uint32_t c = thread_process(m, p->creator_thread);

	if (c == ALPCSCOPE_NONE && p->cause_message != ALPCSCOPE_NONE) {
		const struct alpcscope_message *msg =
		    alpcscope_model_message_at(m, p->cause_message);
		uint32_t client, server;

		if (msg) {
			endpoints(m, msg, &client, &server);
			c = server;
		}
	}
	return c;
}

/* ---- selection ------------------------------------------------------------ */

static void
mark_node(struct graph *gr, uint32_t node)
{
	const struct alpcscope_chain_node *n = alpcscope_model_chain_node_at(gr->m, node);

	if (!n || gr->node_hl[node])
		return;
	gr->node_hl[node] = 1;
	if (n->chain < gr->nchains)
		gr->chain_hl[n->chain] = 1;
	if (n->kind == ALPCSCOPE_NODE_MESSAGE && n->message < gr->nmsg) {
		const struct alpcscope_message *msg = alpcscope_model_message_at(gr->m, n->message);

		gr->msg_hl[n->message] = 1;
		if (msg->related < gr->nmsg)
			gr->msg_hl[msg->related] = 1;
	} else if (n->kind == ALPCSCOPE_NODE_PROCESS && n->process < gr->nproc &&
		   (gr->flags[n->process] & PF_OK)) {
		gr->flags[n->process] |= PF_HL;
	}
}

static enum alpcscope_status
select_highlight(struct graph *gr, struct alpcscope_error *err)
{
	const struct alpcscope_graph_options *o = gr->o;
	bool explicit_hl = o->highlight_chain_count || o->highlight_node_count;

	for (uint32_t i = 0; i < o->highlight_chain_count; i++)
		if (o->highlight_chains[i] >= gr->nchains)
			return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
					 "chain %" PRIu32 " does not exist (%" PRIu32 " chains)",
					 o->highlight_chains[i], gr->nchains);
	for (uint32_t i = 0; i < o->highlight_node_count; i++)
		if (o->highlight_nodes[i] >= gr->nnodes)
			return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
					 "chain node %" PRIu32 " does not exist",
					 o->highlight_nodes[i]);

	uint8_t *want = calloc(gr->nchains ? gr->nchains : 1, 1);

	if (!want)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	for (uint32_t i = 0; i < o->highlight_chain_count; i++)
		want[o->highlight_chains[i]] = 1;
	if (!explicit_hl && o->highlight_default)
		for (uint32_t c = 0; c < gr->nchains; c++)
			if (alpcscope_model_chain_at(gr->m, c)->process_count &&
			    (!o->chain_filter || o->chain_filter(o->filter_ctx, gr->m, c)))
				want[c] = 1;
	for (uint32_t i = 0; i < gr->nnodes; i++) {
		const struct alpcscope_chain_node *n = alpcscope_model_chain_node_at(gr->m, i);

		if (n->chain < gr->nchains && want[n->chain])
			mark_node(gr, i);
	}
	free(want);
	/* The path from the root to each selected node. */
	for (uint32_t i = 0; i < o->highlight_node_count; i++) {
		uint32_t guard = 0;

		for (uint32_t n = o->highlight_nodes[i]; n < gr->nnodes && guard <= gr->nnodes;
		     n = alpcscope_model_chain_node_at(gr->m, n)->parent, guard++)
			mark_node(gr, n);
	}
	return ALPCSCOPE_OK;
}

static bool
count_message(struct graph *gr, uint32_t i, uint32_t *client, uint32_t *server)
{
	const struct alpcscope_message *msg = alpcscope_model_message_at(gr->m, i);
	const struct alpcscope_graph_options *o = gr->o;

	endpoints(gr->m, msg, client, server);
	/* The process filter always wins; a highlighted message skips the message filter. */
	if (*client != ALPCSCOPE_NONE && !(gr->flags[*client] & PF_OK))
		return false;
	if (*server != ALPCSCOPE_NONE && !(gr->flags[*server] & PF_OK))
		return false;
	if (gr->msg_hl[i])
		return true;
	return !o->message_filter || o->message_filter(o->filter_ctx, gr->m, i);
}

static enum alpcscope_status
collect(struct graph *gr, struct alpcscope_error *err)
{
	const struct alpcscope_model *m = gr->m;

	gr->recs = malloc((gr->nmsg ? gr->nmsg : 1) * sizeof(*gr->recs));
	gr->creations = malloc((gr->nproc ? gr->nproc : 1) * sizeof(*gr->creations));
	if (!gr->recs || !gr->creations)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	for (uint32_t i = 0; i < gr->nmsg; i++) {
		uint32_t client, server;

		if (!count_message(gr, i, &client, &server)) {
			gr->st.filtered_messages++;
			continue;
		}
		uint8_t hl = gr->msg_hl[i] ? PF_HL : 0;

		if (client != ALPCSCOPE_NONE) {
			gr->flags[client] |= PF_ENDPOINT | hl;
			gr->activity[client]++;
		}
		if (server != ALPCSCOPE_NONE) {
			gr->flags[server] |= PF_ENDPOINT | hl;
			if (server != client)
				gr->activity[server]++;
		}
		gr->recs[gr->nrecs++] =
		    (struct rec){client, server, alpcscope_model_message_at(m, i)->port, i};
	}
	/* Processes created inside a served request, with their creator. */
	for (uint32_t p = 0; p < gr->nproc; p++) {
		const struct alpcscope_process_instance *pi = alpcscope_model_process_at(m, p);

		if (pi->cause_message == ALPCSCOPE_NONE)
			continue;
		uint32_t creator = creator_of(m, pi);

		if (creator == ALPCSCOPE_NONE || !(gr->flags[p] & PF_OK) ||
		    !(gr->flags[creator] & PF_OK))
			continue;
		if (gr->flags[p] & PF_HL) {
			gr->flags[creator] |= PF_HL;
		} else if (!(gr->flags[creator] & (PF_ENDPOINT | PF_HL | PF_CREATED))) {
			continue;
		}
		gr->flags[p] |= PF_CREATED;
		gr->creations[gr->ncreations++] = (struct creation){creator, p};
	}
	return ALPCSCOPE_OK;
}

/* ---- folding ----------------------------------------------------------------- */

static int
by_activity_r(const uint64_t *act, uint32_t a, uint32_t b)
{
	if (act[a] != act[b])
		return act[a] > act[b] ? -1 : 1;
	return a < b ? -1 : a > b;
}

/*
 * Most active first, then by process index. A bottom-up merge sort: qsort
 * has no context argument, and the ranking must not use global state.
 */
static void
sort_candidates(uint32_t *v, uint32_t n, const uint64_t *act)
{
	uint32_t *tmp = malloc((n ? n : 1) * sizeof(*tmp));

	if (!tmp) {
		/* Fall back to insertion sort in place. */
		for (uint32_t i = 1; i < n; i++) {
			uint32_t x = v[i], j = i;

			while (j > 0 && by_activity_r(act, v[j - 1], x) > 0) {
				v[j] = v[j - 1];
				j--;
			}
			v[j] = x;
		}
		return;
	}
	for (uint32_t w = 1; w < n; w *= 2) {
		for (uint32_t lo = 0; lo < n; lo += 2 * w) {
			uint32_t mid = lo + w < n ? lo + w : n;
			uint32_t hi = lo + 2 * w < n ? lo + 2 * w : n;
			uint32_t a = lo, b = mid, k = lo;

			while (a < mid && b < hi)
				tmp[k++] = by_activity_r(act, v[a], v[b]) <= 0 ? v[a++] : v[b++];
			while (a < mid)
				tmp[k++] = v[a++];
			while (b < hi)
				tmp[k++] = v[b++];
		}
		memcpy(v, tmp, n * sizeof(*v));
		if (w > UINT32_MAX / 2)
			break;
	}
	free(tmp);
}

static enum alpcscope_status
fold(struct graph *gr, struct alpcscope_error *err)
{
	uint32_t drawn = 0, mandatory = 0, ncand = 0;

	for (uint32_t p = 0; p < gr->nproc; p++) {
		if (!(gr->flags[p] & (PF_ENDPOINT | PF_CREATED | PF_HL)))
			continue;
		drawn++;
		if (gr->flags[p] & PF_HL)
			mandatory++;
	}
	for (size_t i = 0; i < gr->nrecs; i++)
		if (gr->recs[i].client == ALPCSCOPE_NONE || gr->recs[i].server == ALPCSCOPE_NONE)
			gr->unseen = true;
	if (gr->unseen) {
		drawn++;
		mandatory++;
	}
	if (!gr->o->max_nodes || drawn <= gr->o->max_nodes)
		return ALPCSCOPE_OK;

	gr->folded = malloc((drawn ? drawn : 1) * sizeof(*gr->folded));
	if (!gr->folded)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	for (uint32_t p = 0; p < gr->nproc; p++)
		if ((gr->flags[p] & (PF_ENDPOINT | PF_CREATED)) && !(gr->flags[p] & PF_HL))
			gr->folded[ncand++] = p;
	sort_candidates(gr->folded, ncand, gr->activity);

	uint32_t keep = gr->o->max_nodes - 1; /* one node for the fold */

	keep = keep > mandatory ? keep - mandatory : 0;
	if (keep > ncand)
		keep = ncand;
	gr->nfolded = ncand - keep;
	memmove(gr->folded, gr->folded + keep, gr->nfolded * sizeof(*gr->folded));
	for (uint32_t i = 0; i < gr->nfolded; i++)
		gr->flags[gr->folded[i]] |= PF_FOLDED;
	return ALPCSCOPE_OK;
}

static uint32_t
display(const struct graph *gr, uint32_t p)
{
	if (p == ALPCSCOPE_NONE)
		return NODE_UNSEEN;
	return (gr->flags[p] & PF_FOLDED) ? NODE_FOLD : p;
}

static int
rec_cmp(const void *pa, const void *pb)
{
	const struct rec *a = pa, *b = pb;

	if (a->client != b->client)
		return a->client < b->client ? -1 : 1;
	if (a->server != b->server)
		return a->server < b->server ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return a->msg < b->msg ? -1 : a->msg > b->msg;
}

static int
i64_cmp(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

	return a < b ? -1 : a > b;
}

/* Map records to display keys, sort them, and count what the fold swallowed. */
static void
aggregate(struct graph *gr)
{
	size_t n = 0;

	for (size_t i = 0; i < gr->nrecs; i++) {
		struct rec r = gr->recs[i];
		bool folded = (r.client != ALPCSCOPE_NONE && (gr->flags[r.client] & PF_FOLDED)) ||
			      (r.server != ALPCSCOPE_NONE && (gr->flags[r.server] & PF_FOLDED));

		if (r.client == ALPCSCOPE_NONE || r.server == ALPCSCOPE_NONE)
			gr->unseen_messages++;
		r.client = display(gr, r.client);
		r.server = display(gr, r.server);
		if (folded) {
			gr->st.folded_messages++;
			r.port = ALPCSCOPE_NONE; /* edges of the fold node merge all ports */
		}
		if (r.client == NODE_FOLD && r.server == NODE_FOLD) {
			gr->folded_internal++;
			continue;
		}
		gr->recs[n++] = r;
	}
	gr->nrecs = n;
	qsort(gr->recs, gr->nrecs, sizeof(*gr->recs), rec_cmp);
	gr->st.messages = gr->nrecs + gr->folded_internal;
}

/* ---- labels ------------------------------------------------------------------- */

static void
process_line(struct graph *gr, struct strbuf *sb, uint32_t p)
{
	const struct alpcscope_process_instance *pi = alpcscope_model_process_at(gr->m, p);
	char label[256];

	alpcscope_model_process_label(gr->m, p, label, sizeof(label));
	add_esc(sb, label);
	strbuf_printf(sb, " (PID %" PRIu32 ")", pi->pid);
}

static void
node_label(struct graph *gr, uint32_t p)
{
	const struct alpcscope_process_instance *pi = alpcscope_model_process_at(gr->m, p);
	char label[256], t[40];

	strbuf_reset(&gr->sb);
	alpcscope_model_process_label(gr->m, p, label, sizeof(label));
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
	const struct rec *r0 = &gr->recs[lo];

	for (size_t i = lo; i < hi; i++) {
		const struct alpcscope_message *msg =
		    alpcscope_model_message_at(gr->m, gr->recs[i].msg);
		int64_t l = round_trip(gr->m, msg);

		if (msg->kind < ALPCSCOPE_MESSAGE_KIND_COUNT)
			by_kind[msg->kind]++;
		if (l >= 0)
			lat[nlat++] = l;
		if (gr->msg_hl[gr->recs[i].msg])
			hl = true;
	}
	strbuf_reset(&gr->sb);
	if (r0->port != ALPCSCOPE_NONE) {
		const char *port = alpcscope_model_port_name(gr->m, r0->port);

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
	gr->st.edges++;
	return agedge(gr->g, t, h, NULL, 1);
}

static bool
add_nodes(struct graph *gr)
{
	char name[32];

	for (uint32_t p = 0; p < gr->nproc; p++) {
		uint8_t f = gr->flags[p];

		if (!(f & (PF_ENDPOINT | PF_CREATED | PF_HL)) || (f & PF_FOLDED))
			continue;
		snprintf(name, sizeof(name), "p%" PRIu32, p);
		Agnode_t *n = agnode(gr->g, name, 1);

		if (!n)
			return false;
		gr->pnode[p] = n;
		gr->st.nodes++;
		node_label(gr, p);
		set(n, "label", sb_str(&gr->sb));
		if (f & PF_HL) {
			gr->st.highlighted_processes++;
			set(n, "color", "red");
			set(n, "penwidth", "2.5");
			set(n, "style", "rounded,filled,bold");
			set(n, "fillcolor", "mistyrose");
		}
	}
	if (gr->nfolded) {
		gr->fold_node = agnode(gr->g, gv_str("folded"), 1);
		if (!gr->fold_node)
			return false;
		gr->st.nodes++;
		strbuf_reset(&gr->sb);
		strbuf_printf(&gr->sb,
			      "%" PRIu32 " other processes\\n(%" PRIu64 " messages)\\n"
			      "folded by --max-nodes %" PRIu32,
			      gr->nfolded, gr->st.folded_messages, gr->o->max_nodes);
		set(gr->fold_node, "label", sb_str(&gr->sb));
		set(gr->fold_node, "shape", "folder");
		set(gr->fold_node, "style", "dashed");
		strbuf_reset(&gr->sb);
		for (uint32_t i = 0; i < gr->nfolded; i++) {
			if (i)
				strbuf_adds(&gr->sb, "\\n");
			process_line(gr, &gr->sb, gr->folded[i]);
			strbuf_printf(&gr->sb, ": %" PRIu64 " messages",
				      gr->activity[gr->folded[i]]);
		}
		set(gr->fold_node, "tooltip", sb_str(&gr->sb));
	}
	if (gr->unseen) {
		gr->unseen_node = agnode(gr->g, gv_str("unseen"), 1);
		if (!gr->unseen_node)
			return false;
		gr->st.nodes++;
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
	int64_t *lat = malloc((gr->nrecs ? gr->nrecs : 1) * sizeof(*lat));
	char count[24];

	if (!lat)
		return false;
	for (size_t lo = 0, hi; lo < gr->nrecs; lo = hi) {
		const struct rec *r0 = &gr->recs[lo];

		for (hi = lo + 1;
		     hi < gr->nrecs && gr->recs[hi].client == r0->client &&
		     gr->recs[hi].server == r0->server && gr->recs[hi].port == r0->port;
		     hi++)
			;
		bool hl = edge_label(gr, lo, hi, lat);
		Agedge_t *e = edge(gr, r0->client, r0->server);

		if (!e) {
			free(lat);
			return false;
		}
		gr->st.message_edges++;
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

	for (size_t i = 0; i < gr->ncreations; i++) {
		const struct creation *c = &gr->creations[i];
		uint32_t from = display(gr, c->creator), to = display(gr, c->created);
		const struct alpcscope_process_instance *pi =
		    alpcscope_model_process_at(gr->m, c->created);

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
		if (gr->flags[c->created] & PF_HL) {
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
	return p < gr->nproc && gr->pnode[p];
}

static bool
add_parent_edges(struct graph *gr)
{
	for (uint32_t p = 0; p < gr->nproc; p++) {
		const struct alpcscope_process_instance *pi = alpcscope_model_process_at(gr->m, p);

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
	if (gr->o->title) {
		add_esc(sb, gr->o->title);
		strbuf_adds(sb, "\\l");
	}
	strbuf_printf(sb,
		      "%" PRIu32 " nodes, %" PRIu32 " message edges, %" PRIu64
		      " messages, %zu created process%s\\l",
		      gr->st.nodes, gr->st.message_edges, gr->st.messages, gr->ncreations,
		      gr->ncreations == 1 ? "" : "es");
	for (uint32_t c = 0; c < gr->nchains; c++)
		total_hl += gr->chain_hl[c];
	for (uint32_t c = 0; c < gr->nchains; c++) {
		if (!gr->chain_hl[c])
			continue;
		if (shown == CHAIN_LABEL_LINES) {
			strbuf_printf(sb, "... and %" PRIu32 " more highlighted chains\\l",
				      total_hl - shown);
			break;
		}
		const struct alpcscope_chain *ch = alpcscope_model_chain_at(gr->m, c);

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
	gr->st.highlighted_chains = total_hl;
	if (!total_hl)
		strbuf_adds(sb, "no chain highlighted\\l");
	if (gr->nfolded) {
		strbuf_printf(sb,
			      "folded: the %" PRIu32 " least active processes (%" PRIu64
			      " messages) into \"%" PRIu32 " other processes\": ",
			      gr->nfolded, gr->st.folded_messages, gr->nfolded);
		for (uint32_t i = 0; i < gr->nfolded && i < FOLD_LABEL_NAMES; i++) {
			if (i)
				strbuf_adds(sb, i % FOLD_NAMES_PER_LINE ? ", " : ",\\l    ");
			process_line(gr, sb, gr->folded[i]);
		}
		if (gr->nfolded > FOLD_LABEL_NAMES)
			strbuf_printf(sb, " and %" PRIu32 " more (listed in the node's tooltip)",
				      gr->nfolded - FOLD_LABEL_NAMES);
		strbuf_adds(sb, "\\l");
		if (gr->folded_internal)
			strbuf_printf(sb,
				      "%" PRIu64 " messages between folded processes are "
				      "counted in that node only\\l",
				      gr->folded_internal);
	}
	if (gr->unseen_messages)
		strbuf_printf(sb,
			      "%" PRIu64 " messages have only one side in the trace (node "
			      "\"endpoint not in trace\")\\l",
			      gr->unseen_messages);
	if (gr->o->filter_description || gr->st.filtered_messages) {
		strbuf_adds(sb, "filters: ");
		add_esc(sb, gr->o->filter_description ? gr->o->filter_description : "none");
		strbuf_printf(sb, "; %" PRIu64 " of %" PRIu32 " messages left out\\l",
			      gr->st.filtered_messages, gr->nmsg);
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
	       (!gr->o->parents || add_parent_edges(gr));
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

static enum alpcscope_status
render(struct graph *gr, FILE *out, struct alpcscope_error *err)
{
	const char *fmt = alpcscope_graph_format_name(gr->o->format);
	enum alpcscope_status st = ALPCSCOPE_OK;

	pthread_once(&gvc_once, gvc_init);
	if (!gvc_shared)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
				 "Graphviz: cannot create a context");
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
	if (gvRender(gvc_shared, gr->g, fmt, out) != 0)
		st = error_set(err, ALPCSCOPE_E_UNSUPPORTED, ALPCSCOPE_NO_OFFSET,
			       "Graphviz cannot render '%s' (renderer plugin missing or not "
			       "configured: run 'libgvc6-config-update -c' or 'dot -c' as root); "
			       "write DOT with -o FILE.dot "
			       "instead",
			       fmt);
	gvFreeLayout(gvc_shared, gr->g);
	pthread_mutex_unlock(&gvc_lock);
	return st;
}

static void
graph_free(struct graph *gr)
{
	if (gr->g)
		agclose(gr->g);
	free(gr->flags);
	free(gr->activity);
	free(gr->msg_hl);
	free(gr->node_hl);
	free(gr->chain_hl);
	free(gr->recs);
	free(gr->creations);
	free(gr->folded);
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
	if (options->version != ALPCSCOPE_GRAPH_OPTIONS_VERSION)
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
	gr.m = m;
	gr.o = options;
	gr.nproc = alpcscope_model_process_count(m);
	gr.nmsg = alpcscope_model_message_count(m);
	gr.nnodes = alpcscope_model_chain_node_count(m);
	gr.nchains = alpcscope_model_chain_count(m);
	gr.flags = calloc(gr.nproc + 1, 1);
	gr.activity = calloc(gr.nproc + 1, sizeof(*gr.activity));
	gr.pnode = calloc(gr.nproc + 1, sizeof(*gr.pnode));
	gr.msg_hl = calloc(gr.nmsg + 1, 1);
	gr.node_hl = calloc(gr.nnodes + 1, 1);
	gr.chain_hl = calloc(gr.nchains + 1, 1);
	if (!gr.flags || !gr.activity || !gr.pnode || !gr.msg_hl || !gr.node_hl || !gr.chain_hl) {
		st = error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
		goto out;
	}
	for (uint32_t p = 0; p < gr.nproc; p++)
		if (!options->process_filter || options->process_filter(options->filter_ctx, m, p))
			gr.flags[p] |= PF_OK;

	if ((st = select_highlight(&gr, err)) != ALPCSCOPE_OK ||
	    (st = collect(&gr, err)) != ALPCSCOPE_OK || (st = fold(&gr, err)) != ALPCSCOPE_OK)
		goto out;
	aggregate(&gr);
	gr.st.folded_processes = gr.nfolded;
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
		for (uint32_t i = 0; i < gr.nfolded; i++)
			options->on_fold(options->fold_ctx, m, gr.folded[i],
					 gr.activity[gr.folded[i]]);

	if (options->format == ALPCSCOPE_GRAPH_DOT) {
		if (agwrite(gr.g, out) == EOF)
			st = error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET,
				       "cannot write the graph: %s", strerror(errno));
	} else {
		st = render(&gr, out, err);
	}
	if (st == ALPCSCOPE_OK && (fflush(out) != 0 || ferror(out)))
		st = error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET,
			       "cannot write the graph: %s", strerror(errno));
out:
	if (stats)
		*stats = gr.st;
	graph_free(&gr);
	return st;
}
