/* SPDX-License-Identifier: MIT */
/*
 * Summary tables of a finished model (include/alpcscope/conversations.h):
 * one pass over the messages folds each into its conversation (client,
 * server, port, RPC procedure) and into the traffic of both processes.
 * Latency percentiles: the first 16 round trips of a conversation are kept
 * exactly; beyond that a log histogram (16 buckets per power of two) takes
 * over, so memory follows the number of conversations, never of messages.
 * Rules: docs/summary.md.
 */
#include <alpcscope/conversations.h>

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

#define EXACT_MAX 16
#define HIST_SUB  16 /* buckets per power of two */

struct conv_acc {
	struct alpcscope_conversation row;
	int64_t exact[EXACT_MAX];
	uint32_t nexact;
	/*
	 * Once more than EXACT_MAX latencies: counts of buckets hist_lo ..
	 * hist_lo + hist_n - 1, whole powers of two, widened as latencies
	 * arrive (a conversation spans a few powers of two, not all 60).
	 */
	uint32_t *hist;
	uint32_t hist_lo, hist_n;
};

struct alpcscope_conversations {
	struct conv_acc *convs;
	struct alpcscope_conversation *rows; /* sorted */
	uint32_t nconvs, capconvs;
	uint32_t *slots; /* open addressing: conversation index + 1, 0 = empty */
	uint32_t nslots; /* power of two */
	struct alpcscope_process_traffic *traffic; /* by process index, then sorted */
	uint32_t ntraffic;
	uint64_t kept, total;
};

/* Bucket of a latency: exact below HIST_SUB, then HIST_SUB per power of two. */
static uint32_t
bucket_of(uint64_t v)
{
	if (v < HIST_SUB)
		return (uint32_t)v;
	int e = 63 - __builtin_clzll(v); /* >= 4 */

	return (uint32_t)(HIST_SUB + (e - 4) * HIST_SUB + ((v >> (e - 4)) & (HIST_SUB - 1)));
}

/* Middle of bucket @p b (its only value below HIST_SUB). */
static int64_t
bucket_mid(uint32_t b)
{
	if (b < HIST_SUB)
		return b;
	uint32_t e = (b - HIST_SUB) / HIST_SUB + 4, sub = (b - HIST_SUB) % HIST_SUB;
	uint64_t lo = (uint64_t)(HIST_SUB + sub) << (e - 4), width = 1ull << (e - 4);

	return (int64_t)(lo + width / 2);
}

/* Count bucket @p b, widening the histogram to the powers of two that hold it. */
static bool
hist_add(struct conv_acc *a, uint32_t b)
{
	if (!a->hist || b < a->hist_lo || b >= a->hist_lo + a->hist_n) {
		uint32_t lo = b / HIST_SUB * HIST_SUB, hi = lo + HIST_SUB; /* [lo, hi) */

		if (a->hist && a->hist_lo < lo)
			lo = a->hist_lo;
		if (a->hist && a->hist_lo + a->hist_n > hi)
			hi = a->hist_lo + a->hist_n;
		uint32_t *n = calloc(hi - lo, sizeof(*n));

		if (!n)
			return false;
		if (a->hist)
			memcpy(n + (a->hist_lo - lo), a->hist, a->hist_n * sizeof(*n));
		free(a->hist);
		a->hist = n;
		a->hist_lo = lo;
		a->hist_n = hi - lo;
	}
	a->hist[b - a->hist_lo]++;
	return true;
}

