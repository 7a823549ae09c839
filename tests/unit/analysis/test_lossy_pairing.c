/* SPDX-License-Identifier: MIT */
/*
 * Pairing on a long trace of a busy machine that lost 1% of its events in
 * bursts (tests/support/lossy_trace.h): every message whose own events all
 * survived must be paired exactly as the writer intended — its peer, its
 * kind, its reply and its parent — and the count of wrongly paired intact
 * messages must be zero (see the bound at the end). The rules for what "as intended" can mean when
 * a *related* message lost events are in intended_*() below; the numbers are printed so that a run
 * shows what was measured.
 *
 * Usage: test-analysis_lossy_pairing [CONVERSATIONS [PER_MILLE [SEED]]]
 */
#include <alpcscope/model.h>
#include <alpcscope/reader.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "lossy_trace.h"

struct key {
	uint64_t key;
	uint32_t truth;
};

static uint64_t
make_key(uint32_t tid, int64_t rel_ticks)
{
	return (uint64_t)tid << 40 | (uint64_t)rel_ticks;
}

static int
cmp_key(const void *x, const void *y)
{
	const struct key *a = x, *b = y;
	return a->key < b->key ? -1 : a->key > b->key;
}

static uint32_t
find(const struct key *keys, size_t n, uint64_t k)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (keys[mid].key < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && keys[lo].key == k ? keys[lo].truth : LOSSY_NONE;
}

struct ctx {
	const struct lossy_result *res;
	const struct alpcscope_model *m;
	uint32_t *row_of_send, *row_of_recv; /* truth -> model message */
	uint64_t wrong[5];                   /* peer, kind, reply, parent, missing */
	uint64_t wrong_messages;             /* intact messages with any of those wrong */
};

static bool
intact(const struct lossy_truth *t)
{
	if (t->send_lost)
		return false;
	if (t->kind == LOSSY_DROPPED)
		return true;
	return !t->receive_lost && !(t->kind == LOSSY_REQUEST && t->wait_lost);
}

/* The row that holds any surviving event of truth @p t, or NONE when none survived. */
static bool
row_holds(const struct ctx *c, uint32_t t, uint32_t row)
{
	return row == c->row_of_send[t] || row == c->row_of_recv[t];
}

/*
 * A link (reply or parent) to truth @p want is right when it names the row
 * holding @p want's events; when @p want lost events itself the model may
 * also leave the link empty, but never name another message.
 */
static bool
link_ok(const struct ctx *c, uint32_t want, uint32_t got)
{
	if (want == LOSSY_NONE)
		return got == ALPCSCOPE_NONE;
	if (intact(&c->res->truth[want]))
		return got != ALPCSCOPE_NONE && row_holds(c, want, got);
	return got == ALPCSCOPE_NONE || row_holds(c, want, got);
}

static void
show_truth(const struct ctx *c, uint32_t j, const char *mark)
{
	const struct lossy_truth *u = &c->res->truth[j];
	fprintf(stderr,
		"  %s%u k%u%s id 0x%x send %u@%lld%s recv %u@%lld%s%s req %d rep %d par %d | rows "
		"s%d r%d\n",
		mark, j, u->kind, u->handoff ? "h" : "", u->id, u->send_tid,
		(long long)(u->send_ticks - c->res->start_ticks), u->send_lost ? "L" : "",
		u->receive_tid, (long long)(u->receive_ticks - c->res->start_ticks),
		u->receive_lost ? "L" : "", u->wait_lost ? " waitL" : "", (int)u->request,
		(int)u->reply, (int)u->parent, (int)c->row_of_send[j], (int)c->row_of_recv[j]);
}

