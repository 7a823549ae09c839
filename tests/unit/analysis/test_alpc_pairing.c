/* SPDX-License-Identifier: MIT */
/*
 * The ALPC pairing state machine: request/reply under both reply-ID
 * conventions, callbacks, one-way messages, unmatched sends and expiry,
 * receives whose Send precedes the trace, missing replies, message-ID
 * reuse, port names, and stacks attached to Sends and Receives.
 */
#include "model_builder.h"

#define PORT "\\RPC Control\\LRPC-test"

static void
finish(struct mb *t)
{
	CHECK(alpcscope_model_finish(t->m, NULL) == ALPCSCOPE_OK);
}

static void
test_same_id(void)
{
	struct mb t;

	mb_init(&t, NULL);
	mb_wait_new(&t, 200, 210, 5, PORT);
	mb_call_begin(&t, 100, 110, 200, 210, 100, 0x40);
	mb_call_end(&t, 100, 110, 200, 210, 300, 0x40, PORT);
	finish(&t);
	CHECK_EQ_U64(alpcscope_model_message_count(t.m), 2);
	const struct alpcscope_message *req = mb_msg(&t, 0), *rep = mb_msg(&t, 1);

	CHECK_EQ_U64(req->kind, ALPCSCOPE_MESSAGE_REQUEST);
	CHECK_EQ_U64(req->role, ALPCSCOPE_ROLE_REQUEST);
	CHECK_EQ_U64(req->related, 1);
	CHECK(req->evidence & ALPCSCOPE_EVIDENCE_WAIT_FOR_REPLY);
	CHECK(req->evidence & ALPCSCOPE_EVIDENCE_UNWAIT);
	CHECK(req->evidence & ALPCSCOPE_EVIDENCE_LISTENING);
	CHECK_STR(alpcscope_model_port_name(t.m, req->port), PORT);
	CHECK_EQ_U64(rep->kind, ALPCSCOPE_MESSAGE_REPLY);
	CHECK_EQ_U64(rep->related, 0);
	CHECK(rep->evidence & ALPCSCOPE_EVIDENCE_SAME_ID);
	CHECK(!(rep->evidence & ALPCSCOPE_EVIDENCE_NEW_ID));
	CHECK(rep->evidence & ALPCSCOPE_EVIDENCE_CLIENT_WAITED);
	CHECK_EQ_U64(rep->port, req->port);
	CHECK_EQ_U64(mb_pid(&t, &req->send), 100);
	CHECK_EQ_U64(mb_pid(&t, &req->receive), 200);
	CHECK_EQ_U64(mb_pid(&t, &rep->send), 200);
	CHECK_EQ_U64(mb_pid(&t, &rep->receive), 100);
	/* round trip: request Send (100 us) to reply Receive (301 us) */
	CHECK_EQ_U64(rep->receive.filetime_100ns - req->send.filetime_100ns, 2010);
	CHECK_EQ_U64(req->send.ordinal, 1);
	CHECK_EQ_U64(req->receive.ordinal, 4);
	CHECK_EQ_U64(req->parent, ALPCSCOPE_NONE);
	CHECK_EQ_U64(alpcscope_model_stats(t.m)->replies_same_id, 1);
	CHECK_EQ_U64(alpcscope_model_chain_count(t.m), 0);
	/* the model is closed */
	CHECK(alpcscope_model_finish(t.m, NULL) == ALPCSCOPE_E_INVALID_ARG);
	mb_free(&t);
}