static bool
add_latency(struct conv_acc *a, int64_t v)
{
	struct alpcscope_conversation *r = &a->row;

	if (v < 0)
		return true;
	if (!r->latency_count || v < r->latency_min)
		r->latency_min = v;
	if (!r->latency_count || v > r->latency_max)
		r->latency_max = v;
	r->latency_count++;
	r->latency_total += v;
	if (!a->hist && a->nexact < EXACT_MAX) {
		a->exact[a->nexact++] = v;
		return true;
	}
	if (!a->hist)
		for (uint32_t i = 0; i < a->nexact; i++)
			if (!hist_add(a, bucket_of((uint64_t)a->exact[i])))
				return false;
	return hist_add(a, bucket_of((uint64_t)v));
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile @p pct of a conversation's latencies. */
static int64_t
percentile(const struct conv_acc *a, unsigned pct)
{
	uint64_t n = a->row.latency_count, rank = (n * pct + 99) / 100, seen = 0;

	if (!n)
		return 0;
	if (!rank)
		rank = 1;
	if (!a->hist)
		return a->exact[rank - 1]; /* sorted by finish_conversation() */
	for (uint32_t i = 0; i < a->hist_n; i++) {
		seen += a->hist[i];
		if (seen >= rank) {
			int64_t v = bucket_mid(a->hist_lo + i);

			return v < a->row.latency_min   ? a->row.latency_min
			       : v > a->row.latency_max ? a->row.latency_max
							: v;
		}
	}
	return a->row.latency_max;
}

static uint64_t
hash_key(const struct alpcscope_conversation *k)
{
	uint64_t h = 1469598103934665603ull;
	const uint32_t parts[] = {k->client_process, k->server_process, k->port, k->has_rpc,
				  k->opnum};

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		h = (h ^ parts[i]) * 1099511628211ull;
	unsigned char uuid[sizeof(k->interface_uuid)];

	memcpy(uuid, &k->interface_uuid, sizeof(uuid));
	for (size_t i = 0; i < sizeof(uuid); i++)
		h = (h ^ uuid[i]) * 1099511628211ull;
	return h;
}

static bool
same_key(const struct alpcscope_conversation *a, const struct alpcscope_conversation *b)
{
	return a->client_process == b->client_process && a->server_process == b->server_process &&
	       a->port == b->port && a->has_rpc == b->has_rpc && a->opnum == b->opnum &&
	       memcmp(&a->interface_uuid, &b->interface_uuid, sizeof(a->interface_uuid)) == 0;
}

static bool
grow_slots(struct alpcscope_conversations *c)
{
	uint32_t n = c->nslots ? c->nslots * 2 : 64;
	uint32_t *s = calloc(n, sizeof(*s));

	if (!s)
		return false;
	for (uint32_t i = 0; i < c->nconvs; i++) {
		uint32_t at = (uint32_t)hash_key(&c->convs[i].row) & (n - 1);

		while (s[at])
			at = (at + 1) & (n - 1);
		s[at] = i + 1;
	}
	free(c->slots);
	c->slots = s;
	c->nslots = n;
	return true;
}

/* The conversation with key @p k, created when new; NULL on out of memory. */
static struct conv_acc *
conversation(struct alpcscope_conversations *c, const struct alpcscope_conversation *k)
{
	if ((c->nconvs + 1) * 2 > c->nslots && !grow_slots(c))
		return NULL;
	uint32_t at = (uint32_t)hash_key(k) & (c->nslots - 1);

	for (; c->slots[at]; at = (at + 1) & (c->nslots - 1))
		if (same_key(&c->convs[c->slots[at] - 1].row, k))
			return &c->convs[c->slots[at] - 1];
	if (c->nconvs == c->capconvs) {
		uint32_t cap = c->capconvs ? c->capconvs * 2 : 64;
		struct conv_acc *n = realloc(c->convs, cap * sizeof(*n));

		if (!n)
			return NULL;
		c->convs = n;
		c->capconvs = cap;
	}
	struct conv_acc *a = &c->convs[c->nconvs];

	memset(a, 0, sizeof(*a));
	a->row = *k;
	c->slots[at] = ++c->nconvs;
	return a;
}

static int64_t
span(const struct alpcscope_message_event *from, const struct alpcscope_message_event *to)
{
	if (from->thread == ALPCSCOPE_NONE || to->thread == ALPCSCOPE_NONE)
		return -1;
	return to->filetime_100ns - from->filetime_100ns;
}

/* Fold message @p i into its conversation and its processes' traffic. */
static bool
add_message(struct alpcscope_conversations *c, const struct alpcscope_model *m, uint32_t i)
{
	const struct alpcscope_message *msg = alpcscope_model_message_at(m, i);
	const struct alpcscope_message *rel = alpcscope_model_message_at(m, msg->related);
	uint32_t sp = alpcscope_model_event_process(m, &msg->send);
	uint32_t rp = alpcscope_model_event_process(m, &msg->receive);
	/* parties by role, as the messages writer shows them; counts by kind */
	bool reply = msg->role == ALPCSCOPE_ROLE_REPLY;
	uint32_t request = reply ? msg->related : i;
	const struct alpcscope_message *req = alpcscope_model_message_at(m, request);
	struct alpcscope_conversation k;

	if (sp < c->ntraffic)
		c->traffic[sp].sent++;
	if (rp < c->ntraffic)
		c->traffic[rp].received++;
	memset(&k, 0, sizeof(k));
	k.client_process = reply ? rp : sp;
	k.server_process = reply ? sp : rp;
	k.port = msg->port == ALPCSCOPE_NONE && req ? req->port : msg->port;
	if (req) {
		const struct alpcscope_rpc_call *rc = alpcscope_model_rpc_call_at(
		    m, alpcscope_model_message_rpc_call(m, request, false));

		if (!rc)
			rc = alpcscope_model_rpc_call_at(
			    m, alpcscope_model_message_rpc_call(m, request, true));
		if (rc) {
			k.has_rpc = true;
			k.interface_uuid = rc->interface_uuid;
			k.opnum = rc->opnum;
		}
	}
	struct conv_acc *a = conversation(c, &k);

	if (!a)
		return false;
	switch (msg->kind) {
	case ALPCSCOPE_MESSAGE_ONE_WAY: a->row.one_way++; return true;
	case ALPCSCOPE_MESSAGE_UNMATCHED_SEND:
	case ALPCSCOPE_MESSAGE_ORPHAN_RECEIVE: a->row.unmatched++; return true;
	case ALPCSCOPE_MESSAGE_REPLY: a->row.replies++; return true;
	case ALPCSCOPE_MESSAGE_AMBIGUOUS:
		if (reply) {
			a->row.replies++;
			return true;
		}
		break;
	case ALPCSCOPE_MESSAGE_REQUEST_NO_REPLY: a->row.no_reply++; break;
	default: break;
	}
	/* a request: its round trip is the client's wait, Receive to reply Send the server's work
	 */
	a->row.requests++;
	if (sp < c->ntraffic)
		c->traffic[sp].requests_out++;
	if (rp < c->ntraffic)
		c->traffic[rp].requests_in++;
	if (!rel)
		return true;
	int64_t wait = span(&msg->send, &rel->receive), work = span(&msg->receive, &rel->send);

	if (wait >= 0 && sp < c->ntraffic)
		c->traffic[sp].waiting_100ns += wait;
	if (work >= 0 && rp < c->ntraffic)
		c->traffic[rp].serving_100ns += work;
	return add_latency(a, wait);
}

static uint64_t
conv_messages(const struct alpcscope_conversation *r)
{
	return r->requests + r->one_way + r->replies + r->unmatched;
}

static int
cmp_conv(const void *pa, const void *pb)
{
	const struct alpcscope_conversation *a = pa, *b = pb;
	uint64_t na = conv_messages(a), nb = conv_messages(b);

	if (na != nb)
		return na > nb ? -1 : 1;
	if (a->latency_total != b->latency_total)
		return a->latency_total > b->latency_total ? -1 : 1;
	if (a->client_process != b->client_process)
		return a->client_process < b->client_process ? -1 : 1;
	if (a->server_process != b->server_process)
		return a->server_process < b->server_process ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->opnum != b->opnum)
		return a->opnum < b->opnum ? -1 : 1;
	return memcmp(&a->interface_uuid, &b->interface_uuid, sizeof(a->interface_uuid));
}

