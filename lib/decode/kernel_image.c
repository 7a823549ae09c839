/* SPDX-License-Identifier: MIT */
/*
 * Image events, versions 2-3 (docs/event-layouts.md#image): Load (hook 0x030A,
 * i.e. Process group opcode 10 — also accepted as Image group opcode 10),
 * Unload 2, DCStart 3, DCEnd 4. v2 and v3 have the same size; v3 split the
 * u32 at 20/28 into SignatureLevel, SignatureType and a reserved u16.
 */
#include "payload.h"

bool
kernel_image_decode(struct payload *p, const struct alpcscope_event *ev, const char **why)
{
	struct alpcscope_decoder *dec = p->dec;
	struct alpcscope_image *r = &dec->out.as.image;
	uint8_t v = ev->version;

	switch (ev->opcode) {
	case 2:
	case 3:
	case 4:
	case 10: break;
	default: return true; /* KernelBase 33, HypercallPage 34, Relocation 32: generic */
	}
	if (v < 2)
		return true; /* XP layout (no checksum/stamp) not supported */

	r->image_base = payload_ptr(p);
	r->image_size = payload_ptr(p);
	r->process_id = payload_u32(p);
	r->image_checksum = payload_u32(p);
	r->time_date_stamp = payload_u32(p);
	if (v >= 3) {
		r->has_signature = true;
		r->signature_level = payload_u8(p);
		r->signature_type = payload_u8(p);
		payload_skip(p, 2);
	} else {
		payload_skip(p, 4);
	}
	r->default_base = payload_ptr(p);
	payload_skip(p, 16); /* Reserved1..4 */
	if (payload_overrun(p)) {
		*why = "payload too short for the fixed fields";
		return false;
	}
	r->file_name = payload_utf16z(p);
	if (payload_overrun(p)) {
		*why = "FileName unterminated";
		return false;
	}

	dec->out.kind = ALPCSCOPE_DECODED_IMAGE;
	field_hex(dec, "ImageBase", r->image_base);
	field_hex(dec, "ImageSize", r->image_size);
	field_u(dec, "ProcessId", r->process_id);
	field_hex(dec, "ImageChecksum", r->image_checksum);
	field_hex(dec, "TimeDateStamp", r->time_date_stamp);
	if (r->has_signature) {
		field_hex(dec, "SignatureLevel", r->signature_level);
		field_u(dec, "SignatureType", r->signature_type);
	}
	field_hex(dec, "DefaultBase", r->default_base);
	field_str(dec, "FileName", r->file_name);
	return true;
}
