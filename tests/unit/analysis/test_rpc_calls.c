/* SPDX-License-Identifier: MIT */
/*
 * RPC call correlation (lib/analysis/rpc_calls.c): Microsoft-Windows-RPC
 * client/server call start/stop joined to the ALPC request the same thread
 * sent / served inside the call's window; a call whose window holds no
 * request of its thread stays unjoined; non-LRPC calls are ignored; a call
 * without its stop; two interleaved calls on different threads; names from
 * the interface database, "opnum N" for an unknown interface.
 */
#include <alpcscope/interfaces.h>

#include "output/rpc_output.h"
#include "rpc_builder.h"

#define PORT           "\\RPC Control\\LRPC-test"
#define OTHER          "11111111-2222-3333-4444-555555555555"
#define STARTS(s, lit) (strncmp((s), lit, sizeof(lit) - 1) == 0)

/* client 1000 (threads 1004, 1008), server 2000 (threads 2004, 2008) */
static void
setup(struct mb *t)
{
	mb_init(t, NULL);
	mb_process(t, 3, 0, 0, 0, 1000, 4, "client.exe", "client.exe");
	mb_thread(t, 3, 0, 1000, 1004, 0, NULL);
	mb_thread(t, 3, 0, 1000, 1008, 0, NULL);
	mb_process(t, 3, 0, 0, 0, 2000, 4, "server.exe", "server.exe");
	mb_thread(t, 3, 0, 2000, 2004, 0, NULL);
	mb_thread(t, 3, 0, 2000, 2008, 0, NULL);
}

/* One whole LRPC call on client thread @p ct / server thread @p st with both sides logged. */
static void
full_call(struct mb *t, uint32_t ct, uint32_t st, int64_t us, uint32_t id, const char *uuid,
	  uint32_t opnum, uint32_t protocol)
{
	rb_rpc_start(t, false, 1000, ct, us, 0xC000 + id, uuid, opnum, protocol);
	mb_call_begin(t, 1000, ct, 2000, st, us + 1, id);
	rb_rpc_start(t, true, 2000, st, us + 3, 0x5000 + id, uuid, opnum, protocol);
	rb_rpc_stop(t, true, 2000, st, us + 10, 0x5000 + id, 0);
	mb_call_end(t, 1000, ct, 2000, st, us + 11, id + 1, PORT);
	rb_rpc_stop(t, false, 1000, ct, us + 13, 0xC000 + id, 5);
}

static const struct alpcscope_rpc_call *
call_of(const struct mb *t, uint32_t msg, bool server)
{
	return alpcscope_model_rpc_call_at(t->m,
					   alpcscope_model_message_rpc_call(t->m, msg, server));
}

