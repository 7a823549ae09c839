/* SPDX-License-Identifier: MIT */
/*
 * Microsoft-Windows-RPC and Microsoft-Windows-WMI-Activity events for the
 * analysis unit tests (on top of model_builder.h): payloads encoded with the
 * test writer's encoders, framed as EVENT_HEADER64 events of those providers
 * and fed to the model in order with the ALPC events.
 */
#ifndef ALPCSCOPE_TEST_RPC_BUILDER_H
#define ALPCSCOPE_TEST_RPC_BUILDER_H

#include "model_builder.h"

#define RB_WBEM "9556dc99-828c-11cf-a37e-00aa003240c7"

static inline void
rb_event(struct mb *t, const struct alpcscope_guid *provider, uint16_t id, uint8_t version,
	 uint32_t pid, uint32_t tid, int64_t us, uint32_t activity)
{
	struct alpcscope_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = ALPCSCOPE_RECORD_EVENT_HEADER64;
	ev.pointer_size = 8;
	ev.has_timestamp = true;
	ev.has_provider = true;
	ev.provider = *provider;
	ev.event_id = id;
	ev.version = version;
	ev.level = 4;
	ev.activity_id.data1 = activity;
	ev.process_id = pid;
	ev.thread_id = tid;
	ev.timestamp_ticks = us * 10;
	ev.filetime_100ns = MB_START_FILETIME + us * 10;
	ev.payload = t->b.data;
	ev.payload_size = t->b.len;
	ev.ordinal = t->ordinal++;
	ev.file_offset = 0x1000 + ev.ordinal * 0x40;
	CHECK(!t->b.failed);
	CHECK(alpcscope_model_add_event(t->m, &ev, NULL) == ALPCSCOPE_OK);
	etl_bytes_reset(&t->b);
}

static const struct alpcscope_guid rb_rpc_provider = {
    0x6ad52b32, 0xd609, 0x4be9, {0xae, 0x07, 0xce, 0x8d, 0xae, 0x93, 0x7e, 0x39}};
static const struct alpcscope_guid rb_wmi_provider = {
    0x1418ef04, 0xb0b4, 0x4623, {0xbf, 0x7e, 0xd7, 0x4a, 0xb4, 0x7b, 0xbd, 0xaa}};

/* Client (5) or server (6) call start; @p activity 0 = no ActivityId. */
static inline void
rb_rpc_start(struct mb *t, bool server, uint32_t pid, uint32_t tid, int64_t us, uint32_t activity,
	     const char *uuid, uint32_t opnum, uint32_t protocol)
{
	struct etl_rpc_call c;

	memset(&c, 0, sizeof(c));
	CHECK(etl_guid_parse(&c.interface_uuid, uuid));
	c.proc_num = opnum;
	c.protocol = protocol;
	c.network_address = "";
	c.endpoint = protocol == 3 ? "LRPC-test" : "135";
	c.options = "";
	c.authn_level = 6;
	c.authn_service = 20;
	c.impersonation = 3;
	etl_bytes_reset(&t->b);
	etl_enc_rpc_call_start(&t->b, &c);
	rb_event(t, &rb_rpc_provider, server ? 6 : 5, 1, pid, tid, us, activity);
}

/* Client (7) or server (8) call stop. */
static inline void
rb_rpc_stop(struct mb *t, bool server, uint32_t pid, uint32_t tid, int64_t us, uint32_t activity,
	    uint32_t status)
{
	etl_bytes_reset(&t->b);
	etl_enc_rpc_status(&t->b, status);
	rb_event(t, &rb_rpc_provider, server ? 8 : 7, 1, pid, tid, us, activity);
}

/* WMI-Activity defaults as the Winmgmt service logs them (wmi-rpc.scn). */
static inline void
rb_wmi_defaults(struct etl_wmi_activity *w)
{
	memset(w, 0, sizeof(*w));
	w->correlation_id = "{00000000-0000-0000-0000-000000000000}";
	w->operation = "";
	w->client_machine = w->client_machine_fqdn = "WORKSTATION";
	w->user = "WORKSTATION\\alice";
	w->namespace_name = "\\\\.\\root\\cimv2";
	w->is_local = true;
	w->provider_name = "CIMWin32";
	w->provider_guid = "{d63a5850-8f16-11cf-9f47-00aa00bf345c}";
	w->path = "%systemroot%\\system32\\wbem\\cimwin32.dll";
	w->class_name = "Win32_Process";
	w->method_name = "Create";
	w->implementation_class = "Win32_Process";
	w->command_line = "";
	w->host_process = "WmiPrvSE.exe";
	w->provider_path = w->path;
}

static inline void
rb_wmi(struct mb *t, uint16_t id, uint32_t pid, uint32_t tid, int64_t us,
       const struct etl_wmi_activity *w)
{
	etl_bytes_reset(&t->b);
	CHECK(etl_enc_wmi_activity(&t->b, id, w));
	rb_event(t, &rb_wmi_provider, id, 0, pid, tid, us, 0);
}

/* Message index of the message with @p id (first one), or ALPCSCOPE_NONE. */
static inline uint32_t
rb_msg_by_id(const struct mb *t, uint32_t id)
{
	uint32_t n = alpcscope_model_message_count(t->m);

	for (uint32_t i = 0; i < n; i++)
		if (mb_msg(t, i)->message_id == id)
			return i;
	return ALPCSCOPE_NONE;
}

/* Process index of the (last) instance of @p pid, or ALPCSCOPE_NONE. */
static inline uint32_t
rb_proc_by_pid(const struct mb *t, uint32_t pid)
{
	uint32_t n = alpcscope_model_process_count(t->m), r = ALPCSCOPE_NONE;

	for (uint32_t i = 0; i < n; i++)
		if (alpcscope_model_process_at(t->m, i)->pid == pid)
			r = i;
	return r;
}

#endif
