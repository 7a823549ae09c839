/* SPDX-License-Identifier: MIT */
/*
 * WMI-Activity operations (lib/analysis/wmi_activity.c): operation 11/22/12/
 * 23/13 logged by the Winmgmt thread serving powershell's request is
 * attached to that request (and its provider call to the nested request to
 * the WmiPrvSE host), i.e. to the right chain and not to unrelated traffic;
 * event 23's created process agreeing with, differing from, or alone in
 * naming the chain's logical parent.
 */
#include "output/rpc_output.h"
#include "rpc_builder.h"

#define PORT "\\RPC Control\\wmi"

enum where { CREATE_INSIDE, CREATE_OUTSIDE };

/*
 * powershell 5012/6020 -> Winmgmt 1340/2260 (0x100) -> WmiPrvSE 3932/4410
 * (0x200), which creates notepad 7064; an unrelated call 6120 -> 960
 * (0x300) in between. WMI names @p wmi_client as the client.
 */
static void
scenario(struct mb *t, uint32_t wmi_client, enum where where)
{
	struct etl_wmi_activity w;

	mb_init(t, NULL);
	mb_process(t, 3, 0, 0, 0, 3200, 3180, "explorer.exe", "explorer.exe");
	mb_thread(t, 3, 0, 3200, 3204, 0, NULL);
	mb_process(t, 3, 0, 0, 0, 5012, 3200, "powershell.exe", "powershell.exe");
	mb_thread(t, 3, 0, 5012, 6020, 0, NULL);
	mb_process(t, 3, 0, 0, 0, 1340, 700, "svchost.exe", "svchost.exe -k netsvcs -s Winmgmt");
	mb_thread(t, 3, 0, 1340, 2260, 0, NULL);
	mb_process(t, 3, 0, 0, 0, 3932, 880, "WmiPrvSE.exe", "wmiprvse.exe -Embedding");
	mb_thread(t, 3, 0, 3932, 4410, 0, NULL);
	mb_process(t, 3, 0, 0, 0, 6120, 3200, "OneDrive.exe", "OneDrive.exe");
	mb_thread(t, 3, 0, 6120, 6124, 0, NULL);
	mb_process(t, 3, 0, 0, 0, 960, 700, "svchost.exe", "svchost.exe -k RPCSS");
	mb_thread(t, 3, 0, 960, 964, 0, NULL);

	mb_call_begin(t, 5012, 6020, 1340, 2260, 100, 0x100);
	rb_wmi_defaults(&w);
	w.group_operation_id = 6;
	w.operation_id = 7;
	w.client_pid = wmi_client;
	w.operation = "Start IWbemServices::ExecMethod - root\\cimv2 : Win32_Process::Create";
	rb_wmi(t, 11, 1340, 2260, 105, &w);
	rb_wmi(t, 22, 1340, 2260, 106, &w);
	mb_call_begin(t, 6120, 6124, 960, 964, 107, 0x300);
	mb_call_end(t, 6120, 6124, 960, 964, 108, 0x301, PORT);
	mb_call_begin(t, 1340, 2260, 3932, 4410, 110, 0x200);
	w.operation = "Provider::ExecMethod - Win32_Process::Create";
	w.host_id = 3932;
	rb_wmi(t, 12, 1340, 2260, 112, &w);
	if (where == CREATE_INSIDE)
		mb_process(t, 1, 3932, 4410, 115, 7064, 3932, "notepad.exe", "notepad.exe");
	mb_call_end(t, 1340, 2260, 3932, 4410, 120, 0x201, PORT);
	if (where == CREATE_OUTSIDE)
		mb_process(t, 1, 3932, 4410, 121, 7064, 3932, "notepad.exe", "notepad.exe");
	w.command_line = "notepad.exe";
	w.created_pid = 7064;
	rb_wmi(t, 23, 1340, 2260, 122, &w);
	mb_call_end(t, 5012, 6020, 1340, 2260, 125, 0x101, PORT);
	w.result_code = 0;
	rb_wmi(t, 13, 1340, 2260, 130, &w);
	CHECK(alpcscope_model_finish(t->m, NULL) == ALPCSCOPE_OK);
}

