/* SPDX-License-Identifier: MIT */
/*
 * Record header kinds (docs/etl-layout.md#record-kinds). The first dword tells the
 * kind: flags byte 0xC0 plus a HeaderType, or 0x90 for WPP messages. Sizes
 * live at +4 for SYSTEM/COMPACT/PERFINFO and at +0 for the others.
 */
#include "reader/record.h"

#include <string.h>

#include "reader/kernel_groups.h"
#include "util/bytes.h"

enum {
	HT_SYSTEM32 = 0x01,
	HT_SYSTEM64 = 0x02,
	HT_COMPACT32 = 0x03,
	HT_COMPACT64 = 0x04,
	HT_FULL32 = 0x0A,
	HT_INSTANCE32 = 0x0B,
	HT_FULL64 = 0x14,
	HT_INSTANCE64 = 0x15,
	HT_PERFINFO32 = 0x10,
	HT_PERFINFO64 = 0x11,
	HT_EVENT_HEADER32 = 0x12,
	HT_EVENT_HEADER64 = 0x13,
};

enum {
	SYSTEM_HEADER_SIZE = 0x20,
	COMPACT_HEADER_SIZE = 0x18,
	PERFINFO_HEADER_SIZE = 0x10,
	FULL_HEADER_SIZE = 0x30,
	INSTANCE_HEADER_SIZE = 0x48,
	EVENT_HEADER_SIZE = 0x50,
	WPP_HEADER_SIZE = 0x08,
	EXT_ITEM_HEADER_SIZE = 0x08,
};

/* Image loads are logged as Process hook 0x030A but presented under the Image GUID. */
#define HOOK_PROCESS_LOAD_IMAGE 0x030A
#define GROUP_IMAGE             0x14

static void
load_guid(struct alpcscope_guid *g, const uint8_t *p)
{
	g->data1 = le32_load(p);
	g->data2 = le16_load(p + 4);
	g->data3 = le16_load(p + 6);
	memcpy(g->data4, p + 8, 8);
}

static void
reset_event(struct alpcscope_event *ev)
{
	ev->is_kernel = false;
	ev->has_provider = false;
	ev->has_timestamp = true;
	ev->group = 0;
	ev->opcode = 0;
	ev->version = 0;
	ev->level = 0;
	ev->channel = 0;
	ev->event_id = 0;
	ev->task = 0;
	ev->hook_id = 0;
	ev->header_flags = 0;
	ev->event_property = 0;
	ev->keywords = 0;
	memset(&ev->activity_id, 0, sizeof(ev->activity_id));
	ev->thread_id = ALPCSCOPE_ID_UNKNOWN;
	ev->process_id = ALPCSCOPE_ID_UNKNOWN;
	ev->kernel_time = 0;
	ev->user_time = 0;
	ev->ext_count = 0;
}

static void
set_kernel_identity(struct alpcscope_event *ev, const uint8_t *r)
{
	const struct alpcscope_guid *g;

	ev->is_kernel = true;
	ev->opcode = r[6];
	ev->group = r[7];
	ev->hook_id = le16_load(r + 6);
	g = kernel_group_guid(ev->hook_id == HOOK_PROCESS_LOAD_IMAGE ? GROUP_IMAGE : ev->group);
	if (g) {
		ev->provider = *g;
		ev->has_provider = true;
	} else {
		memset(&ev->provider, 0, sizeof(ev->provider));
	}
}

/* Walk the EVENT_HEADER extended items: 8-byte item headers, data inline, 8-aligned. */
static enum record_result
parse_ext_items(const uint8_t *r, size_t size, struct alpcscope_event *ev, size_t *user_start)
{
	size_t p = EVENT_HEADER_SIZE;

	for (;;) {
		if (size - p < EXT_ITEM_HEADER_SIZE) {
			*user_start = size;
			return RECORD_EXT_DAMAGED;
		}
		uint16_t type = le16_load(r + p + 2);
		uint16_t linkage = le16_load(r + p + 4);
		uint16_t data_size = le16_load(r + p + 6);
		size_t stride = EXT_ITEM_HEADER_SIZE + (size_t)align8(data_size);

		if (data_size > size - p - EXT_ITEM_HEADER_SIZE) {
			*user_start = size;
			return RECORD_EXT_DAMAGED;
		}
		if (ev->ext_count < ALPCSCOPE_MAX_EXT_ITEMS) {
			struct alpcscope_ext_item *it = &ev->ext[ev->ext_count];

			it->type = type;
			it->size = data_size;
			it->data = r + p + EXT_ITEM_HEADER_SIZE;
		}
		ev->ext_count++;
		if (stride > size - p) {
			*user_start = size;
			return (linkage & 1) ? RECORD_EXT_DAMAGED : RECORD_OK;
		}
		p += stride;
		if (!(linkage & 1))
			break;
	}
	*user_start = p;
	return RECORD_OK;
}