static void
test_matched_both_sides(void)
{
	struct mb t;
	struct alpcscope_interface_db *db = NULL;
	char buf[1400];

	CHECK(alpcscope_interface_db_new(&db, NULL) == ALPCSCOPE_OK);
	CHECK(alpcscope_interface_db_load_builtin(db, NULL) == ALPCSCOPE_OK);
	setup(&t);
	alpcscope_model_set_interfaces(t.m, db);
	full_call(&t, 1004, 2004, 100, 0x10, RB_WBEM, 24, 3);
	CHECK(alpcscope_model_finish(t.m, NULL) == ALPCSCOPE_OK);

	CHECK_EQ_U64(alpcscope_model_rpc_call_count(t.m), 2);
	uint32_t req = rb_msg_by_id(&t, 0x10), rep = rb_msg_by_id(&t, 0x11);

	CHECK(req != ALPCSCOPE_NONE && rep != ALPCSCOPE_NONE);
	CHECK_EQ_U64(mb_msg(&t, req)->role, ALPCSCOPE_ROLE_REQUEST);
	const struct alpcscope_rpc_call *cl = call_of(&t, req, false), *sv = call_of(&t, req, true);

	CHECK(cl && !cl->server);
	CHECK(sv && sv->server);
	if (cl && sv) {
		CHECK_EQ_U64(cl->message, req);
		CHECK_EQ_U64(sv->message, req);
		CHECK_EQ_U64(cl->opnum, 24);
		CHECK_EQ_U64(cl->protocol, ALPCSCOPE_RPC_PROTOCOL_LRPC);
		CHECK(cl->stopped && sv->stopped);
		CHECK_EQ_U64(cl->status, 5);
		CHECK_EQ_U64(sv->status, 0);
		CHECK_EQ_U64(cl->authentication_level, 6);
		CHECK_EQ_U64(cl->authentication_service, 20);
		CHECK_STR(cl->endpoint, "LRPC-test");
		CHECK(cl->start_ordinal < mb_msg(&t, req)->send.ordinal);
		CHECK(cl->stop_ordinal > mb_msg(&t, rep)->receive.ordinal);
	}
	/* the reply carries no call */
	CHECK(!call_of(&t, rep, false) && !call_of(&t, rep, true));
	/* names from the built-in database; the client side is described */
	CHECK(ro_rpc_text(t.m, req, buf, sizeof(buf)));
	CHECK(strstr(buf, "iface=IWbemServices(" RB_WBEM ")") != NULL);
	CHECK(strstr(buf, "op=ExecMethod(24)") != NULL);
	CHECK(strstr(buf, "protocol=LRPC endpoint=LRPC-test") != NULL);
	CHECK(strstr(buf, "authn-level=6 authn-service=20 status=5") != NULL);
	CHECK(!ro_rpc_text(t.m, rep, buf, sizeof(buf)) && buf[0] == '\0');
	CHECK(ro_rpc_evidence(t.m, req, buf, sizeof(buf)));
	CHECK(strstr(buf, "client call on tid 1004") != NULL);
	CHECK(strstr(buf, "server call on tid 2004") != NULL);
	mb_free(&t);
	alpcscope_interface_db_free(db);
}

static void
test_outside_window(void)
{
	struct mb t;

	setup(&t);
	/* request sent before the client call started: not the call's */
	mb_call_begin(&t, 1000, 1004, 2000, 2004, 50, 0x20);
	mb_call_end(&t, 1000, 1004, 2000, 2004, 60, 0x21, PORT);
	rb_rpc_start(&t, false, 1000, 1004, 100, 0xA, RB_WBEM, 3, 3);
	rb_rpc_stop(&t, false, 1000, 1004, 105, 0xA, 0);
	/* server call logged after the reply was sent: the thread serves nothing */
	rb_rpc_start(&t, true, 2000, 2004, 110, 0xB, RB_WBEM, 3, 3);
	rb_rpc_stop(&t, true, 2000, 2004, 111, 0xB, 0);
	/* request sent after the client stop: not the call's either */
	mb_call_begin(&t, 1000, 1004, 2000, 2004, 120, 0x22);
	mb_call_end(&t, 1000, 1004, 2000, 2004, 130, 0x23, PORT);
	/* server start while serving, but the reply Send lies before the stop */
	mb_call_begin(&t, 1000, 1008, 2000, 2008, 200, 0x24);
	rb_rpc_start(&t, true, 2000, 2008, 205, 0xC, RB_WBEM, 3, 3);
	mb_call_end(&t, 1000, 1008, 2000, 2008, 210, 0x25, PORT);
	rb_rpc_stop(&t, true, 2000, 2008, 215, 0xC, 0);
	CHECK(alpcscope_model_finish(t.m, NULL) == ALPCSCOPE_OK);

	CHECK_EQ_U64(alpcscope_model_rpc_call_count(t.m), 3);
	for (uint32_t i = 0; i < alpcscope_model_rpc_call_count(t.m); i++) {
		const struct alpcscope_rpc_call *c = alpcscope_model_rpc_call_at(t.m, i);

		CHECK(c->stopped);
		CHECK_EQ_U64(c->message, ALPCSCOPE_NONE);
	}
	for (uint32_t id = 0x20; id <= 0x25; id++) {
		uint32_t k = rb_msg_by_id(&t, id);

		CHECK(k != ALPCSCOPE_NONE);
		CHECK(!call_of(&t, k, false) && !call_of(&t, k, true));
	}
	mb_free(&t);
}