static void
show_row(const struct ctx *c, const char *what, uint32_t row)
{
	if (row == ALPCSCOPE_NONE)
		return;
	const struct alpcscope_message *r = alpcscope_model_message_at(c->m, row);
	uint32_t st = 0, rt = 0;
	int ts = 0, tr = 0, trs = -1, trr = -1;
	if (r->send.thread != ALPCSCOPE_NONE) {
		st = alpcscope_model_thread_at(c->m, r->send.thread)->tid;
		ts = (int)(r->send.filetime_100ns - c->res->start_filetime);
	}
	if (r->receive.thread != ALPCSCOPE_NONE) {
		rt = alpcscope_model_thread_at(c->m, r->receive.thread)->tid;
		tr = (int)(r->receive.filetime_100ns - c->res->start_filetime);
	}
	for (uint32_t j = 0; j < c->res->ntruth; j++) {
		if (c->row_of_send[j] == row)
			trs = (int)j;
		if (c->row_of_recv[j] == row)
			trr = (int)j;
	}
	fprintf(stderr,
		"    %s row %u id 0x%x %s send %u@%d recv %u@%d rel %d par %d ev 0x%x (truth s%d "
		"r%d)\n",
		what, row, r->message_id, alpcscope_message_kind_name(r->kind), st, ts, rt, tr,
		(int)r->related, (int)r->parent, r->evidence, trs, trr);
}

static void
show_context(const struct ctx *c, uint32_t i)
{
	uint32_t row = c->row_of_send[i];
	const struct alpcscope_message *msg = alpcscope_model_message_at(c->m, row);
	show_row(c, "self", row);
	show_row(c, "recvrow", c->row_of_recv[i]);
	if (c->row_of_recv[i] != ALPCSCOPE_NONE)
		show_row(c, "recvrow-related",
			 alpcscope_model_message_at(c->m, c->row_of_recv[i])->related);
	show_row(c, "related", msg->related);
	show_row(c, "parent", msg->parent);
	const struct lossy_truth *t = &c->res->truth[i];
	uint32_t lo = i > 60 ? i - 60 : 0, hi = i + 60 < c->res->ntruth ? i + 60 : c->res->ntruth;
	for (uint32_t j = lo; j < hi; j++) {
		const struct lossy_truth *u = &c->res->truth[j];
		if (u->id == t->id || j == t->request || j == t->reply || j == i ||
		    (t->request != LOSSY_NONE && u->id == c->res->truth[t->request].id) ||
		    (t->reply != LOSSY_NONE && u->id == c->res->truth[t->reply].id))
			show_truth(c, j, j == i ? "*" : " ");
	}
}

static void
check_one(struct ctx *c, uint32_t i)
{
	const struct lossy_truth *t = &c->res->truth[i];
	uint32_t row = c->row_of_send[i];
	if (row == ALPCSCOPE_NONE) {
		c->wrong[4]++;
		c->wrong_messages++;
		return;
	}
	const struct alpcscope_message *msg = alpcscope_model_message_at(c->m, row);
	bool bad[4] = {false, false, false, false};

	/* peer */
	if (t->kind == LOSSY_DROPPED)
		bad[0] = msg->receive.thread != ALPCSCOPE_NONE;
	else
		bad[0] = c->row_of_recv[i] != row;
	/* kind and reply */
	switch (t->kind) {
	case LOSSY_DROPPED: bad[1] = msg->kind != ALPCSCOPE_MESSAGE_UNMATCHED_SEND; break;
	case LOSSY_ONE_WAY: bad[1] = msg->kind != ALPCSCOPE_MESSAGE_ONE_WAY; break;
	case LOSSY_REPLY:
		bad[1] = msg->kind != ALPCSCOPE_MESSAGE_REPLY;
		bad[2] = !link_ok(c, t->request, msg->related);
		break;
	case LOSSY_REQUEST:
		if (intact(&c->res->truth[t->reply]))
			bad[1] = msg->kind != ALPCSCOPE_MESSAGE_REQUEST;
		else
			bad[1] = msg->kind != ALPCSCOPE_MESSAGE_REQUEST &&
				 msg->kind != ALPCSCOPE_MESSAGE_REQUEST_NO_REPLY;
		bad[2] = !link_ok(c, t->reply, msg->related);
		break;
	default: break;
	}
	/* parent: a request cannot be attributed to a parent whose Receive was lost */
	if (t->parent != LOSSY_NONE && c->res->truth[t->parent].receive_lost)
		bad[3] = msg->parent != ALPCSCOPE_NONE && !row_holds(c, t->parent, msg->parent);
	else
		bad[3] = !link_ok(c, t->parent, msg->parent);
	c->wrong_messages += bad[0] || bad[1] || bad[2] || bad[3];
	if ((bad[0] || bad[1] || bad[2] || bad[3]) && getenv("LOSSY_CONTEXT")) {
		fprintf(stderr, "WRONG truth %u: row %u kind %s related %d parent %d ev 0x%x\n", i,
			row, alpcscope_message_kind_name(msg->kind), (int)msg->related,
			(int)msg->parent, msg->evidence);
		show_context(c, i);
	}
	for (int k = 0; k < 4; k++)
		if (bad[k]) {
			c->wrong[k]++;
			if (getenv("LOSSY_VERBOSE"))
				fprintf(stderr,
					"truth %u kind %u id 0x%x (%s wrong): row %u kind %s "
					"related %u "
					"parent %u evidence 0x%x\n",
					i, t->kind, t->id,
					(const char *[]){"peer", "kind", "reply", "parent"}[k], row,
					alpcscope_message_kind_name(msg->kind), msg->related,
					msg->parent, msg->evidence);
		}
}

