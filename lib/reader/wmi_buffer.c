/* SPDX-License-Identifier: MIT */
/* Decoding of WMI_BUFFER_HEADER (docs/etl-layout.md#buffer-header). */
#include "reader/wmi_buffer.h"

#include "util/bytes.h"

bool
wmi_buffer_decode(const uint8_t *b, size_t avail, uint64_t file_offset, struct wmi_buffer *out)
{
	if (avail < WMIBUF_HEADER_SIZE)
		return false;
	out->file_offset = file_offset;
	out->size = le32_load(b + WMIBUF_OFF_BUFFER_SIZE);
	out->saved_offset = le32_load(b + WMIBUF_OFF_SAVED_OFFSET);
	out->offset = le32_load(b + WMIBUF_OFF_OFFSET);
	out->sequence = le64_load(b + WMIBUF_OFF_SEQUENCE);
	out->flags = le16_load(b + WMIBUF_OFF_FLAG);
	out->type = le16_load(b + WMIBUF_OFF_TYPE);
	out->state = le32_load(b + WMIBUF_OFF_STATE);
	/* Windows 8 widened the processor number to 16 bits and flags it. */
	out->processor = (out->flags & WMIBUF_FLAG_PROC_INDEX) ? le16_load(b + WMIBUF_OFF_PROCESSOR)
							       : b[WMIBUF_OFF_PROCESSOR];
	return out->size >= WMIBUF_HEADER_SIZE && out->size <= WMIBUF_MAX_SIZE;
}