static int
cmp_traffic(const void *pa, const void *pb)
{
	const struct alpcscope_process_traffic *a = pa, *b = pb;
	uint64_t na = a->sent + a->received, nb = b->sent + b->received;

	if (na != nb)
		return na > nb ? -1 : 1;
	return (a->process > b->process) - (a->process < b->process);
}

enum alpcscope_status
alpcscope_conversations_build(const struct alpcscope_model *m, alpcscope_message_filter_fn filter,
			      void *filter_ctx, struct alpcscope_conversations **out,
			      struct alpcscope_error *err)
{
	struct alpcscope_conversations *c;
	uint32_t n, np;

	if (!m || !out)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "NULL argument");
	*out = NULL;
	c = calloc(1, sizeof(*c));
	np = alpcscope_model_process_count(m);
	if (!c || !(c->traffic = calloc(np ? np : 1, sizeof(*c->traffic))))
		goto nomem;
	c->ntraffic = np;
	for (uint32_t p = 0; p < np; p++)
		c->traffic[p].process = p;
	n = alpcscope_model_message_count(m);
	c->total = n;
	for (uint32_t i = 0; i < n; i++) {
		if (filter && !filter(filter_ctx, m, i))
			continue;
		c->kept++;
		if (!add_message(c, m, i))
			goto nomem;
	}
	c->rows = malloc((c->nconvs ? c->nconvs : 1) * sizeof(*c->rows));
	if (!c->rows)
		goto nomem;
	for (uint32_t i = 0; i < c->nconvs; i++) {
		struct conv_acc *a = &c->convs[i];

		if (!a->hist)
			qsort(a->exact, a->nexact, sizeof(a->exact[0]), cmp_i64);
		a->row.latency_p50 = percentile(a, 50);
		a->row.latency_p95 = percentile(a, 95);
		a->row.latency_p99 = percentile(a, 99);
		c->rows[i] = a->row;
		free(a->hist);
		a->hist = NULL;
	}
	qsort(c->rows, c->nconvs, sizeof(*c->rows), cmp_conv);
	/* keep only processes with traffic, busiest first */
	uint32_t k = 0;

	for (uint32_t p = 0; p < np; p++)
		if (c->traffic[p].sent || c->traffic[p].received)
			c->traffic[k++] = c->traffic[p];
	c->ntraffic = k;
	qsort(c->traffic, k, sizeof(*c->traffic), cmp_traffic);
	free(c->convs);
	c->convs = NULL;
	free(c->slots);
	c->slots = NULL;
	*out = c;
	return ALPCSCOPE_OK;
