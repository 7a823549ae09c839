/* SPDX-License-Identifier: MIT */
/*
 * Kernel Thread events (group 0x05): Start 1, End 2, DCStart 3, DCEnd 4 in
 * versions 2-4, and SetName 72 (docs/event-layouts.md#thread). SetName
 * arrives PERFINFO-framed, so its header has no thread id: the payload's is
 * the only one.
 */
#include "payload.h"

static bool
decode_set_name(struct payload *p, const char **why)
{
	struct alpcscope_decoder *dec = p->dec;
	struct alpcscope_thread_name *r = &dec->out.as.thread_name;

	r->process_id = payload_u32(p);
	r->thread_id = payload_u32(p);
	r->thread_name = payload_utf16z(p);
	if (payload_overrun(p)) {
		*why = "payload too short or ThreadName unterminated";
		return false;
	}
	dec->out.kind = ALPCSCOPE_DECODED_THREAD_NAME;
	field_u(dec, "ProcessId", r->process_id);
	field_u(dec, "ThreadId", r->thread_id);
	field_str(dec, "ThreadName", r->thread_name);
	return true;
}

bool
kernel_thread_decode(struct payload *p, const struct alpcscope_event *ev, const char **why)
{
	struct alpcscope_decoder *dec = p->dec;
	struct alpcscope_thread *r = &dec->out.as.thread;
	uint8_t v = ev->version;

	if (ev->opcode == 72)
		return decode_set_name(p, why);
	if (ev->opcode < 1 || ev->opcode > 4 || v < 2)
		return true;

	r->process_id = payload_u32(p);
	r->thread_id = payload_u32(p);
	r->stack_base = payload_ptr(p);
	r->stack_limit = payload_ptr(p);
	r->user_stack_base = payload_ptr(p);
	r->user_stack_limit = payload_ptr(p);
	r->start_addr_or_affinity = payload_ptr(p);
	r->win32_start_addr = payload_ptr(p);
	r->teb_base = payload_ptr(p);
	r->sub_process_tag = payload_u32(p);
	if (v >= 3) {
		r->has_priorities = true;
		r->base_priority = (int8_t)payload_u8(p);
		r->page_priority = payload_u8(p);
		r->io_priority = payload_u8(p);
		r->thread_flags = payload_u8(p);
	}
	if (payload_overrun(p)) {
		*why = "payload too short for the fixed fields";
		return false;
	}
	/* ThreadName: defined for v4, sometimes present on v3 (§10 item 9): read when bytes remain.
	 */
	if (v >= 3 && payload_left(p) > 0) {
		r->thread_name = payload_utf16z(p);
		if (payload_overrun(p)) {
			*why = "ThreadName unterminated";
			return false;
		}
	}

	dec->out.kind = ALPCSCOPE_DECODED_THREAD;
	field_u(dec, "ProcessId", r->process_id);
	field_u(dec, "TThreadId", r->thread_id);
	field_hex(dec, "StackBase", r->stack_base);
	field_hex(dec, "StackLimit", r->stack_limit);
	field_hex(dec, "UserStackBase", r->user_stack_base);
	field_hex(dec, "UserStackLimit", r->user_stack_limit);
	field_hex(dec, v >= 3 ? "Affinity" : "StartAddr", r->start_addr_or_affinity);
	field_hex(dec, "Win32StartAddr", r->win32_start_addr);
	field_hex(dec, "TebBase", r->teb_base);
	field_hex(dec, "SubProcessTag", r->sub_process_tag);
	if (r->has_priorities) {
		field_i(dec, "BasePriority", r->base_priority);
		field_u(dec, "PagePriority", r->page_priority);
		field_u(dec, "IoPriority", r->io_priority);
		field_hex(dec, "ThreadFlags", r->thread_flags);
	}
	field_str(dec, "ThreadName", r->thread_name);
	return true;
}