static void
test_new_id(void)
{
	struct mb t;

	mb_init(&t, NULL);
	mb_wait_new(&t, 200, 210, 5, PORT);
	mb_call_begin(&t, 100, 110, 200, 210, 100, 0x40);
	mb_call_end(&t, 100, 110, 200, 210, 300, 0x99, PORT); /* reply has its own ID */
	finish(&t);
	const struct alpcscope_message *req = mb_msg(&t, 0), *rep = mb_msg(&t, 1);

	CHECK_EQ_U64(req->kind, ALPCSCOPE_MESSAGE_REQUEST);
	CHECK_EQ_U64(rep->kind, ALPCSCOPE_MESSAGE_REPLY);
	CHECK(rep->evidence & ALPCSCOPE_EVIDENCE_NEW_ID);
	CHECK(!(rep->evidence & ALPCSCOPE_EVIDENCE_SAME_ID));
	CHECK(rep->evidence & ALPCSCOPE_EVIDENCE_CLIENT_WAITED);
	CHECK_EQ_U64(rep->message_id, 0x99);
	CHECK_EQ_U64(rep->parent, ALPCSCOPE_NONE);
	/* answered, so not abandoned although the server listened again first */
	CHECK(!(req->evidence & ALPCSCOPE_EVIDENCE_ABANDONED));
	CHECK_EQ_U64(alpcscope_model_stats(t.m)->replies_new_id, 1);
	CHECK_EQ_U64(alpcscope_model_chain_count(t.m), 0);
	mb_free(&t);
}

/* A server that calls back into its waiting client is not replying. */
static void
test_callback_is_not_reply(void)
{
	struct mb t;

	mb_init(&t, NULL);
	mb_call_begin(&t, 100, 110, 200, 210, 100, 0x40);
	mb_call_begin(&t, 200, 210, 100, 110, 150, 0x44); /* callback, waits for its answer */
	/* the client answers and waits again on its own (client) port: IsServerPort 0 */
	mb_send(&t, 100, 110, 170, 0x44);
	etl_enc_alpc_wait_new(&t.b, 0, "", false);
	mb_event(&t, 0x1A, 36, 2, 100, 110, 170);
	mb_unwait(&t, 200, 210, 171);
	mb_receive(&t, 200, 210, 171, 0x44);
	mb_call_end(&t, 100, 110, 200, 210, 300, 0x40, PORT);
	finish(&t);
	CHECK_EQ_U64(alpcscope_model_message_count(t.m), 4);
	CHECK_EQ_U64(mb_msg(&t, 0)->kind, ALPCSCOPE_MESSAGE_REQUEST);
	CHECK_EQ_U64(mb_msg(&t, 1)->kind, ALPCSCOPE_MESSAGE_REQUEST);
	CHECK_EQ_U64(mb_msg(&t, 1)->parent, 0);
	CHECK_EQ_U64(mb_msg(&t, 1)->related, 2);
	CHECK_EQ_U64(mb_msg(&t, 2)->kind, ALPCSCOPE_MESSAGE_REPLY);
	CHECK_EQ_U64(mb_msg(&t, 3)->kind, ALPCSCOPE_MESSAGE_REPLY);
	CHECK_EQ_U64(mb_msg(&t, 3)->related, 0);
	CHECK_EQ_U64(alpcscope_model_chain_count(t.m), 1);
	mb_free(&t);
}

