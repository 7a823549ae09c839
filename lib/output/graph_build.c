/* SPDX-License-Identifier: MIT */
/*
 * The graph model of `alpcscope graph` (graph_build.h): the process filter,
 * highlighted chains, counted messages and process creations, folding of the
 * least active processes, and the aggregation of messages into records keyed
 * by display node and sorted by stable keys, so the DOT text that
 * dot_writer.c builds from them is deterministic. No Graphviz here.
 */
#include <alpcscope/graph.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/graph_build.h"
#include "util/error.h"

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
mark_node(struct graph_model *gm, uint32_t node)
{
	const struct alpcscope_chain_node *n = alpcscope_model_chain_node_at(gm->m, node);

	if (!n || gm->node_hl[node])
		return;
	gm->node_hl[node] = 1;
	if (n->chain < gm->nchains)
		gm->chain_hl[n->chain] = 1;
	if (n->kind == ALPCSCOPE_NODE_MESSAGE && n->message < gm->nmsg) {
		const struct alpcscope_message *msg = alpcscope_model_message_at(gm->m, n->message);

		gm->msg_hl[n->message] = 1;
		if (msg->related < gm->nmsg)
			gm->msg_hl[msg->related] = 1;
	} else if (n->kind == ALPCSCOPE_NODE_PROCESS && n->process < gm->nproc &&
		   (gm->flags[n->process] & PF_OK)) {
		gm->flags[n->process] |= PF_HL;
	}
}

static enum alpcscope_status
select_highlight(struct graph_model *gm, struct alpcscope_error *err)
{
	const struct alpcscope_graph_options *o = gm->o;
	bool explicit_hl = o->highlight_chain_count || o->highlight_node_count;

	for (uint32_t i = 0; i < o->highlight_chain_count; i++)
		if (o->highlight_chains[i] >= gm->nchains)
			return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
					 "chain %" PRIu32 " does not exist (%" PRIu32 " chains)",
					 o->highlight_chains[i], gm->nchains);
	for (uint32_t i = 0; i < o->highlight_node_count; i++)
		if (o->highlight_nodes[i] >= gm->nnodes)
			return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
					 "chain node %" PRIu32 " does not exist",
					 o->highlight_nodes[i]);

	uint8_t *want = calloc(gm->nchains ? gm->nchains : 1, 1);

	if (!want)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	for (uint32_t i = 0; i < o->highlight_chain_count; i++)
		want[o->highlight_chains[i]] = 1;
	if (!explicit_hl && o->highlight_default)
		for (uint32_t c = 0; c < gm->nchains; c++)
			if (alpcscope_model_chain_at(gm->m, c)->process_count &&
			    (!o->chain_filter || o->chain_filter(o->filter_ctx, gm->m, c)))
				want[c] = 1;
	for (uint32_t i = 0; i < gm->nnodes; i++) {
		const struct alpcscope_chain_node *n = alpcscope_model_chain_node_at(gm->m, i);

		if (n->chain < gm->nchains && want[n->chain])
			mark_node(gm, i);
	}
	free(want);
	/* The path from the root to each selected node. */
	for (uint32_t i = 0; i < o->highlight_node_count; i++) {
		uint32_t guard = 0;

		for (uint32_t n = o->highlight_nodes[i]; n < gm->nnodes && guard <= gm->nnodes;
		     n = alpcscope_model_chain_node_at(gm->m, n)->parent, guard++)
			mark_node(gm, n);
	}
	return ALPCSCOPE_OK;
}

static bool
count_message(struct graph_model *gm, uint32_t i, uint32_t *client, uint32_t *server)
{
	const struct alpcscope_message *msg = alpcscope_model_message_at(gm->m, i);
	const struct alpcscope_graph_options *o = gm->o;

	endpoints(gm->m, msg, client, server);
	/* The process filter always wins; a highlighted message skips the message filter. */
	if (*client != ALPCSCOPE_NONE && !(gm->flags[*client] & PF_OK))
		return false;
	if (*server != ALPCSCOPE_NONE && !(gm->flags[*server] & PF_OK))
		return false;
	if (gm->msg_hl[i])
		return true;
	return !o->message_filter || o->message_filter(o->filter_ctx, gm->m, i);
}