enum record_result
record_parse(const uint8_t *buf, size_t pos, size_t end, struct alpcscope_event *ev,
	     size_t *size_out, const char **why)
{
	const uint8_t *r = buf + pos;
	size_t avail = end - pos;
	size_t size, header_size;
	enum record_result result = RECORD_OK;

	if (avail < 4) {
		*why = "record header truncated";
		return RECORD_BAD;
	}
	uint32_t marker = le32_load(r);
	if (marker == 0xFFFFFFFFu)
		return RECORD_FILL;
	if (avail < 8) {
		*why = "record header truncated";
		return RECORD_BAD;
	}
	reset_event(ev);
	uint8_t flags = (uint8_t)(marker >> 24);
	uint8_t header_type = (uint8_t)(marker >> 16);

	ev->raw = r;
	if (flags == 0x90) {
		/* WPP message: optional items in a fixed order, each by OptionFlags bit. */
		size = le16_load(r);
		if (size < WPP_HEADER_SIZE || size > avail) {
			*why = "WPP message size out of bounds";
			return RECORD_BAD;
		}
		struct cursor c = cursor_make(r + WPP_HEADER_SIZE, size - WPP_HEADER_SIZE);
		uint16_t options = le16_load(r + 6);

		ev->kind = ALPCSCOPE_RECORD_WPP_MESSAGE;
		ev->event_id = le16_load(r + 4);
		ev->header_flags = options;
		ev->pointer_size = (options & 0x0040) ? 4 : 8;
		if (options & 0x0001)
			cursor_skip(&c, 4);
		if (options & 0x0004) {
			cursor_skip(&c, 4);
		} else if (options & 0x0002) {
			const uint8_t *g = cursor_take(&c, 16);

			if (g) {
				load_guid(&ev->provider, g);
				ev->has_provider = true;
			}
		}
		ev->has_timestamp = false;
		if (options & (0x0008 | 0x0010)) {
			uint64_t t = cursor_u64(&c);

			if (options & 0x0008) {
				ev->timestamp_ticks = (int64_t)t;
				ev->has_timestamp = true;
			}
		}
		if (options & 0x0020) {
			ev->thread_id = cursor_u32(&c);
			ev->process_id = cursor_u32(&c);
		}
		if (c.overrun) {
			*why = "WPP message items exceed its size";
			return RECORD_BAD;
		}
		ev->payload = c.pos;
		ev->payload_size = cursor_left(&c);
		ev->raw_size = size;
		*size_out = (size_t)align8(size);
		return RECORD_OK;
	}
	if (flags != 0xC0) {
		/* Legacy WNODE blocks and the obsolete 0xB0 form: skip by their size. */
		size = (flags & 0x80) ? (marker & 0xFFFF) : marker;
		if ((flags == 0xB0 || !(flags & 0x80)) && size >= 8 && size <= avail) {
			ev->kind = ALPCSCOPE_RECORD_OPAQUE;
			ev->pointer_size = 8;
			ev->payload = r;
			ev->payload_size = size;
			ev->raw_size = size;
			ev->has_timestamp = false;
			*size_out = (size_t)align8(size);
			return RECORD_OK;
		}
		*why = "unknown record marker";
		return RECORD_BAD;
	}

	switch (header_type) {
	case HT_SYSTEM32:
	case HT_SYSTEM64:
	case HT_COMPACT32:
	case HT_COMPACT64: {
		bool compact = header_type == HT_COMPACT32 || header_type == HT_COMPACT64;

		header_size = compact ? COMPACT_HEADER_SIZE : SYSTEM_HEADER_SIZE;
		size = le16_load(r + 4);
		if (size < header_size || size > avail) {
			*why = "system record size out of bounds";
			return RECORD_BAD;
		}
		ev->kind = header_type == HT_SYSTEM32    ? ALPCSCOPE_RECORD_SYSTEM32
			   : header_type == HT_SYSTEM64  ? ALPCSCOPE_RECORD_SYSTEM64
			   : header_type == HT_COMPACT32 ? ALPCSCOPE_RECORD_COMPACT32
							 : ALPCSCOPE_RECORD_COMPACT64;
		ev->pointer_size =
		    (header_type == HT_SYSTEM32 || header_type == HT_COMPACT32) ? 4 : 8;
		ev->version = r[0];
		set_kernel_identity(ev, r);
		ev->thread_id = le32_load(r + 8);
		ev->process_id = le32_load(r + 12);
		ev->timestamp_ticks = (int64_t)le64_load(r + 16);
		if (!compact) {
			ev->kernel_time = le32_load(r + 24);
			ev->user_time = le32_load(r + 28);
		}
		break;
	}
	case HT_PERFINFO32:
	case HT_PERFINFO64: {
		uint16_t version_word = le16_load(r);
		size_t pmc = (version_word >> 8) & 7;
		bool pebs = (version_word & 0x8000) != 0;

		header_size = PERFINFO_HEADER_SIZE + 8 * (pmc + (pebs ? 1 : 0));
		size = le16_load(r + 4);
		if (size < header_size || size > avail) {
			*why = "perfinfo record size out of bounds";
			return RECORD_BAD;
		}
		ev->kind = header_type == HT_PERFINFO32 ? ALPCSCOPE_RECORD_PERFINFO32
							: ALPCSCOPE_RECORD_PERFINFO64;
		ev->pointer_size = header_type == HT_PERFINFO32 ? 4 : 8;
		ev->version = (uint8_t)version_word;
		set_kernel_identity(ev, r);
		ev->timestamp_ticks = (int64_t)le64_load(r + 8);
		break;
	}
	case HT_FULL32:
	case HT_FULL64:
	case HT_INSTANCE32:
	case HT_INSTANCE64: {
		bool instance = header_type == HT_INSTANCE32 || header_type == HT_INSTANCE64;

		header_size = instance ? INSTANCE_HEADER_SIZE : FULL_HEADER_SIZE;
		size = le16_load(r);
		if (size < header_size || size > avail) {
			*why = "classic record size out of bounds";
			return RECORD_BAD;
		}
		ev->kind = header_type == HT_FULL32       ? ALPCSCOPE_RECORD_FULL32
			   : header_type == HT_FULL64     ? ALPCSCOPE_RECORD_FULL64
			   : header_type == HT_INSTANCE32 ? ALPCSCOPE_RECORD_INSTANCE32
							  : ALPCSCOPE_RECORD_INSTANCE64;
		ev->pointer_size =
		    (header_type == HT_FULL32 || header_type == HT_INSTANCE32) ? 4 : 8;
		ev->opcode = r[4];
		ev->level = r[5];
		ev->version = (uint8_t)le16_load(r + 6);
		ev->thread_id = le32_load(r + 8);
		ev->process_id = le32_load(r + 12);
		ev->timestamp_ticks = (int64_t)le64_load(r + 16);
		load_guid(&ev->provider, r + 24);
		ev->has_provider = true;
		ev->kernel_time = le32_load(r + 40);
		ev->user_time = le32_load(r + 44);
		break;
	}
	case HT_EVENT_HEADER32:
	case HT_EVENT_HEADER64: {
		size_t user_start = EVENT_HEADER_SIZE;

		size = le16_load(r);
		if (size < EVENT_HEADER_SIZE || size > avail) {
			*why = "EVENT_HEADER record size out of bounds";
			return RECORD_BAD;
		}
		ev->kind = header_type == HT_EVENT_HEADER32 ? ALPCSCOPE_RECORD_EVENT_HEADER32
							    : ALPCSCOPE_RECORD_EVENT_HEADER64;
		ev->pointer_size = header_type == HT_EVENT_HEADER32 ? 4 : 8;
		ev->header_flags = le16_load(r + 4);
		ev->event_property = le16_load(r + 6);
		ev->thread_id = le32_load(r + 8);
		ev->process_id = le32_load(r + 12);
		ev->timestamp_ticks = (int64_t)le64_load(r + 16);
		load_guid(&ev->provider, r + 24);
		ev->has_provider = true;
		ev->event_id = le16_load(r + 40);
		ev->version = r[42];
		ev->channel = r[43];
		ev->level = r[44];
		ev->opcode = r[45];
		ev->task = le16_load(r + 46);
		ev->keywords = le64_load(r + 48);
		ev->kernel_time = le32_load(r + 56);
		ev->user_time = le32_load(r + 60);
		load_guid(&ev->activity_id, r + 64);
		if (ev->header_flags & 0x0001)
			result = parse_ext_items(r, size, ev, &user_start);
		header_size = user_start;
		break;
	}
	default:
		/* TIMED, ERROR, WNODE and unknown types: skip by the low-16-bit size if sane. */
		size = marker & 0xFFFF;
		if (size >= 8 && size <= avail) {
			ev->kind = ALPCSCOPE_RECORD_OPAQUE;
			ev->pointer_size = 8;
			ev->has_timestamp = false;
			ev->payload = r;
			ev->payload_size = size;
			ev->raw_size = size;
			*size_out = (size_t)align8(size);
			return RECORD_OK;
		}
		*why = "unknown header type with implausible size";
		return RECORD_BAD;
	}
	if (!ev->is_kernel) {
		/* Merge tools also write kernel events with a classic header carrying the
		 * group's GUID: present them like hook-id framed ones (group + opcode). */
		uint8_t group;

		if (kernel_group_from_guid(&ev->provider, &group)) {
			ev->is_kernel = true;
			ev->group = group;
			ev->hook_id = (uint16_t)(group << 8 | ev->opcode);
		}
	}
	ev->payload = r + header_size;
	ev->payload_size = size - header_size;
	ev->raw_size = size;
	*size_out = (size_t)align8(size);
	return result;
}