static void
test_one_way_and_unmatched(void)
{
	struct mb t;
	struct alpcscope_model_options opt = ALPCSCOPE_MODEL_OPTIONS_INIT;

	opt.pending_expiry_100ns = 10000000; /* 1 s */
	mb_init(&t, &opt);
	mb_send(&t, 100, 110, 100, 0x10); /* one-way */
	mb_receive(&t, 200, 210, 120, 0x10);
	mb_send(&t, 200, 210, 130, 0x11); /* receiver's later call: not caused by a datagram */
	mb_wait_reply(&t, 200, 210, 130, 0x11);
	mb_receive(&t, 300, 310, 140, 0x11);
	mb_send(&t, 100, 110, 200, 0x12); /* never received: expires */
	mb_wait_reply(&t, 100, 110, 200, 0x12);
	mb_send(&t, 100, 111, 3000000, 0x13);    /* 3 s later: triggers expiry of 0x12 */
	mb_receive(&t, 200, 210, 3000010, 0x12); /* too late: orphan */
	finish(&t);
	CHECK_EQ_U64(alpcscope_model_message_count(t.m), 5);
	CHECK_EQ_U64(mb_msg(&t, 0)->kind, ALPCSCOPE_MESSAGE_ONE_WAY);
	CHECK_EQ_U64(mb_msg(&t, 1)->kind, ALPCSCOPE_MESSAGE_REQUEST_NO_REPLY);
	CHECK_EQ_U64(mb_msg(&t, 1)->parent, ALPCSCOPE_NONE);
	CHECK_EQ_U64(mb_msg(&t, 2)->kind, ALPCSCOPE_MESSAGE_UNMATCHED_SEND);
	CHECK(mb_msg(&t, 2)->evidence & ALPCSCOPE_EVIDENCE_EXPIRED);
	CHECK_EQ_U64(mb_msg(&t, 2)->receive.thread, ALPCSCOPE_NONE);
	CHECK_EQ_U64(mb_msg(&t, 3)->kind, ALPCSCOPE_MESSAGE_UNMATCHED_SEND);
	CHECK(!(mb_msg(&t, 3)->evidence & ALPCSCOPE_EVIDENCE_EXPIRED));
	CHECK_EQ_U64(mb_msg(&t, 4)->kind, ALPCSCOPE_MESSAGE_ORPHAN_RECEIVE);
	CHECK(mb_msg(&t, 4)->evidence & ALPCSCOPE_EVIDENCE_SEND_BEFORE_TRACE);
	CHECK_EQ_U64(mb_msg(&t, 4)->send.thread, ALPCSCOPE_NONE);
	const struct alpcscope_model_stats *st = alpcscope_model_stats(t.m);

	CHECK_EQ_U64(st->pending_expired, 1);
	CHECK_EQ_U64(st->messages_by_kind[ALPCSCOPE_MESSAGE_UNMATCHED_SEND], 2);
	CHECK_EQ_U64(st->alpc_sends, 4);
	CHECK_EQ_U64(st->alpc_receives, 3);
	CHECK_EQ_U64(alpcscope_model_chain_count(t.m), 0);
	mb_free(&t);
}

/* The trace starts while a listening server has a call in flight. */
static void
test_pre_trace_receive(void)
{
	struct mb t;

	mb_init(&t, NULL);
	mb_wait_new(&t, 200, 210, 1, PORT);
	mb_unwait(&t, 200, 210, 10);
	mb_receive(&t, 200, 210, 10, 0x77);              /* Send before the trace */
	mb_call_begin(&t, 200, 210, 300, 310, 20, 0x78); /* nested while serving 0x77 */
	mb_call_end(&t, 200, 210, 300, 310, 30, 0x78, PORT);
	mb_send(&t, 200, 210, 40, 0x77); /* answers 0x77; client receive also before... */
	mb_unwait(&t, 100, 110, 41);
	mb_receive(&t, 100, 110, 41, 0x77);
	finish(&t);
	const struct alpcscope_message *o = mb_msg(&t, 0);

	CHECK_EQ_U64(o->kind, ALPCSCOPE_MESSAGE_ORPHAN_RECEIVE);
	CHECK_EQ_U64(o->role, ALPCSCOPE_ROLE_REQUEST);
	CHECK_STR(alpcscope_model_port_name(t.m, o->port), PORT);
	CHECK_EQ_U64(o->related, 3);
	CHECK_EQ_U64(mb_msg(&t, 1)->parent, 0);
	CHECK_EQ_U64(mb_msg(&t, 3)->kind, ALPCSCOPE_MESSAGE_REPLY);
	CHECK(mb_msg(&t, 3)->evidence & ALPCSCOPE_EVIDENCE_SAME_ID);
	/* the orphan roots a chain whose client is unknown */
	CHECK_EQ_U64(alpcscope_model_chain_count(t.m), 1);
	CHECK_EQ_U64(alpcscope_model_chain_at(t.m, 0)->root_process, ALPCSCOPE_NONE);
	mb_free(&t);
}

