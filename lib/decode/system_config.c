/* SPDX-License-Identifier: MIT */
/*
 * SystemConfig kernel events (group 0x0B): only Services (opcode 15) is typed
 * — it names every service and its host PID (docs/event-layouts.md#systemconfig-services). v2 is
 * sequential UTF-16 strings, v3 adds two more; v0/v1 use fixed WCHAR arrays.
 */
#include "payload.h"

enum {
	SVC_V1_SERVICE_NAME_UNITS = 34,  /* +0: WCHAR[34] */
	SVC_V1_DISPLAY_NAME_UNITS = 256, /* +68: WCHAR[256] */
	SVC_V1_PROCESS_NAME_UNITS = 34,  /* +580: WCHAR[34]; +648: u32 ProcessId */
};

bool
system_config_decode(struct payload *p, const struct alpcscope_event *ev, const char **why)
{
	struct alpcscope_decoder *dec = p->dec;
	struct alpcscope_service *r = &dec->out.as.service;

	if (ev->opcode != 15)
		return true;
	if (ev->version >= 2) {
		r->process_id = payload_u32(p);
		r->service_state = payload_u32(p);
		r->sub_process_tag = payload_u32(p);
		if (payload_overrun(p)) {
			*why = "payload too short for the fixed fields";
			return false;
		}
		r->service_name = payload_utf16z(p);
		r->display_name = payload_utf16z(p);
		r->process_name = payload_utf16z(p);
		if (ev->version >= 3) {
			r->load_order_group = payload_utf16z(p);
			r->svchost_group = payload_utf16z(p);
		}
		if (payload_overrun(p)) {
			*why = "unterminated string";
			return false;
		}
	} else {
		r->service_name = payload_utf16_fixed(p, SVC_V1_SERVICE_NAME_UNITS);
		r->display_name = payload_utf16_fixed(p, SVC_V1_DISPLAY_NAME_UNITS);
		r->process_name = payload_utf16_fixed(p, SVC_V1_PROCESS_NAME_UNITS);
		r->process_id = payload_u32(p);
		if (payload_overrun(p)) {
			*why = "payload shorter than the 652-byte v0/v1 layout";
			return false;
		}
	}

	dec->out.kind = ALPCSCOPE_DECODED_SERVICE;
	field_u(dec, "ProcessId", r->process_id);
	if (ev->version >= 2) {
		field_u(dec, "ServiceState", r->service_state);
		field_hex(dec, "SubProcessTag", r->sub_process_tag);
	}
	field_str(dec, "ServiceName", r->service_name);
	field_str(dec, "DisplayName", r->display_name);
	field_str(dec, "ProcessName", r->process_name);
	field_str(dec, "LoadOrderGroup", r->load_order_group);
	field_str(dec, "SvchostGroup", r->svchost_group);
	return true;
}