static enum alpcscope_status
collect(struct graph_model *gm, struct alpcscope_error *err)
{
	const struct alpcscope_model *m = gm->m;

	gm->recs = malloc((gm->nmsg ? gm->nmsg : 1) * sizeof(*gm->recs));
	gm->creations = malloc((gm->nproc ? gm->nproc : 1) * sizeof(*gm->creations));
	if (!gm->recs || !gm->creations)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	for (uint32_t i = 0; i < gm->nmsg; i++) {
		uint32_t client, server;

		if (!count_message(gm, i, &client, &server)) {
			gm->st.filtered_messages++;
			continue;
		}
		uint8_t hl = gm->msg_hl[i] ? PF_HL : 0;

		if (client != ALPCSCOPE_NONE) {
			gm->flags[client] |= PF_ENDPOINT | hl;
			gm->activity[client]++;
		}
		if (server != ALPCSCOPE_NONE) {
			gm->flags[server] |= PF_ENDPOINT | hl;
			if (server != client)
				gm->activity[server]++;
		}
		gm->recs[gm->nrecs++] =
		    (struct rec){client, server, alpcscope_model_message_at(m, i)->port, i};
	}
	/* Processes created inside a served request, with their creator. */
	for (uint32_t p = 0; p < gm->nproc; p++) {
		const struct alpcscope_process_instance *pi = alpcscope_model_process_at(m, p);

		if (pi->cause_message == ALPCSCOPE_NONE)
			continue;
		uint32_t creator = creator_of(m, pi);

		if (creator == ALPCSCOPE_NONE || !(gm->flags[p] & PF_OK) ||
		    !(gm->flags[creator] & PF_OK))
			continue;
		if (gm->flags[p] & PF_HL) {
			gm->flags[creator] |= PF_HL;
		} else if (!(gm->flags[creator] & (PF_ENDPOINT | PF_HL | PF_CREATED))) {
			continue;
		}
		gm->flags[p] |= PF_CREATED;
		gm->creations[gm->ncreations++] = (struct creation){creator, p};
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
fold(struct graph_model *gm, struct alpcscope_error *err)
{
	uint32_t drawn = 0, mandatory = 0, ncand = 0;

	for (uint32_t p = 0; p < gm->nproc; p++) {
		if (!(gm->flags[p] & (PF_ENDPOINT | PF_CREATED | PF_HL)))
			continue;
		drawn++;
		if (gm->flags[p] & PF_HL)
			mandatory++;
	}
	for (size_t i = 0; i < gm->nrecs; i++)
		if (gm->recs[i].client == ALPCSCOPE_NONE || gm->recs[i].server == ALPCSCOPE_NONE)
			gm->unseen = true;
	if (gm->unseen) {
		drawn++;
		mandatory++;
	}
	if (!gm->o->max_nodes || drawn <= gm->o->max_nodes)
		return ALPCSCOPE_OK;

	gm->folded = malloc((drawn ? drawn : 1) * sizeof(*gm->folded));
	if (!gm->folded)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	for (uint32_t p = 0; p < gm->nproc; p++)
		if ((gm->flags[p] & (PF_ENDPOINT | PF_CREATED)) && !(gm->flags[p] & PF_HL))
			gm->folded[ncand++] = p;
	sort_candidates(gm->folded, ncand, gm->activity);

	uint32_t keep = gm->o->max_nodes - 1; /* one node for the fold */

	keep = keep > mandatory ? keep - mandatory : 0;
	if (keep > ncand)
		keep = ncand;
	gm->nfolded = ncand - keep;
	memmove(gm->folded, gm->folded + keep, gm->nfolded * sizeof(*gm->folded));
	for (uint32_t i = 0; i < gm->nfolded; i++)
		gm->flags[gm->folded[i]] |= PF_FOLDED;
	return ALPCSCOPE_OK;
}

/* Display key of a process: itself, NODE_FOLD, or NODE_UNSEEN for ALPCSCOPE_NONE. */
uint32_t
graph_display(const struct graph_model *gm, uint32_t p)
{
	if (p == ALPCSCOPE_NONE)
		return NODE_UNSEEN;
	return (gm->flags[p] & PF_FOLDED) ? NODE_FOLD : p;
}

/* Order of the edge keys: client, server, port. */
static int
rec_cmp_key(const struct rec *a, const struct rec *b)
{
	if (a->client != b->client)
		return a->client < b->client ? -1 : 1;
	if (a->server != b->server)
		return a->server < b->server ? -1 : 1;
	return a->port < b->port ? -1 : a->port > b->port;
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

/* Map records to display keys, sort them, and count what the fold swallowed. */
static void
aggregate(struct graph_model *gm)
{
	size_t n = 0;

	for (size_t i = 0; i < gm->nrecs; i++) {
		struct rec r = gm->recs[i];
		bool folded = (r.client != ALPCSCOPE_NONE && (gm->flags[r.client] & PF_FOLDED)) ||
			      (r.server != ALPCSCOPE_NONE && (gm->flags[r.server] & PF_FOLDED));

		if (r.client == ALPCSCOPE_NONE || r.server == ALPCSCOPE_NONE)
			gm->unseen_messages++;
		r.client = graph_display(gm, r.client);
		r.server = graph_display(gm, r.server);
		if (folded) {
			gm->st.folded_messages++;
			r.port = ALPCSCOPE_NONE; /* edges of the fold node merge all ports */
		}
		if (r.client == NODE_FOLD && r.server == NODE_FOLD) {
			gm->folded_internal++;
			continue;
		}
		gm->recs[n++] = r;
	}
	gm->nrecs = n;
	qsort(gm->recs, gm->nrecs, sizeof(*gm->recs), rec_cmp);
	gm->st.messages = gm->nrecs + gm->folded_internal;
}

/* ---- edge cap ---------------------------------------------------------------- */

/* One message edge: recs[lo, hi) share client, server and port. */
struct edge_group {
	size_t lo, hi;
	bool hl;
};

static int
group_rank(const void *pa, const void *pb)
{
	const struct edge_group *a = pa, *b = pb;

	if (a->hl != b->hl)
		return a->hl ? -1 : 1;
	if (a->hi - a->lo != b->hi - b->lo)
		return a->hi - a->lo > b->hi - b->lo ? -1 : 1;
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

static int
group_pos(const void *pa, const void *pb)
{
	const struct edge_group *a = pa, *b = pb;

	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/*
 * Keep the max_edges most active message edges (highlighted ones always)
 * and fold the others: their messages leave recs[] and are counted in the
 * stats, which the "other conversations" node and the label report. Dot's
 * layout time grows much faster than the edge count (3,540 edges took
 * minutes), so this bounds the work whatever the trace holds.
 */
static enum alpcscope_status
fold_edges(struct graph_model *gm, uint32_t max_edges, struct alpcscope_error *err)
{
	size_t ngroups = 0, n = 0;
	struct edge_group *g;

	for (size_t i = 0; i < gm->nrecs; i++)
		if (i == 0 || rec_cmp_key(&gm->recs[i - 1], &gm->recs[i]) != 0)
			ngroups++;
	if (!max_edges || ngroups <= max_edges)
		return ALPCSCOPE_OK;
	g = malloc(ngroups * sizeof(*g));
	if (!g)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	ngroups = 0;
	for (size_t lo = 0, hi; lo < gm->nrecs; lo = hi) {
		bool hl = gm->msg_hl[gm->recs[lo].msg] != 0;

		for (hi = lo + 1; hi < gm->nrecs && rec_cmp_key(&gm->recs[lo], &gm->recs[hi]) == 0;
		     hi++)
			hl = hl || gm->msg_hl[gm->recs[hi].msg];
		g[ngroups++] = (struct edge_group){lo, hi, hl};
	}
	qsort(g, ngroups, sizeof(*g), group_rank);
	size_t keep = max_edges;

	while (keep < ngroups && g[keep].hl)
		keep++;
	for (size_t i = keep; i < ngroups; i++) {
		gm->st.folded_edges++;
		gm->st.folded_edge_messages += g[i].hi - g[i].lo;
	}
	qsort(g, keep, sizeof(*g), group_pos);
	for (size_t i = 0; i < keep; i++) {
		memmove(gm->recs + n, gm->recs + g[i].lo, (g[i].hi - g[i].lo) * sizeof(*gm->recs));
		n += g[i].hi - g[i].lo;
	}
	gm->nrecs = n;
	free(g);
	return ALPCSCOPE_OK;
}

/* ---- model ------------------------------------------------------------------- */

enum alpcscope_status
graph_model_init(struct graph_model *gm, const struct alpcscope_model *m,
		 const struct alpcscope_graph_options *o, struct alpcscope_error *err)
{
	memset(gm, 0, sizeof(*gm));
	gm->m = m;
	gm->o = o;
	gm->max_edges = o->version >= 2 ? o->max_edges : ALPCSCOPE_GRAPH_DEFAULT_MAX_EDGES;
	gm->nproc = alpcscope_model_process_count(m);
	gm->nmsg = alpcscope_model_message_count(m);
	gm->nnodes = alpcscope_model_chain_node_count(m);
	gm->nchains = alpcscope_model_chain_count(m);
	gm->flags = calloc(gm->nproc + 1, 1);
	gm->activity = calloc(gm->nproc + 1, sizeof(*gm->activity));
	gm->msg_hl = calloc(gm->nmsg + 1, 1);
	gm->node_hl = calloc(gm->nnodes + 1, 1);
	gm->chain_hl = calloc(gm->nchains + 1, 1);
	if (!gm->flags || !gm->activity || !gm->msg_hl || !gm->node_hl || !gm->chain_hl)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	for (uint32_t p = 0; p < gm->nproc; p++)
		if (!o->process_filter || o->process_filter(o->filter_ctx, m, p))
			gm->flags[p] |= PF_OK;
	return ALPCSCOPE_OK;
}

enum alpcscope_status
graph_model_build(struct graph_model *gm, struct alpcscope_error *err)
{
	enum alpcscope_status st;

	if ((st = select_highlight(gm, err)) != ALPCSCOPE_OK ||
	    (st = collect(gm, err)) != ALPCSCOPE_OK || (st = fold(gm, err)) != ALPCSCOPE_OK)
		return st;
	aggregate(gm);
	gm->st.folded_processes = gm->nfolded;
	return fold_edges(gm, gm->max_edges, err);
}

void
graph_model_free(struct graph_model *gm)
{
	free(gm->flags);
	free(gm->activity);
	free(gm->msg_hl);
	free(gm->node_hl);
	free(gm->chain_hl);
	free(gm->recs);
	free(gm->creations);
	free(gm->folded);
}