static void
test_missing_reply(void)
{
	struct mb t;

	mb_init(&t, NULL);
	mb_call_begin(&t, 100, 110, 200, 210, 100, 0x50);
	mb_wait_new(&t, 200, 210, 200, PORT); /* listens again without answering */
	mb_call_begin(&t, 101, 111, 201, 211, 300, 0x51);
	finish(&t); /* 0x51 still served at trace end */
	CHECK_EQ_U64(mb_msg(&t, 0)->kind, ALPCSCOPE_MESSAGE_REQUEST_NO_REPLY);
	CHECK(mb_msg(&t, 0)->evidence & ALPCSCOPE_EVIDENCE_ABANDONED);
	CHECK_EQ_U64(mb_msg(&t, 1)->kind, ALPCSCOPE_MESSAGE_REQUEST_NO_REPLY);
	CHECK(mb_msg(&t, 1)->evidence & ALPCSCOPE_EVIDENCE_TRACE_END);
	CHECK(!(mb_msg(&t, 1)->evidence & ALPCSCOPE_EVIDENCE_ABANDONED));
	mb_free(&t);
}

/*
 * Two Sends of one ID pending at once: IDs are not reused while a message
 * lives, so the older one was dead when the newer was sent (superseded).
 */
static void
test_id_reuse(void)
{
	struct mb t;

	mb_init(&t, NULL);
	mb_send(&t, 100, 110, 100, 0x700); /* one-way, never received (port gone) */
	mb_send(&t, 101, 111, 105, 0x700);
	mb_wait_reply(&t, 101, 111, 105, 0x700);
	mb_receive(&t, 200, 210, 110, 0x700);
	mb_send(&t, 200, 210, 120, 0x700);
	mb_receive(&t, 101, 111, 121, 0x700);
	finish(&t);
	CHECK_EQ_U64(alpcscope_model_message_count(t.m), 3);
	const struct alpcscope_message *a = mb_msg(&t, 0), *b = mb_msg(&t, 1), *r = mb_msg(&t, 2);

	CHECK_EQ_U64(a->kind, ALPCSCOPE_MESSAGE_UNMATCHED_SEND);
	CHECK(a->evidence & ALPCSCOPE_EVIDENCE_SUPERSEDED);
	CHECK_EQ_U64(b->kind, ALPCSCOPE_MESSAGE_REQUEST);
	CHECK_EQ_U64(mb_pid(&t, &b->receive), 200);
	CHECK_EQ_U64(b->related, 2);
	CHECK_EQ_U64(r->kind, ALPCSCOPE_MESSAGE_REPLY);
	CHECK_EQ_U64(mb_pid(&t, &r->receive), 101);
	CHECK_EQ_U64(alpcscope_model_stats(t.m)->sends_superseded, 1);
	mb_free(&t);
}

/* A lost Receive in a run of reused IDs changes only its own message. */
static void
test_lost_receive_in_reuse_run(void)
{
	struct mb t;

	mb_init(&t, NULL);
	for (int i = 0; i < 6; i++) {
		int64_t us = 100 + i * 100;
		uint32_t client = 110 + (uint32_t)(i % 3);

		mb_send(&t, 100, client, us, 0x44);
		mb_wait_reply(&t, 100, client, us, 0x44);
		if (i != 2) /* the server's Receive of the third call is lost */
			mb_receive(&t, 200, 210, us + 10, 0x44);
		mb_send(&t, 200, 210, us + 20, 0x44);
		mb_receive(&t, 100, client, us + 30, 0x44);
	}
	finish(&t);
	CHECK_EQ_U64(alpcscope_model_message_count(t.m), 12);
	for (uint32_t i = 0; i < 6; i++) {
		const struct alpcscope_message *q = mb_msg(&t, 2 * i), *r = mb_msg(&t, 2 * i + 1);

		CHECK_EQ_U64(q->related, 2 * i + 1);
		CHECK_EQ_U64(r->related, 2 * i);
		CHECK_EQ_U64(r->kind, ALPCSCOPE_MESSAGE_REPLY);
		CHECK_EQ_U64(mb_pid(&t, &r->receive), 100);
		CHECK_EQ_U64(q->kind,
			     i == 2 ? ALPCSCOPE_MESSAGE_UNMATCHED_SEND : ALPCSCOPE_MESSAGE_REQUEST);
	}
	CHECK(mb_msg(&t, 4)->evidence & ALPCSCOPE_EVIDENCE_SUPERSEDED);
	mb_free(&t);
}