static void
test_non_local_ignored(void)
{
	struct mb t;
	char buf[1400];

	setup(&t);
	full_call(&t, 1004, 2004, 100, 0x30, RB_WBEM, 24, 1);  /* TCP */
	full_call(&t, 1008, 2008, 200, 0x32, RB_WBEM, 24, 2);  /* named pipes */
	full_call(&t, 1004, 2004, 300, 0x34, RB_WBEM, 24, 99); /* unknown transport */
	CHECK(alpcscope_model_finish(t.m, NULL) == ALPCSCOPE_OK);

	CHECK_EQ_U64(alpcscope_model_rpc_call_count(t.m), 6);
	const struct alpcscope_rpc_call *c = alpcscope_model_rpc_call_at(t.m, 0);

	CHECK(c && c->protocol == ALPCSCOPE_RPC_PROTOCOL_TCP && c->message == ALPCSCOPE_NONE);
	for (uint32_t i = 0; i < alpcscope_model_rpc_call_count(t.m); i++)
		CHECK_EQ_U64(alpcscope_model_rpc_call_at(t.m, i)->message, ALPCSCOPE_NONE);
	for (uint32_t k = 0; k < alpcscope_model_message_count(t.m); k++)
		CHECK(!ro_rpc_text(t.m, k, buf, sizeof(buf)));
	CHECK(ro_any(t.m)); /* the calls exist: CSV gets its columns */
	mb_free(&t);
}

static void
test_missing_stop(void)
{
	struct mb t;
	char buf[1400];

	setup(&t);
	/* a request sent before the start does not count */
	mb_send(&t, 1000, 1004, 50, 0x3F);
	rb_rpc_start(&t, false, 1000, 1004, 100, 0, RB_WBEM, 24, 3);
	mb_call_begin(&t, 1000, 1004, 2000, 2004, 101, 0x40);
	rb_rpc_start(&t, true, 2000, 2004, 103, 0, RB_WBEM, 24, 3);
	mb_call_end(&t, 1000, 1004, 2000, 2004, 111, 0x41, PORT);
	/* a second request on the thread: the first after the start keeps the call */
	mb_call_begin(&t, 1000, 1004, 2000, 2008, 120, 0x42);
	mb_call_end(&t, 1000, 1004, 2000, 2008, 130, 0x43, PORT);
	CHECK(alpcscope_model_finish(t.m, NULL) == ALPCSCOPE_OK);

	uint32_t req = rb_msg_by_id(&t, 0x40);
	const struct alpcscope_rpc_call *cl = call_of(&t, req, false), *sv = call_of(&t, req, true);

	CHECK(cl && !cl->stopped && cl->status == 0);
	CHECK(sv && !sv->stopped);
	CHECK(!call_of(&t, rb_msg_by_id(&t, 0x42), false));
	CHECK(!call_of(&t, rb_msg_by_id(&t, 0x3F), false));
	CHECK(ro_rpc_text(t.m, req, buf, sizeof(buf)));
	CHECK(strstr(buf, " status=-") != NULL);
	CHECK(ro_rpc_evidence(t.m, req, buf, sizeof(buf)));
	CHECK(strstr(buf, "no stop") != NULL);
	mb_free(&t);
}

