/* SPDX-License-Identifier: MIT */
/*
 * The long lossy ALPC trace and its ground truth (lossy_trace.h). Every
 * conversation is planned whole (all its events and times at once), the
 * events are sorted by time, bursts of loss are cut out per CPU, and the
 * survivors are written through etl_writer. Deterministic for a seed.
 */
#include "lossy_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etl_writer.h"

#define OP_SEND     0x21
#define OP_RECEIVE  0x22
#define OP_WAIT     0x23
#define OP_WAIT_NEW 0x24
#define OP_UNWAIT   0x25

#define CLIENT_PROCS   12
#define CLIENT_THREADS 4
#define SERVER_PROCS   6
#define SERVER_WORKERS 6
#define MAX_IDS        4096

struct gev {
	int64_t ticks;
	uint32_t seq;
	uint32_t pid, tid, value, truth;
	uint8_t op;
	bool lost;
};

struct actor {
	uint32_t pid, tid;
	int64_t busy_until;
};

struct gen {
	const struct lossy_config *cfg;
	uint64_t rng;
	struct gev *evs;
	size_t nevs, cap;
	struct lossy_truth *truth;
	uint32_t ntruth, cap_truth;
	struct actor clients[CLIENT_PROCS * CLIENT_THREADS];
	struct actor workers[SERVER_PROCS][SERVER_WORKERS];
	int64_t id_free_at[MAX_IDS];
	uint32_t id_uses[MAX_IDS];
	uint32_t ids_used;
	bool oom;
};

