/* SPDX-License-Identifier: MIT */
/*
 * Chain builder: 6-hop nesting across 7 processes ending in a process
 * creation (logical parent = the root client), fan-out in trace order, a
 * process created outside any request, and a process created by a thread
 * that only handles a one-way message.
 */
#include "model_builder.h"

#define PORT "\\RPC Control\\chain"

static void
test_deep_nesting_and_creation(void)
{
	struct mb t;
	static const char *const names[] = {"p1.exe", "p2.exe", "p3.exe", "p4.exe",
					    "p5.exe", "p6.exe", "p7.exe"};

	mb_init(&t, NULL);
	for (uint32_t i = 0; i < 7; i++) {
		mb_process(&t, 3, 0, 0, 0, 1000 + i * 100, 4, names[i], names[i]);
		mb_thread(&t, 3, 0, 1000 + i * 100, 1004 + i * 100, 0, NULL);
	}
	/* p1 -> p2 -> ... -> p7, each hop opened inside the previous one */
	for (uint32_t i = 0; i < 6; i++)
		mb_call_begin(&t, 1000 + i * 100, 1004 + i * 100, 1100 + i * 100, 1104 + i * 100,
			      100 + i * 10, 0x100 + i);
	/* p7's thread (serving hop 6) creates calc.exe */
	mb_process(&t, 1, 1600, 1604, 200, 4242, 1600, "calc.exe", "calc.exe");
	/* fan-out at p3 after its nested call returns: two more calls, in order */
	for (uint32_t i = 6; i-- > 2;)
		mb_call_end(&t, 1000 + i * 100, 1004 + i * 100, 1100 + i * 100, 1104 + i * 100,
			    300 + (6 - i) * 10, 0x100 + i, PORT);
	mb_call_begin(&t, 1200, 1204, 1500, 1504, 400, 0x200);
	mb_call_end(&t, 1200, 1204, 1500, 1504, 410, 0x200, PORT);
	mb_call_begin(&t, 1200, 1204, 1400, 1404, 420, 0x201);
	mb_call_end(&t, 1200, 1204, 1400, 1404, 430, 0x201, PORT);
	for (uint32_t i = 2; i-- > 0;)
		mb_call_end(&t, 1000 + i * 100, 1004 + i * 100, 1100 + i * 100, 1104 + i * 100,
			    500 + (2 - i) * 10, 0x100 + i, PORT);
	/* created outside any request: no cause */
	mb_process(&t, 1, 1000, 1004, 600, 5000, 1000, "calc.exe", "calc.exe");
	CHECK(alpcscope_model_finish(t.m, NULL) == ALPCSCOPE_OK);

	CHECK_EQ_U64(alpcscope_model_chain_count(t.m), 1);
	const struct alpcscope_chain *c = alpcscope_model_chain_at(t.m, 0);

	CHECK_EQ_U64(c->message_count, 8);
	CHECK_EQ_U64(c->process_count, 1);
	CHECK_EQ_U64(c->node_count, 9);
	CHECK_EQ_U64(c->max_depth, 6);
	CHECK_EQ_U64(c->process_span, 8);
	const struct alpcscope_process_instance *p1 =
	    alpcscope_model_process_at(t.m, c->root_process);

	CHECK(p1 && p1->pid == 1000);
	/* walk down the first-child spine: messages 0..5, then the process */
	uint32_t n = c->root_node;

	for (uint32_t depth = 0; depth < 6; depth++) {
		const struct alpcscope_chain_node *node = alpcscope_model_chain_node_at(t.m, n);

		CHECK_EQ_U64(node->kind, ALPCSCOPE_NODE_MESSAGE);
		CHECK_EQ_U64(node->depth, depth);
		CHECK_EQ_U64(mb_msg(&t, node->message)->message_id, 0x100 + depth);
		n = node->first_child;
	}
	const struct alpcscope_chain_node *pn = alpcscope_model_chain_node_at(t.m, n);

	CHECK(pn && pn->kind == ALPCSCOPE_NODE_PROCESS);
	if (pn) {
		const struct alpcscope_process_instance *calc =
		    alpcscope_model_process_at(t.m, pn->process);

		CHECK_EQ_U64(calc->pid, 4242);
		CHECK_EQ_U64(calc->creator_tid, 1604);
		CHECK_EQ_U64(calc->logical_parent, c->root_process);
		CHECK(calc->os_parent != ALPCSCOPE_NONE &&
		      alpcscope_model_process_at(t.m, calc->os_parent)->pid == 1600);
		CHECK_EQ_U64(mb_msg(&t, calc->cause_message)->message_id, 0x105);
	}
	/* fan-out: p3's request (0x101) has children 0x102, 0x200, 0x201 in trace order */
	const struct alpcscope_chain_node *r = alpcscope_model_chain_node_at(t.m, c->root_node);
	const struct alpcscope_chain_node *p2 = alpcscope_model_chain_node_at(t.m, r->first_child);
	uint32_t want[] = {0x102, 0x200, 0x201}, k = 0;

	for (uint32_t ch = p2->first_child; ch != ALPCSCOPE_NONE;
	     ch = alpcscope_model_chain_node_at(t.m, ch)->next_sibling, k++) {
		const struct alpcscope_chain_node *cn = alpcscope_model_chain_node_at(t.m, ch);

		CHECK(k < 3 && mb_msg(&t, cn->message)->message_id == want[k]);
		CHECK_EQ_U64(cn->parent, r->first_child);
	}
	CHECK_EQ_U64(k, 3);
	/* the second calc.exe was created outside any request */
	uint32_t np = alpcscope_model_process_count(t.m);
	const struct alpcscope_process_instance *calc2 = alpcscope_model_process_at(t.m, np - 1);

	CHECK_EQ_U64(calc2->pid, 5000);
	CHECK_EQ_U64(calc2->cause_message, ALPCSCOPE_NONE);
	CHECK_EQ_U64(calc2->logical_parent, ALPCSCOPE_NONE);
	CHECK_EQ_U64(calc2->chain_node, ALPCSCOPE_NONE);
	CHECK_EQ_U64(alpcscope_model_stats(t.m)->processes_caused, 1);
	mb_free(&t);
}

