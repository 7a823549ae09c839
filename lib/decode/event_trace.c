/* SPDX-License-Identifier: MIT */
/*
 * EventTrace group 0 (docs/etl-layout.md#log-file-header,
 * #eventtrace-group): the fixed head of the
 * TRACE_LOGFILE_HEADER (opcode 0; the reader parses the whole header) and the
 * kernel group masks of Extension (5) / EndExtension (32).
 */
#include "payload.h"

static const char *const group_mask_names[8] = {
    "GroupMask1", "GroupMask2", "GroupMask3", "GroupMask4",
    "GroupMask5", "GroupMask6", "GroupMask7", "GroupMask8",
};

enum {
	LOGFILE_HEADER_FIXED_SIZE = 0x38, /* BufferSize .. CpuSpeedInMHz: no pointer fields */
	KERNEL_HEADER_EXTENSION_OLD_SIZE = 0x20, /* u32 GroupMasks[8], before Vista */
};

bool
event_trace_decode(struct payload *p, const struct alpcscope_event *ev, const char **why)
{
	struct alpcscope_decoder *dec = p->dec;
	size_t i;

	if (ev->opcode == 0) {
		struct alpcscope_trace_header *r = &dec->out.as.trace_header;

		if (p->size < LOGFILE_HEADER_FIXED_SIZE) {
			*why = "payload shorter than the log-file header";
			return false;
		}
		r->buffer_size = payload_u32(p);
		r->version = payload_u32(p);
		r->provider_version = payload_u32(p);
		r->number_of_processors = payload_u32(p);
		r->end_time_filetime = (int64_t)payload_u64(p);
		r->timer_resolution = payload_u32(p);
		r->maximum_file_size = payload_u32(p);
		r->log_file_mode = payload_u32(p);
		r->buffers_written = payload_u32(p);
		r->start_buffers = payload_u32(p);
		r->pointer_size = payload_u32(p);
		r->events_lost = payload_u32(p);
		r->cpu_speed_mhz = payload_u32(p);
		dec->out.kind = ALPCSCOPE_DECODED_TRACE_HEADER;
		field_u(dec, "BufferSize", r->buffer_size);
		field_hex(dec, "Version", r->version);
		field_u(dec, "ProviderVersion", r->provider_version);
		field_u(dec, "NumberOfProcessors", r->number_of_processors);
		field_u(dec, "EndTime", (uint64_t)r->end_time_filetime);
		field_u(dec, "TimerResolution", r->timer_resolution);
		field_u(dec, "MaximumFileSize", r->maximum_file_size);
		field_hex(dec, "LogFileMode", r->log_file_mode);
		field_u(dec, "BuffersWritten", r->buffers_written);
		field_u(dec, "StartBuffers", r->start_buffers);
		field_u(dec, "PointerSize", r->pointer_size);
		field_u(dec, "EventsLost", r->events_lost);
		field_u(dec, "CPUSpeed", r->cpu_speed_mhz);
		return true;
	}
	if (ev->opcode == 5 || ev->opcode == 32) {
		struct alpcscope_trace_extension *r = &dec->out.as.trace_extension;

		if (p->size < KERNEL_HEADER_EXTENSION_OLD_SIZE) {
			*why = "payload shorter than the 8 group masks";
			return false;
		}
		for (i = 0; i < 8; i++)
			r->group_masks[i] = payload_u32(p);
		if (payload_left(p) >= 4) {
			r->has_kernel_event_version = true;
			r->kernel_event_version = payload_u32(p);
		}
		dec->out.kind = ALPCSCOPE_DECODED_TRACE_EXTENSION;
		for (i = 0; i < 8; i++)
			field_hex(dec, group_mask_names[i], r->group_masks[i]);
		if (r->has_kernel_event_version)
			field_u(dec, "KernelEventVersion", r->kernel_event_version);
		return true;
	}
	return true;
}