/*
 * A dropped Send whose ID is reused, then a reuse whose Send is lost: the
 * server's Receive first pairs with the dead Send; the reply path (the
 * answer reaches another client) repairs it.
 */
static void
test_reply_path_repairs(void)
{
	struct mb t;

	mb_init(&t, NULL);
	mb_send(&t, 100, 110, 100, 0x48); /* one-way to a port whose server died */
	/* client 300/310's Send of 0x48 is lost; its Wait-For-Reply too */
	mb_wait_new(&t, 200, 210, 150, PORT);
	mb_receive(&t, 200, 210, 200, 0x48);
	mb_call_begin(&t, 200, 210, 400, 410, 210, 0x50); /* nested call */
	mb_call_end(&t, 200, 210, 400, 410, 220, 0x50, PORT);
	mb_send(&t, 200, 210, 300, 0x48);
	mb_receive(&t, 300, 310, 310, 0x48);
	finish(&t);
	CHECK_EQ_U64(alpcscope_model_message_count(t.m), 5);
	const struct alpcscope_message *q = mb_msg(&t, 0), *r = mb_msg(&t, 3),
				       *split = mb_msg(&t, 4);

	CHECK_EQ_U64(q->kind, ALPCSCOPE_MESSAGE_ORPHAN_RECEIVE);
	CHECK_EQ_U64(q->send.thread, ALPCSCOPE_NONE);
	CHECK_EQ_U64(q->related, 3);
	CHECK(q->evidence & ALPCSCOPE_EVIDENCE_GUESS);
	CHECK_EQ_U64(r->kind, ALPCSCOPE_MESSAGE_REPLY);
	CHECK_EQ_U64(r->related, 0);
	CHECK_EQ_U64(mb_pid(&t, &r->receive), 300);
	CHECK_EQ_U64(mb_msg(&t, 1)->parent, 0);
	CHECK_EQ_U64(split->kind, ALPCSCOPE_MESSAGE_UNMATCHED_SEND);
	CHECK_EQ_U64(mb_pid(&t, &split->send), 100);
	CHECK_EQ_U64(split->send.filetime_100ns, MB_START_FILETIME + 1000);
	CHECK(split->evidence & ALPCSCOPE_EVIDENCE_SUPERSEDED);
	CHECK_EQ_U64(alpcscope_model_stats(t.m)->pairings_repaired, 1);
	mb_free(&t);
}