static void
test_one_way_causes_nothing(void)
{
	struct mb t;

	mb_init(&t, NULL);
	mb_send(&t, 100, 110, 10, 0x1);
	mb_receive(&t, 200, 210, 11, 0x1);
	mb_process(&t, 1, 200, 210, 20, 300, 200, "child.exe", "child.exe");
	mb_call_begin(&t, 200, 210, 400, 410, 30, 0x2);
	mb_call_end(&t, 200, 210, 400, 410, 40, 0x2, PORT);
	CHECK(alpcscope_model_finish(t.m, NULL) == ALPCSCOPE_OK);
	CHECK_EQ_U64(alpcscope_model_chain_count(t.m), 0);
	CHECK_EQ_U64(alpcscope_model_stats(t.m)->processes_caused, 0);
	CHECK_EQ_U64(mb_msg(&t, 1)->parent, ALPCSCOPE_NONE);
	mb_free(&t);
}

/* Two independent chains come out ordered by their root message. */
static void
test_two_chains(void)
{
	struct mb t;

	mb_init(&t, NULL);
	mb_call_begin(&t, 100, 110, 200, 210, 10, 0x1);
	mb_call_begin(&t, 500, 510, 600, 610, 12, 0x5);
	mb_call_begin(&t, 600, 610, 700, 710, 14, 0x6);
	mb_call_begin(&t, 200, 210, 300, 310, 16, 0x2);
	CHECK(alpcscope_model_finish(t.m, NULL) == ALPCSCOPE_OK);
	CHECK_EQ_U64(alpcscope_model_chain_count(t.m), 2);
	const struct alpcscope_chain *a = alpcscope_model_chain_at(t.m, 0);
	const struct alpcscope_chain *b = alpcscope_model_chain_at(t.m, 1);
	const struct alpcscope_chain_node *ra = alpcscope_model_chain_node_at(t.m, a->root_node);
	const struct alpcscope_chain_node *rb = alpcscope_model_chain_node_at(t.m, b->root_node);

	CHECK_EQ_U64(mb_msg(&t, ra->message)->message_id, 0x1);
	CHECK_EQ_U64(mb_msg(&t, rb->message)->message_id, 0x5);
	CHECK_EQ_U64(a->node_count, 2);
	CHECK_EQ_U64(b->node_count, 2);
	/* requests still served at trace end */
	CHECK(mb_msg(&t, 0)->evidence & ALPCSCOPE_EVIDENCE_TRACE_END);
	mb_free(&t);
}

int
main(void)
{
	test_deep_nesting_and_creation();
	test_one_way_causes_nothing();
	test_two_chains();
	return check_summary();
}
