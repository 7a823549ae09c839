/* SPDX-License-Identifier: MIT */
/*
 * StackWalk events (group 0x18, docs/event-layouts.md#stackwalk): Stack 32 (frames of
 * one event), stack-caching key definitions 34/35/36 (key + frames) and key
 * references 37 (kernel) / 38 (user). Frame counts come from the payload
 * length only; addresses are the record's pointer width.
 */
#include "payload.h"

bool
stackwalk_decode(struct payload *p, const struct alpcscope_event *ev, const char **why)
{
	struct alpcscope_decoder *dec = p->dec;

	switch (ev->opcode) {
	case 32: {
		struct alpcscope_stack_walk *r = &dec->out.as.stack_walk;

		r->event_timestamp_ticks = (int64_t)payload_u64(p);
		r->stack_process = payload_u32(p);
		r->stack_thread = payload_u32(p);
		if (payload_overrun(p)) {
			*why = "payload shorter than the 16-byte stack header";
			return false;
		}
		r->frames = payload_ptr_array(p, &r->frame_count);
		if (payload_overrun(p))
			return false;
		dec->out.kind = ALPCSCOPE_DECODED_STACK_WALK;
		field_u(dec, "EventTimeStamp", (uint64_t)r->event_timestamp_ticks);
		field_u(dec, "StackProcess", r->stack_process);
		field_u(dec, "StackThread", r->stack_thread);
		field_addresses(dec, "Stack", r->frames, r->frame_count);
		return true;
	}
	case 34:
	case 35:
	case 36: {
		struct alpcscope_stack_key *r = &dec->out.as.stack_key;

		r->stack_key = payload_ptr(p);
		if (payload_overrun(p)) {
			*why = "payload shorter than StackKey";
			return false;
		}
		r->frames = payload_ptr_array(p, &r->frame_count);
		if (payload_overrun(p))
			return false;
		dec->out.kind = ALPCSCOPE_DECODED_STACK_KEY;
		field_hex(dec, "StackKey", r->stack_key);
		field_addresses(dec, "Stack", r->frames, r->frame_count);
		return true;
	}
	case 37:
	case 38: {
		struct alpcscope_stack_key_ref *r = &dec->out.as.stack_key_ref;

		r->event_timestamp_ticks = (int64_t)payload_u64(p);
		r->stack_process = payload_u32(p);
		r->stack_thread = payload_u32(p);
		r->stack_key = payload_ptr(p);
		r->is_user = ev->opcode == 38;
		if (payload_overrun(p)) {
			*why = "payload too short for a stack key reference";
			return false;
		}
		dec->out.kind = ALPCSCOPE_DECODED_STACK_KEY_REF;
		field_u(dec, "EventTimeStamp", (uint64_t)r->event_timestamp_ticks);
		field_u(dec, "StackProcess", r->stack_process);
		field_u(dec, "StackThread", r->stack_thread);
		field_hex(dec, "StackKey", r->stack_key);
		return true;
	}
	default: return true;
	}
}