/* The worker that received the request listens again; another worker replies. */
static void
test_handoff(bool new_id)
{
	struct mb t;

	mb_init(&t, NULL);
	mb_wait_new(&t, 200, 210, 5, PORT);
	mb_call_begin(&t, 100, 110, 200, 210, 100, 0x40);
	mb_call_begin(&t, 200, 210, 400, 410, 110, 0x60); /* nested, by the first worker */
	mb_call_end(&t, 200, 210, 400, 410, 120, 0x60, PORT);
	mb_wait_new(&t, 200, 210, 130, PORT); /* back to waiting */
	/* the first worker serves another client meanwhile */
	mb_call_begin(&t, 101, 111, 200, 210, 140, 0x41);
	mb_send(&t, 200, 220, 300, new_id ? 0x99 : 0x40); /* the reply, from another worker */
	mb_unwait(&t, 100, 110, 301);
	mb_receive(&t, 100, 110, 301, new_id ? 0x99 : 0x40);
	mb_call_end(&t, 101, 111, 200, 210, 400, 0x41, PORT);
	finish(&t);
	CHECK_EQ_U64(alpcscope_model_message_count(t.m), 6);
	const struct alpcscope_message *q = mb_msg(&t, 0), *r = mb_msg(&t, 4);

	CHECK_EQ_U64(q->kind, ALPCSCOPE_MESSAGE_REQUEST);
	CHECK_EQ_U64(q->related, 4);
	CHECK(!(q->evidence & ALPCSCOPE_EVIDENCE_ABANDONED));
	CHECK_EQ_U64(r->kind, ALPCSCOPE_MESSAGE_REPLY);
	CHECK_EQ_U64(r->related, 0);
	CHECK(r->evidence & ALPCSCOPE_EVIDENCE_HANDOFF);
	CHECK(r->evidence & (new_id ? ALPCSCOPE_EVIDENCE_NEW_ID : ALPCSCOPE_EVIDENCE_SAME_ID));
	CHECK(r->evidence & ALPCSCOPE_EVIDENCE_CLIENT_WAITED);
	CHECK_EQ_U64(r->receive.filetime_100ns - q->send.filetime_100ns, 2010);
	CHECK_EQ_U64(mb_msg(&t, 1)->parent, 0); /* nested call before listening again */
	CHECK_EQ_U64(mb_msg(&t, 3)->kind, ALPCSCOPE_MESSAGE_REQUEST);
	CHECK_EQ_U64(mb_msg(&t, 3)->related, 5);
	CHECK_EQ_U64(mb_msg(&t, 5)->kind, ALPCSCOPE_MESSAGE_REPLY);
	CHECK_EQ_U64(alpcscope_model_stats(t.m)->replies_handoff, 1);
	mb_free(&t);
}

/* Loss the trace reported, and messages next to a located loss window. */
static void
test_near_loss(void)
{
	struct mb t;

	mb_init(&t, NULL);
	mb_call_begin(&t, 100, 110, 200, 210, 100, 0x40);
	mb_call_end(&t, 100, 110, 200, 210, 300, 0x40, PORT);
	mb_call_begin(&t, 100, 110, 200, 210, 1000, 0x44);
	mb_call_end(&t, 100, 110, 200, 210, 1200, 0x44, PORT);
	alpcscope_model_set_loss(t.m, 12, 1, 1);
	/* a window between the request's Send (100 us) and its Receive (101 us) */
	CHECK(alpcscope_model_add_loss_window(t.m, MB_START_FILETIME + 1003,
					      MB_START_FILETIME + 1005) == ALPCSCOPE_OK);
	CHECK(alpcscope_model_add_loss_window(t.m, MB_START_FILETIME + 1004,
					      MB_START_FILETIME + 1001) == ALPCSCOPE_E_INVALID_ARG);
	finish(&t);
	CHECK(mb_msg(&t, 0)->evidence & ALPCSCOPE_EVIDENCE_NEAR_LOSS);
	CHECK(!(mb_msg(&t, 1)->evidence & ALPCSCOPE_EVIDENCE_NEAR_LOSS));
	CHECK(!(mb_msg(&t, 2)->evidence & ALPCSCOPE_EVIDENCE_NEAR_LOSS));
	const struct alpcscope_model_stats *st = alpcscope_model_stats(t.m);

	CHECK_EQ_U64(st->events_lost, 12);
	CHECK_EQ_U64(st->buffers_lost, 1);
	CHECK_EQ_U64(st->sequence_gaps, 1);
	CHECK_EQ_U64(st->loss_windows, 1);
	CHECK_EQ_U64(st->messages_near_loss, 1);
	CHECK_STR(alpcscope_evidence_name(ALPCSCOPE_EVIDENCE_NEAR_LOSS), "near-loss");
	CHECK_STR(alpcscope_evidence_name(ALPCSCOPE_EVIDENCE_GUESS), "guess");
	mb_free(&t);
}