static void
test_interleaved_threads(void)
{
	struct mb t;

	setup(&t);
	rb_rpc_start(&t, false, 1000, 1004, 100, 0xA1, RB_WBEM, 1, 3);
	rb_rpc_start(&t, false, 1000, 1008, 101, 0xB1, RB_WBEM, 2, 3);
	mb_call_begin(&t, 1000, 1004, 2000, 2004, 102, 0x50);
	mb_call_begin(&t, 1000, 1008, 2000, 2008, 104, 0x52);
	rb_rpc_start(&t, true, 2000, 2008, 106, 0xB2, RB_WBEM, 2, 3);
	rb_rpc_start(&t, true, 2000, 2004, 107, 0xA2, RB_WBEM, 1, 3);
	rb_rpc_stop(&t, true, 2000, 2004, 110, 0xA2, 0);
	rb_rpc_stop(&t, true, 2000, 2008, 111, 0xB2, 0);
	mb_call_end(&t, 1000, 1008, 2000, 2008, 112, 0x53, PORT);
	mb_call_end(&t, 1000, 1004, 2000, 2004, 114, 0x51, PORT);
	rb_rpc_stop(&t, false, 1000, 1008, 116, 0xB1, 0);
	rb_rpc_stop(&t, false, 1000, 1004, 117, 0xA1, 0x6BA);
	CHECK(alpcscope_model_finish(t.m, NULL) == ALPCSCOPE_OK);

	uint32_t a = rb_msg_by_id(&t, 0x50), b = rb_msg_by_id(&t, 0x52);
	const struct alpcscope_rpc_call *acl = call_of(&t, a, false), *asv = call_of(&t, a, true);
	const struct alpcscope_rpc_call *bcl = call_of(&t, b, false), *bsv = call_of(&t, b, true);

	CHECK(acl && asv && bcl && bsv);
	if (acl && asv && bcl && bsv) {
		CHECK_EQ_U64(acl->opnum, 1);
		CHECK_EQ_U64(asv->opnum, 1);
		CHECK_EQ_U64(bcl->opnum, 2);
		CHECK_EQ_U64(bsv->opnum, 2);
		CHECK_EQ_U64(acl->status, 0x6BA);
		CHECK_EQ_U64(bcl->status, 0);
		CHECK_EQ_U64(alpcscope_model_thread_at(t.m, acl->thread)->tid, 1004);
		CHECK_EQ_U64(alpcscope_model_thread_at(t.m, bsv->thread)->tid, 2008);
	}
	mb_free(&t);
}

static void
test_unknown_interface(void)
{
	struct mb t;
	struct alpcscope_interface_db *db = NULL;
	char buf[1400];

	CHECK(alpcscope_interface_db_new(&db, NULL) == ALPCSCOPE_OK);
	CHECK(alpcscope_interface_db_load_builtin(db, NULL) == ALPCSCOPE_OK);
	setup(&t);
	alpcscope_model_set_interfaces(t.m, db);
	full_call(&t, 1004, 2004, 100, 0x60, OTHER, 7, 3);
	/* known interface, unknown procedure */
	full_call(&t, 1004, 2004, 200, 0x62, RB_WBEM, 999, 3);
	CHECK(alpcscope_model_finish(t.m, NULL) == ALPCSCOPE_OK);

	CHECK(ro_rpc_text(t.m, rb_msg_by_id(&t, 0x60), buf, sizeof(buf)));
	CHECK(STARTS(buf, "iface=" OTHER " op=opnum 7 protocol=LRPC"));
	CHECK(strstr(buf, "[source:") == NULL);
	json_object *j = ro_rpc_json(t.m, rb_msg_by_id(&t, 0x60)), *v;

	CHECK(j != NULL);
	if (j) {
		CHECK(json_object_object_get_ex(j, "interface_name", &v) && v == NULL);
		CHECK(json_object_object_get_ex(j, "procedure_name", &v) && v == NULL);
		CHECK(json_object_object_get_ex(j, "opnum", &v) && json_object_get_int(v) == 7);
		json_object_put(j);
	}
	CHECK(ro_rpc_text(t.m, rb_msg_by_id(&t, 0x62), buf, sizeof(buf)));
	CHECK(strstr(buf, "iface=IWbemServices(" RB_WBEM ")") != NULL);
	CHECK(strstr(buf, "op=opnum 999 ") != NULL);
	mb_free(&t);
	alpcscope_interface_db_free(db);

	/* no database at all: never a name */
	setup(&t);
	full_call(&t, 1004, 2004, 100, 0x70, RB_WBEM, 24, 3);
	CHECK(alpcscope_model_finish(t.m, NULL) == ALPCSCOPE_OK);
	CHECK(ro_rpc_text(t.m, rb_msg_by_id(&t, 0x70), buf, sizeof(buf)));
	CHECK(STARTS(buf, "iface=" RB_WBEM " op=opnum 24 protocol=LRPC"));
	mb_free(&t);
}

int
main(void)
{
	test_matched_both_sides();
	test_outside_window();
	test_non_local_ignored();
	test_missing_stop();
	test_interleaved_threads();
	test_unknown_interface();
	return check_summary();
}
