/* SPDX-License-Identifier: MIT */
/*
 * KernelTraceControl ImageID/DbgID records merged in by xperf/WPR (task GUID
 * b3e675d7-2554-4f18-830b-2762732560de, docs/event-layouts.md#imageid): ImageID
 * opcode 0, DbgID_RSDS opcode 36 and DbgID_ILRSDS opcode 37. The sources
 * disagree on the ILRSDS string offset; the samples
 * (perfview__net.4.5.2.*) settle it: the same layout as RSDS, PdbFileName at
 * P+24. The other opcodes (PPDB 38, Determ 40, FileVersion 64, ...) stay
 * generic.
 */
#include "payload.h"

static const char *
ktc_name(uint8_t opcode)
{
	switch (opcode) {
	case 0: return "KernelTraceControl/ImageID";
	case 32: return "KernelTraceControl/None";
	case 36: return "KernelTraceControl/DbgID_RSDS";
	case 37: return "KernelTraceControl/DbgID_ILRSDS";
	case 38: return "KernelTraceControl/DbgPPDB";
	case 40: return "KernelTraceControl/DbgDeterm";
	case 64: return "KernelTraceControl/FileVersion";
	default: return "KernelTraceControl";
	}
}

bool
kernel_trace_control_decode(struct payload *p, const struct alpcscope_event *ev, const char **why)
{
	struct alpcscope_decoder *dec = p->dec;

	dec->out.name = ktc_name(ev->opcode);
	if (ev->opcode == 0) {
		struct alpcscope_image_id *r = &dec->out.as.image_id;

		r->image_base = payload_ptr(p);
		r->image_size = payload_ptr(p);
		r->process_id = payload_u32(p);
		r->time_date_stamp = payload_u32(p);
		if (payload_overrun(p)) {
			*why = "payload too short for the fixed fields";
			return false;
		}
		r->original_file_name = payload_utf16z(p);
		if (payload_overrun(p)) {
			*why = "OriginalFileName unterminated";
			return false;
		}
		dec->out.kind = ALPCSCOPE_DECODED_IMAGE_ID;
		field_hex(dec, "ImageBase", r->image_base);
		field_hex(dec, "ImageSize", r->image_size);
		field_u(dec, "ProcessId", r->process_id);
		field_hex(dec, "TimeDateStamp", r->time_date_stamp);
		field_str(dec, "OriginalFileName", r->original_file_name);
		return true;
	}
	if (ev->opcode == 36 || ev->opcode == 37) {
		struct alpcscope_dbg_id *r = &dec->out.as.dbg_id;

		r->image_base = payload_ptr(p);
		r->process_id = payload_u32(p);
		payload_guid(p, &r->guid_sig);
		r->age = payload_u32(p);
		if (payload_overrun(p)) {
			*why = "payload too short for the fixed fields";
			return false;
		}
		r->pdb_file_name = payload_ansiz(p);
		if (payload_overrun(p)) {
			*why = "PdbFileName unterminated";
			return false;
		}
		dec->out.kind = ALPCSCOPE_DECODED_DBG_ID;
		field_hex(dec, "ImageBase", r->image_base);
		field_u(dec, "ProcessId", r->process_id);
		field_guid(dec, "GuidSig", &r->guid_sig);
		field_u(dec, "Age", r->age);
		field_str(dec, "PdbFileName", r->pdb_file_name);
		return true;
	}
	return true;
}