static void
test_stacks(void)
{
	struct mb t;
	const uint64_t walk[] = {0xfffff80312c3e1a4ull, 0xfffff80312c3d8f0ull, 0x7ffa19a5c1d2ull,
				 0x7ff600001234ull};
	const uint64_t kernel_only[] = {0xfffff80312c3e1a4ull};
	const uint64_t user_part[] = {0x7ffa19a5c000ull, 0x7ffa19a00010ull};
	const uint64_t key_frames_user[] = {0x7ffa19a00100ull, 0x7ffa19a00200ull};

	mb_init(&t, NULL);
	mb_process(&t, 3, 0, 0, 0, 100, 4, "client.exe", "client.exe");
	mb_image(&t, 0, 100, 0x7ffa19a00000ull, 0x11b000, "\\Device\\HarddiskVolume3\\rpcrt4.dll");
	mb_image(&t, 0, 0, 0xfffff80312a00000ull, 0x1046000, "\\SystemRoot\\ntoskrnl.exe");
	mb_send(&t, 100, 110, 100, 0x1);
	mb_stackwalk(&t, 100, 100, 110, walk, 4);
	mb_receive(&t, 200, 210, 110, 0x1);
	mb_stackwalk(&t, 110, 200, 210, kernel_only, 1); /* kernel part, parked */
	mb_stackwalk(&t, 115, 200, 210, user_part, 2);   /* user part on kernel exit */
	mb_send(&t, 100, 110, 200, 0x2);
	mb_key_ref(&t, 200, 100, 110, 0xabc0, true);
	mb_key_ref(&t, 200, 100, 110, 0xdef0, false); /* never defined */
	mb_stackwalk(&t, 999, 100, 110, walk, 4);     /* matches no ALPC event */
	mb_key_def(&t, 300, 0xabc0, key_frames_user, 2);
	finish(&t);
	const struct alpcscope_message *m0 = mb_msg(&t, 0), *m1 = mb_msg(&t, 1);
	const struct alpcscope_stack *s = alpcscope_model_stack_at(t.m, m0->send.stack);

	CHECK(s != NULL);
	if (s) {
		char buf[128];

		CHECK_EQ_U64(s->frame_count, 4);
		CHECK_EQ_U64(s->kernel_frame_count, 2);
		CHECK_EQ_U64(s->source, ALPCSCOPE_STACK_WALK);
		CHECK_STR(alpcscope_model_format_frame(t.m, s, 0, buf, sizeof(buf)),
			  "ntoskrnl.exe!+0x23e1a4");
		CHECK_STR(alpcscope_model_format_frame(t.m, s, 2, buf, sizeof(buf)),
			  "rpcrt4.dll!+0x5c1d2");
		CHECK_STR(alpcscope_model_format_frame(t.m, s, 3, buf, sizeof(buf)),
			  "0x7ff600001234");
	}
	s = alpcscope_model_stack_at(t.m, m0->receive.stack);
	CHECK(s != NULL);
	if (s) {
		CHECK_EQ_U64(s->frame_count, 3);
		CHECK_EQ_U64(s->kernel_frame_count, 1);
		CHECK_EQ_U64(s->frames[2], 0x7ffa19a00010ull);
	}
	s = alpcscope_model_stack_at(t.m, m1->send.stack);
	CHECK(s != NULL);
	if (s) {
		CHECK_EQ_U64(s->source, ALPCSCOPE_STACK_KEYS);
		CHECK_EQ_U64(s->frame_count, 2);
		CHECK_EQ_U64(s->kernel_frame_count, 0);
		CHECK_EQ_U64(s->frames[1], 0x7ffa19a00200ull);
	}
	const struct alpcscope_model_stats *st = alpcscope_model_stats(t.m);

	CHECK_EQ_U64(st->stack_refs_unresolved, 1);
	CHECK_EQ_U64(st->stacks_unmatched, 1);
	CHECK_EQ_U64(st->stacks_attached, 4);
	mb_free(&t);
}

int
main(void)
{
	test_same_id();
	test_new_id();
	test_callback_is_not_reply();
	test_one_way_and_unmatched();
	test_pre_trace_receive();
	test_missing_reply();
	test_id_reuse();
	test_lost_receive_in_reuse_run();
	test_reply_path_repairs();
	test_handoff(false);
	test_handoff(true);
	test_near_loss();
	test_stacks();
	return check_summary();
}