static uint32_t
op_of(const struct mb *t, uint32_t id, bool *as_provider)
{
	return alpcscope_model_message_wmi_operation(t->m, rb_msg_by_id(t, id), as_provider);
}

static uint32_t
chain_of(const struct mb *t, uint32_t id)
{
	const struct alpcscope_message *msg = mb_msg(t, rb_msg_by_id(t, id));
	const struct alpcscope_chain_node *n =
	    msg ? alpcscope_model_chain_node_at(t->m, msg->chain_node) : NULL;

	return n ? n->chain : ALPCSCOPE_NONE;
}

static void
test_attached_to_chain_agrees(void)
{
	struct mb t;
	bool prov = true;
	char buf[1400];

	scenario(&t, 5012, CREATE_INSIDE);
	CHECK_EQ_U64(alpcscope_model_wmi_operation_count(t.m), 1);
	const struct alpcscope_wmi_operation *o = alpcscope_model_wmi_operation_at(t.m, 0);

	CHECK(o != NULL);
	if (!o) {
		mb_free(&t);
		return;
	}
	CHECK_EQ_U64(o->operation_id, 7);
	CHECK_EQ_U64(o->group_operation_id, 6);
	CHECK_EQ_U64(o->client_pid, 5012);
	CHECK_EQ_U64(o->client_process, rb_proc_by_pid(&t, 5012));
	CHECK_EQ_U64(o->provider_host_pid, 3932);
	CHECK_EQ_U64(o->created_pid, 7064);
	CHECK_EQ_U64(o->created_process, rb_proc_by_pid(&t, 7064));
	CHECK_STR(o->class_name, "Win32_Process");
	CHECK_STR(o->method_name, "Create");
	CHECK_STR(o->provider_name, "CIMWin32");
	CHECK_STR(o->command_line, "notepad.exe");
	CHECK(o->ended && o->result_code == 0);
	CHECK_EQ_U64(o->message, rb_msg_by_id(&t, 0x100));
	CHECK_EQ_U64(o->provider_message, rb_msg_by_id(&t, 0x200));

	/* the request and the provider call of the chain; nothing else */
	CHECK_EQ_U64(op_of(&t, 0x100, &prov), 0);
	CHECK(!prov);
	CHECK_EQ_U64(op_of(&t, 0x200, &prov), 0);
	CHECK(prov);
	CHECK_EQ_U64(op_of(&t, 0x101, NULL), ALPCSCOPE_NONE);
	CHECK_EQ_U64(op_of(&t, 0x201, NULL), ALPCSCOPE_NONE);
	CHECK_EQ_U64(op_of(&t, 0x300, &prov), ALPCSCOPE_NONE);
	CHECK(!prov);
	CHECK(!ro_wmi_text(t.m, rb_msg_by_id(&t, 0x300), buf, sizeof(buf)));

	uint32_t c = chain_of(&t, 0x100);

	CHECK(c != ALPCSCOPE_NONE);
	CHECK_EQ_U64(chain_of(&t, 0x200), c);
	CHECK(chain_of(&t, 0x300) != c);
	const struct alpcscope_chain *ch = alpcscope_model_chain_at(t.m, c);

	CHECK(ch && ch->root_process == rb_proc_by_pid(&t, 5012));

	/* event 23 agrees with the chain */
	uint32_t np = rb_proc_by_pid(&t, 7064);

	CHECK_EQ_U64(alpcscope_model_process_at(t.m, np)->logical_parent, rb_proc_by_pid(&t, 5012));
	CHECK_EQ_U64(o->corroboration, ALPCSCOPE_WMI_AGREES);
	CHECK_EQ_U64(alpcscope_model_process_wmi_operation(t.m, np), 0);
	CHECK_EQ_U64(alpcscope_model_process_wmi_operation(t.m, rb_proc_by_pid(&t, 5012)),
		     ALPCSCOPE_NONE);

	CHECK(ro_wmi_text(t.m, rb_msg_by_id(&t, 0x100), buf, sizeof(buf)));
	CHECK_STR(buf, "ExecMethod Win32_Process::Create root\\cimv2 client=5012 created=7064 "
		       "provider-host=3932 provider=CIMWin32 (operation 7, ended)");
	CHECK(ro_wmi_text(t.m, rb_msg_by_id(&t, 0x200), buf, sizeof(buf)));
	CHECK(strncmp(buf, "provider call for ExecMethod ", 29) == 0);
	CHECK(ro_process_wmi_text(t.m, np, buf, sizeof(buf)));
	CHECK(strstr(buf, "agrees with the chain's logical parent") != NULL);
	mb_free(&t);
}