/* splitmix64 */
static uint64_t
rnd(struct gen *g)
{
	uint64_t z = (g->rng += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int64_t
rnd_range(struct gen *g, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rnd(g) % (uint64_t)(hi - lo + 1));
}

static void
ev(struct gen *g, uint8_t op, int64_t ticks, const struct actor *a, uint32_t value, uint32_t truth)
{
	if (g->nevs == g->cap) {
		size_t ncap = g->cap ? g->cap * 2 : 1 << 16;
		struct gev *p = realloc(g->evs, ncap * sizeof(*p));
		if (!p) {
			g->oom = true;
			return;
		}
		g->evs = p;
		g->cap = ncap;
	}
	g->evs[g->nevs] =
	    (struct gev){ticks, (uint32_t)g->nevs, a->pid, a->tid, value, truth, op, false};
	g->nevs++;
}

static uint32_t
new_truth(struct gen *g, uint8_t kind, uint32_t id, const struct actor *from, int64_t at,
	  uint32_t parent)
{
	if (g->ntruth == g->cap_truth) {
		uint32_t ncap = g->cap_truth ? g->cap_truth * 2 : 1 << 16;
		struct lossy_truth *p = realloc(g->truth, ncap * sizeof(*p));
		if (!p) {
			g->oom = true;
			return 0;
		}
		g->truth = p;
		g->cap_truth = ncap;
	}
	struct lossy_truth *t = &g->truth[g->ntruth];
	memset(t, 0, sizeof(*t));
	t->id = id;
	t->kind = kind;
	t->send_tid = from->tid;
	t->send_ticks = at;
	t->reply = t->request = LOSSY_NONE;
	t->parent = parent;
	return g->ntruth++;
}

static void
delivered(struct gen *g, uint32_t truth, const struct actor *to, int64_t at)
{
	if (g->oom)
		return;
	g->truth[truth].receive_tid = to->tid;
	g->truth[truth].receive_ticks = at;
}

/* The kernel hands out the lowest free handle: the same few IDs come back all the time. */
static uint32_t
alloc_id(struct gen *g, int64_t at, int64_t free_at)
{
	for (uint32_t i = 0; i < MAX_IDS; i++)
		if (g->id_free_at[i] < at) { /* freed strictly before: no time-stamp tie */
			g->id_free_at[i] = free_at;
			if (g->id_uses[i]++ == 0)
				g->ids_used++;
			return 4 * (i + 1);
		}
	g->oom = true;
	return 0;
}

static struct actor *
free_worker(struct gen *g, uint32_t server, int64_t at, const struct actor * not )
{
	uint32_t off = (uint32_t)(rnd(g) % SERVER_WORKERS);
	for (uint32_t i = 0; i < SERVER_WORKERS; i++) {
		struct actor *w = &g->workers[server][(off + i) % SERVER_WORKERS];
		if (w->busy_until <= at && w != not )
			return w;
	}
	return NULL;
}

/*
 * One synchronous call from @c to a worker of @server at @t: Send + Wait-For-
 * Reply, Unwait + Receive, optionally a nested call by the worker, then the
 * reply (same ID or a fresh one; by another worker when @handoff) and
 * Wait-For-New-Message, and the client's Unwait + Receive. Returns the time
 * the client has the reply, or -1 when no worker is free.
 */
static int64_t
call(struct gen *g, struct actor *c, uint32_t server, int64_t t, uint32_t parent, int depth)
{
	struct actor *w = free_worker(g, server, t, NULL), *w2 = NULL;
	if (!w)
		return -1;
	uint32_t shape = (uint32_t)(rnd(g) % 100);
	bool new_id = shape % 8 == 0, handoff = shape >= 85, nested = depth == 0 && shape < 12;
	if (handoff && !(w2 = free_worker(g, server, t, w)))
		return -1;
	int64_t a = rnd_range(g, 20, 200), d = rnd_range(g, 100, 2000),
		back = rnd_range(g, 20, 200);
	int64_t recv_at = t + a, reply_at = recv_at + d;
	w->busy_until = INT64_MAX; /* reserved while planning the nested call */
	uint32_t id = alloc_id(g, t, INT64_MAX);
	uint32_t q = new_truth(g, LOSSY_REQUEST, id, c, t, parent);
	ev(g, OP_SEND, t, c, id, q);
	ev(g, OP_WAIT, t, c, id, q);
	ev(g, OP_UNWAIT, recv_at, w, 0, LOSSY_NONE);
	ev(g, OP_RECEIVE, recv_at, w, id, q);
	delivered(g, q, w, recv_at);
	int64_t worker_free = reply_at + 1;
	if (nested) {
		uint32_t other =
		    (server + 1 + (uint32_t)(rnd(g) % (SERVER_PROCS - 1))) % SERVER_PROCS;
		int64_t done = call(g, w, other, recv_at + 5, q, depth + 1);
		if (done > 0 && done + 10 > reply_at)
			reply_at = done + 10;
		worker_free = reply_at + 1;
	}
	if (handoff) { /* the receiving worker listens again at once */
		ev(g, OP_WAIT_NEW, recv_at + 1, w, 0, LOSSY_NONE);
		worker_free = recv_at + 2;
	}
	struct actor *replier = handoff ? w2 : w;
	uint32_t rid = id;
	if (new_id)
		rid = alloc_id(g, reply_at, reply_at + back);
	if (g->oom)
		return -1;
	uint32_t r = new_truth(g, LOSSY_REPLY, rid, replier, reply_at, LOSSY_NONE);
	if (g->oom)
		return -1;
	g->truth[r].handoff = handoff;
	g->truth[r].request = q;
	g->truth[q].reply = r;
	ev(g, OP_SEND, reply_at, replier, rid, r);
	ev(g, OP_WAIT_NEW, reply_at, replier, 0, LOSSY_NONE);
	ev(g, OP_UNWAIT, reply_at + back, c, 0, LOSSY_NONE);
	ev(g, OP_RECEIVE, reply_at + back, c, rid, r);
	delivered(g, r, c, reply_at + back);
	/* The request's ID lives until its reply is received. */
	g->id_free_at[id / 4 - 1] = reply_at + back;
	w->busy_until = worker_free;
	if (w2)
		w2->busy_until = reply_at + 1;
	c->busy_until = reply_at + back + 1;
	return reply_at + back;
}

static void
conversation(struct gen *g, int64_t t)
{
	struct actor *c = NULL;
	for (int tries = 0; tries < 8 && !c; tries++) {
		struct actor *x = &g->clients[rnd(g) % (CLIENT_PROCS * CLIENT_THREADS)];
		if (x->busy_until <= t)
			c = x;
	}
	if (!c)
		return;
	uint32_t server = (uint32_t)(rnd(g) % SERVER_PROCS), what = (uint32_t)(rnd(g) % 100);
	if (what < 80) {
		call(g, c, server, t, LOSSY_NONE, 0);
	} else if (what < 96) { /* one-way, received by a listening worker */
		struct actor *w = free_worker(g, server, t, NULL);
		if (!w)
			return;
		int64_t a = rnd_range(g, 20, 200);
		uint32_t id = alloc_id(g, t, t + a);
		uint32_t m = new_truth(g, LOSSY_ONE_WAY, id, c, t, LOSSY_NONE);
		ev(g, OP_SEND, t, c, id, m);
		ev(g, OP_UNWAIT, t + a, w, 0, LOSSY_NONE);
		ev(g, OP_RECEIVE, t + a, w, id, m);
		delivered(g, m, w, t + a);
		ev(g, OP_WAIT_NEW, t + a + 1, w, 0, LOSSY_NONE);
		w->busy_until = t + a + 2;
		c->busy_until = t + 1;
	} else { /* one-way to a port whose process is gone: dropped, ID freed at once */
		uint32_t id = alloc_id(g, t, t + rnd_range(g, 5, 50));
		new_truth(g, LOSSY_DROPPED, id, c, t, LOSSY_NONE);
		ev(g, OP_SEND, t, c, id, g->ntruth - 1);
		c->busy_until = t + 1;
	}
}

static int
cmp_gev(const void *x, const void *y)
{
	const struct gev *a = x, *b = y;
	if (a->ticks != b->ticks)
		return a->ticks < b->ticks ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static uint32_t
cpu_of(const struct gen *g, uint32_t tid)
{
	return (tid / 4) % g->cfg->cpus;
}

/* Lose all events of one CPU for 0.3-3 ms at a time until the share is reached. */
static void
lose_bursts(struct gen *g, struct lossy_result *out)
{
	uint64_t target = g->nevs * g->cfg->loss_per_mille / 1000;
	int64_t first = g->evs[0].ticks, span = g->evs[g->nevs - 1].ticks - first;
	while (out->events_lost < target) {
		uint32_t cpu = (uint32_t)(rnd(g) % g->cfg->cpus);
		int64_t from = first + rnd_range(g, 0, span), to = from + rnd_range(g, 3000, 30000);
		size_t lo = 0, hi = g->nevs;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (g->evs[mid].ticks < from)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t i = lo; i < g->nevs && g->evs[i].ticks < to; i++) {
			struct gev *e = &g->evs[i];
			if (e->lost || cpu_of(g, e->tid) != cpu)
				continue;
			e->lost = true;
			out->events_lost++;
			if (e->truth == LOSSY_NONE)
				continue;
			struct lossy_truth *t = &g->truth[e->truth];
			if (e->op == OP_SEND)
				t->send_lost = true;
			else if (e->op == OP_RECEIVE)
				t->receive_lost = true;
			else if (e->op == OP_WAIT)
				t->wait_lost = true;
		}
		out->bursts++;
	}
}

int
lossy_trace_write(const struct lossy_config *cfg, const char *path, struct lossy_result *out,
		  char *err, size_t errsz)
{
	struct gen *g = calloc(1, sizeof(*g));
	struct etl_writer_config wc;
	struct etl_writer *w = NULL;
	struct etl_bytes b = {0};
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!g)
		return snprintf(err, errsz, "out of memory"), -1;
	g->cfg = cfg;
	g->rng = cfg->seed;
	etl_writer_config_init(&wc);
	wc.cpus = cfg->cpus;
	for (uint32_t p = 0; p < CLIENT_PROCS; p++)
		for (uint32_t t = 0; t < CLIENT_THREADS; t++)
			g->clients[p * CLIENT_THREADS + t] =
			    (struct actor){4000 + 4 * p, 10000 + 64 * p + 4 * t, 0};
	int64_t t0 = wc.start_ticks + 10000;
	for (uint32_t s = 0; s < SERVER_PROCS; s++)
		for (uint32_t k = 0; k < SERVER_WORKERS; k++) {
			g->workers[s][k] =
			    (struct actor){6000 + 4 * s, 30000 + 64 * s + 4 * k, t0 + 1};
			ev(g, OP_WAIT_NEW, t0, &g->workers[s][k], 0, LOSSY_NONE);
		}
	for (uint32_t i = 0; i < MAX_IDS; i++)
		g->id_free_at[i] = INT64_MIN;
	for (uint32_t i = 0; i < cfg->conversations && !g->oom; i++)
		conversation(g, t0 + 10 + 40 * (int64_t)i + rnd_range(g, 0, 39));
	if (g->oom) {
		snprintf(err, errsz, "out of memory (or more than %u live IDs)", MAX_IDS);
		goto out;
	}
	qsort(g->evs, g->nevs, sizeof(*g->evs), cmp_gev);
	out->events = g->nevs;
	lose_bursts(g, out);
	wc.events_lost = (uint32_t)out->events_lost;
	if (etl_writer_open_file(&w, path, &wc)) {
		snprintf(err, errsz, "cannot write %s", path);
		goto out;
	}
	for (size_t i = 0; i < g->nevs; i++) {
		const struct gev *e = &g->evs[i];
		struct etl_rec r = {
		    .cpu = cpu_of(g, e->tid), .ticks = e->ticks, .pid = e->pid, .tid = e->tid};
		if (e->lost)
			continue;
		etl_bytes_reset(&b);
		if (e->op == OP_WAIT_NEW)
			etl_enc_alpc_wait_new(&b, 1, "\\RPC Control\\LRPC-lossy", false);
		else if (e->op == OP_UNWAIT)
			etl_enc_alpc_unwait(&b, 0);
		else
			etl_enc_alpc_msg(&b, e->value);
		if (etl_emit_alpc(w, &r, e->op, b.data, b.len)) {
			snprintf(err, errsz, "%s", etl_writer_error(w));
			goto out;
		}
	}
	if (etl_writer_finish(w, 0)) {
		snprintf(err, errsz, "%s", etl_writer_error(w));
		goto out;
	}
	out->truth = g->truth;
	out->ntruth = g->ntruth;
	g->truth = NULL;
	out->distinct_ids = g->ids_used;
	for (uint32_t i = 0; i < MAX_IDS; i++)
		if (g->id_uses[i] > out->max_id_uses)
			out->max_id_uses = g->id_uses[i];
	out->start_ticks = wc.start_ticks;
	out->start_filetime = wc.start_filetime;
	rc = 0;
out:
	if (w)
		etl_writer_free(w);
	etl_bytes_free(&b);
	free(g->truth);
	free(g->evs);
	free(g);
	return rc;
}