nomem:
	if (c)
		for (uint32_t i = 0; i < c->nconvs; i++)
			free(c->convs[i].hist);
	alpcscope_conversations_free(c);
	return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
}

void
alpcscope_conversations_free(struct alpcscope_conversations *c)
{
	if (!c)
		return;
	free(c->convs);
	free(c->rows);
	free(c->slots);
	free(c->traffic);
	free(c);
}

uint32_t
alpcscope_conversations_count(const struct alpcscope_conversations *c)
{
	return c ? c->nconvs : 0;
}

const struct alpcscope_conversation *
alpcscope_conversations_at(const struct alpcscope_conversations *c, uint32_t index)
{
	return c && index < c->nconvs ? &c->rows[index] : NULL;
}

uint32_t
alpcscope_conversations_process_count(const struct alpcscope_conversations *c)
{
	return c ? c->ntraffic : 0;
}

const struct alpcscope_process_traffic *
alpcscope_conversations_process_at(const struct alpcscope_conversations *c, uint32_t index)
{
	return c && index < c->ntraffic ? &c->traffic[index] : NULL;
}

uint64_t
alpcscope_conversations_messages(const struct alpcscope_conversations *c, uint64_t *total)
{
	if (total)
		*total = c ? c->total : 0;
	return c ? c->kept : 0;
}