static void
test_disagrees(void)
{
	struct mb t;

	/* WMI names explorer as the client; the chain says powershell */
	scenario(&t, 3200, CREATE_INSIDE);
	const struct alpcscope_wmi_operation *o = alpcscope_model_wmi_operation_at(t.m, 0);
	char buf[1400];

	CHECK(o != NULL);
	if (o) {
		CHECK_EQ_U64(o->client_process, rb_proc_by_pid(&t, 3200));
		CHECK_EQ_U64(o->corroboration, ALPCSCOPE_WMI_DIFFERS);
		/* still the operation of powershell's request */
		CHECK_EQ_U64(o->message, rb_msg_by_id(&t, 0x100));
	}
	CHECK_EQ_U64(alpcscope_model_process_at(t.m, rb_proc_by_pid(&t, 7064))->logical_parent,
		     rb_proc_by_pid(&t, 5012));
	CHECK(ro_process_wmi_text(t.m, rb_proc_by_pid(&t, 7064), buf, sizeof(buf)));
	CHECK(strstr(buf, "differs from the chain's logical parent") != NULL);
	mb_free(&t);
}

static void
test_wmi_only(void)
{
	struct mb t;

	/* notepad created after the provider call was answered: no chain explains it */
	scenario(&t, 5012, CREATE_OUTSIDE);
	const struct alpcscope_wmi_operation *o = alpcscope_model_wmi_operation_at(t.m, 0);
	uint32_t np = rb_proc_by_pid(&t, 7064);

	CHECK(o != NULL);
	CHECK_EQ_U64(alpcscope_model_process_at(t.m, np)->logical_parent, ALPCSCOPE_NONE);
	if (o)
		CHECK_EQ_U64(o->corroboration, ALPCSCOPE_WMI_ONLY);
	CHECK_EQ_U64(alpcscope_model_process_wmi_operation(t.m, np), 0);
	mb_free(&t);
}

static void
test_not_serving(void)
{
	struct mb t;
	struct etl_wmi_activity w;

	/* operation logged by a Winmgmt thread that serves nothing: no message */
	mb_init(&t, NULL);
	mb_process(&t, 3, 0, 0, 0, 1340, 700, "svchost.exe", "svchost.exe");
	mb_thread(&t, 3, 0, 1340, 2260, 0, NULL);
	mb_process(&t, 3, 0, 0, 0, 5012, 3200, "powershell.exe", "powershell.exe");
	mb_thread(&t, 3, 0, 5012, 6020, 0, NULL);
	mb_call_begin(&t, 5012, 6020, 1340, 2260, 100, 0x100);
	mb_call_end(&t, 5012, 6020, 1340, 2260, 110, 0x101, PORT);
	rb_wmi_defaults(&w);
	w.operation_id = 9;
	w.client_pid = 5012;
	rb_wmi(&t, 11, 1340, 2260, 120, &w);
	rb_wmi(&t, 13, 1340, 2260, 121, &w);
	CHECK(alpcscope_model_finish(t.m, NULL) == ALPCSCOPE_OK);
	CHECK_EQ_U64(alpcscope_model_wmi_operation_count(t.m), 1);
	CHECK_EQ_U64(alpcscope_model_wmi_operation_at(t.m, 0)->message, ALPCSCOPE_NONE);
	CHECK_EQ_U64(alpcscope_model_wmi_operation_at(t.m, 0)->corroboration,
		     ALPCSCOPE_WMI_NO_PROCESS);
	CHECK_EQ_U64(op_of(&t, 0x100, NULL), ALPCSCOPE_NONE);
	mb_free(&t);
}

int
main(void)
{
	test_attached_to_chain_agrees();
	test_disagrees();
	test_wmi_only();
	test_not_serving();
	return check_summary();
}
