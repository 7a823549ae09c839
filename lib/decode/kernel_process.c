/* SPDX-License-Identifier: MIT */
/*
 * Kernel Process events (group 0x03): Start 1, End 2, DCStart 3, DCEnd 4,
 * Defunct 39, versions 2-5 (docs/event-layouts.md#process).
 * Opcode 10 of this group is the image Load and is routed to kernel_image.c.
 */
#include "payload.h"

bool
kernel_process_decode(struct payload *p, const struct alpcscope_event *ev, const char **why)
{
	struct alpcscope_decoder *dec = p->dec;
	struct alpcscope_process *r = &dec->out.as.process;
	uint8_t v = ev->version;

	switch (ev->opcode) {
	case 1:
	case 2:
	case 3:
	case 4:
	case 39: break;
	default: return true; /* Terminate, PerfCtr, ...: generic */
	}
	if (v < 2)
		return true; /* XP-era layouts are not supported: keep the raw bytes */

	r->unique_process_key = payload_ptr(p);
	r->process_id = payload_u32(p);
	r->parent_id = payload_u32(p);
	r->session_id = payload_u32(p);
	r->exit_status = (int32_t)payload_u32(p);
	if (v >= 3) {
		r->has_directory_table_base = true;
		r->directory_table_base = payload_ptr(p);
	}
	if (v >= 4) {
		r->has_flags = true;
		r->flags = payload_u32(p);
	}
	if (payload_overrun(p)) {
		*why = "payload too short for the fixed fields";
		return false;
	}
	r->user_sid = payload_token_user_sid(p);
	if (payload_overrun(p)) {
		*why = "UserSID runs past the payload";
		return false;
	}
	r->image_file_name = payload_ansiz(p);
	r->command_line = payload_utf16z(p);
	if (v >= 4) {
		r->package_full_name = payload_utf16z(p);
		r->application_id = payload_utf16z(p);
	}
	if (payload_overrun(p)) {
		*why = "unterminated string (ImageFileName, CommandLine, PackageFullName or "
		       "ApplicationId)";
		return false;
	}
	/* Only the Defunct class defines ExitTime (MOF v5); other opcodes' tails are ignored. */
	if (ev->opcode == 39 && v >= 5 && payload_left(p) >= 8) {
		r->has_exit_time = true;
		r->exit_time_filetime = payload_u64(p);
	}

	dec->out.kind = ALPCSCOPE_DECODED_PROCESS;
	field_hex(dec, "UniqueProcessKey", r->unique_process_key);
	field_u(dec, "ProcessId", r->process_id);
	field_u(dec, "ParentId", r->parent_id);
	field_u(dec, "SessionId", r->session_id);
	field_hex(dec, "ExitStatus", (uint32_t)r->exit_status);
	if (r->has_directory_table_base)
		field_hex(dec, "DirectoryTableBase", r->directory_table_base);
	if (r->has_flags)
		field_hex(dec, "Flags", r->flags);
	field_sid(dec, "UserSID", r->user_sid);
	field_str(dec, "ImageFileName", r->image_file_name);
	field_str(dec, "CommandLine", r->command_line);
	field_str(dec, "PackageFullName", r->package_full_name);
	field_str(dec, "ApplicationId", r->application_id);
	if (r->has_exit_time)
		field_u(dec, "ExitTime", r->exit_time_filetime);
	return true;
}