int
main(int argc, char **argv)
{
	struct lossy_config cfg = {200000, 7, 10, 4};
	struct lossy_result res;
	char path[] = "/tmp/alpcscope-lossy-XXXXXX", err[256];
	int fd = mkstemp(path);

	if (argc > 1)
		cfg.conversations = (uint32_t)strtoul(argv[1], NULL, 0);
	if (argc > 2)
		cfg.loss_per_mille = (uint32_t)strtoul(argv[2], NULL, 0);
	if (argc > 3)
		cfg.seed = strtoull(argv[3], NULL, 0);
	CHECK(fd >= 0);
	if (fd < 0)
		return check_summary();
	close(fd);
	if (lossy_trace_write(&cfg, path, &res, err, sizeof(err)) != 0) {
		fprintf(stderr, "lossy trace: %s\n", err);
		unlink(path);
		CHECK(false);
		return check_summary();
	}

	/* Read it back through the reader into a model, as `alpcscope messages` does. */
	struct alpcscope_reader *r = NULL;
	struct alpcscope_model *m = NULL;
	const struct alpcscope_event *ev;
	CHECK(alpcscope_reader_open_file(&r, path, NULL, NULL) == ALPCSCOPE_OK);
	CHECK(alpcscope_model_new(&m, NULL, NULL) == ALPCSCOPE_OK);
	if (!r || !m)
		return check_summary();
	CHECK_EQ_U64(alpcscope_reader_info(r)->events_lost, res.events_lost);
	while (alpcscope_reader_next(r, &ev, NULL) == ALPCSCOPE_OK)
		CHECK(alpcscope_model_add_event(m, ev, NULL) == ALPCSCOPE_OK);
	CHECK(alpcscope_model_finish(m, NULL) == ALPCSCOPE_OK);
	alpcscope_reader_free(r);
	unlink(path);

	/* Map every Send and Receive of the model back to the writer's truth. */
	size_t n = res.ntruth;
	struct key *sends = malloc(n * sizeof(*sends)), *recvs = malloc(n * sizeof(*recvs));
	struct ctx c = {&res, m, malloc(n * sizeof(uint32_t)), malloc(n * sizeof(uint32_t)),
			{0},  0};
	size_t nr = 0;
	CHECK(sends && recvs && c.row_of_send && c.row_of_recv);
	if (!sends || !recvs || !c.row_of_send || !c.row_of_recv)
		return check_summary();
	for (uint32_t i = 0; i < n; i++) {
		const struct lossy_truth *t = &res.truth[i];
		sends[i] = (struct key){make_key(t->send_tid, t->send_ticks - res.start_ticks), i};
		if (t->kind != LOSSY_DROPPED)
			recvs[nr++] = (struct key){
			    make_key(t->receive_tid, t->receive_ticks - res.start_ticks), i};
		c.row_of_send[i] = c.row_of_recv[i] = ALPCSCOPE_NONE;
	}
	qsort(sends, n, sizeof(*sends), cmp_key);
	qsort(recvs, nr, sizeof(*recvs), cmp_key);
	uint32_t nmsgs = alpcscope_model_message_count(m);
	for (uint32_t i = 0; i < nmsgs; i++) {
		const struct alpcscope_message *msg = alpcscope_model_message_at(m, i);
		const struct alpcscope_message_event *e[2] = {&msg->send, &msg->receive};
		for (int k = 0; k < 2; k++) {
			if (e[k]->thread == ALPCSCOPE_NONE)
				continue;
			uint32_t tid = alpcscope_model_thread_at(m, e[k]->thread)->tid;
			uint64_t key = make_key(tid, e[k]->filetime_100ns - res.start_filetime);
			uint32_t t = find(k ? recvs : sends, k ? nr : n, key);
			CHECK(t != LOSSY_NONE);
			if (t != LOSSY_NONE)
				(k ? c.row_of_recv : c.row_of_send)[t] = i;
		}
	}

	uint64_t nintact = 0, handoffs = 0, reused = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (!intact(&res.truth[i]))
			continue;
		nintact++;
		handoffs += res.truth[i].handoff;
		check_one(&c, i);
	}
	(void)reused;
	for (const char *e = getenv("LOSSY_TRUTH"); e && *e;) { /* diagnostics: "N,N,..." */
		char *end;
		uint32_t t = (uint32_t)strtoul(e, &end, 0);
		for (uint32_t j = t > 8 ? t - 8 : 0; j < t + 8 && j < res.ntruth; j++)
			show_truth(&c, j, j == t ? "*" : " ");
		e = *end ? end + 1 : end;
	}
	uint64_t wrong = c.wrong_messages;
	const struct alpcscope_model_stats *st = alpcscope_model_stats(m);
	printf(
	    "lossy trace: %u messages, %llu events, %llu lost in %u bursts (%.2f%%), %u distinct "
	    "IDs, most used ID handed out %u times\n",
	    res.ntruth, (unsigned long long)res.events, (unsigned long long)res.events_lost,
	    res.bursts, 100.0 * (double)res.events_lost / (double)res.events, res.distinct_ids,
	    res.max_id_uses);
	printf(
	    "intact messages %llu (hand-off replies %llu); wrongly paired %llu (wrong peer %llu, "
	    "kind %llu, reply %llu, parent %llu, not found %llu)\n",
	    (unsigned long long)nintact, (unsigned long long)handoffs, (unsigned long long)wrong,
	    (unsigned long long)c.wrong[0], (unsigned long long)c.wrong[1],
	    (unsigned long long)c.wrong[2], (unsigned long long)c.wrong[3],
	    (unsigned long long)c.wrong[4]);
	printf(
	    "model: superseded %llu, sender-moved-on %llu, repaired %llu, hand-off replies %llu, "
	    "pending peak %llu\n",
	    (unsigned long long)st->sends_superseded, (unsigned long long)st->sends_sender_moved_on,
	    (unsigned long long)st->pairings_repaired, (unsigned long long)st->replies_handoff,
	    (unsigned long long)st->pending_peak);
	if (cfg.conversations >= 200000) {
		CHECK(res.ntruth >= 200000);
		CHECK(res.max_id_uses >= 1000);
		CHECK(res.events_lost * 1000 >= res.events * cfg.loss_per_mille);
	}
	/*
	 * Goal: zero. Not reached: an intact dropped Send whose ID's next use
	 * lost its Send is indistinguishable from a delivered one by the
	 * surviving events alone (docs/analysis.md §Loss, "Known limits"); the
	 * bound (0.05%) keeps the measured level (75 of 326,120 with seed 7,
	 * 44 of them such dropped Sends) from getting worse.
	 */
	CHECK(wrong * 2000 <= nintact);
	free(sends);
	free(recvs);
	free(c.row_of_send);
	free(c.row_of_recv);
	free(res.truth);
	alpcscope_model_free(m);
	return check_summary();
}
