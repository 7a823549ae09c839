/* SPDX-License-Identifier: MIT */
/*
 * Record header kinds (docs/etl-layout.md#record-kinds). The first dword
 * tells the kind: flags byte 0xC0 plus a HeaderType, or 0x90 for WPP
 * messages. One parse_<kind>() per header layout below, each reading its
 * fields at the named offsets; record_parse() dispatches and fills the
 * payload bounds common to all.
 */
#include "reader/record.h"

#include <string.h>

#include "reader/kernel_groups.h"
#include "util/bytes.h"

/* ---- the first dword ("marker"): flags byte, HeaderType, low 16 bits ---- */

#define MARKER_FILL 0xFFFFFFFFu /* 0xFF fill after the last record */

enum {
	MARKER_FLAG_TRACE_HEADER = 0x80,  /* clear: a legacy WNODE block sized by the dword */
	MARKER_FLAGS_EVENT_TRACE = 0xC0,  /* trace header + event trace: HeaderType decides */
	MARKER_FLAGS_ULONG32_TIME = 0xB0, /* obsolete compact form: skipped by its size */
	MARKER_FLAGS_MESSAGE = 0x90,      /* trace header + message: WPP */
};

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

/* Smallest record skipped as opaque: one marker dword plus one more. */
#define OPAQUE_MIN_SIZE 8

/* ---- SYSTEM_TRACE_HEADER and its compact form (docs/etl-layout.md#system-header) ---- */
enum {
	SYS_OFF_VERSION = 0x00,     /* u16; the low byte is the event version */
	SYS_OFF_SIZE = 0x04,        /* u16: record size, header included */
	SYS_OFF_HOOK_ID = 0x06,     /* u16: group << 8 | type */
	SYS_OFF_TYPE = 0x06,        /* u8: the opcode */
	SYS_OFF_GROUP = 0x07,       /* u8 */
	SYS_OFF_THREAD_ID = 0x08,   /* u32 */
	SYS_OFF_PROCESS_ID = 0x0C,  /* u32 */
	SYS_OFF_TIMESTAMP = 0x10,   /* i64: raw clock */
	SYS_OFF_KERNEL_TIME = 0x18, /* u32: full form only */
	SYS_OFF_USER_TIME = 0x1C,   /* u32: full form only */
	SYSTEM_HEADER_SIZE = 0x20,
	COMPACT_HEADER_SIZE = 0x18,
};
_Static_assert(SYS_OFF_USER_TIME + 4 == SYSTEM_HEADER_SIZE, "SYSTEM_TRACE_HEADER is 0x20 bytes");
_Static_assert(COMPACT_HEADER_SIZE == SYS_OFF_KERNEL_TIME,
	       "the compact form stops before the CPU times");

/* ---- PERFINFO_TRACE_HEADER (docs/etl-layout.md#perfinfo-header) ---- */
enum {
	PERF_OFF_VERSION_WORD = 0x00, /* u16: version, PMC count, PEBS flag */
	PERF_OFF_SIZE = 0x04,         /* u16 */
	PERF_OFF_HOOK_ID = 0x06,      /* u16, as in the system header */
	PERF_OFF_TIMESTAMP = 0x08,    /* i64 */
	PERFINFO_HEADER_SIZE = 0x10,  /* then the PEBS index and PMC counters, u64 each */
	PERF_EXTENSION_ITEM_SIZE = 8,
};
_Static_assert(PERF_OFF_TIMESTAMP + 8 == PERFINFO_HEADER_SIZE,
	       "PERFINFO_TRACE_HEADER is 0x10 bytes");
_Static_assert((int)PERF_OFF_HOOK_ID == (int)SYS_OFF_HOOK_ID, "kernel identity at the same place");
#define PERF_VERSION_PMC_MASK  0x0700u /* number of PMC counters */
#define PERF_VERSION_PMC_SHIFT 8
#define PERF_VERSION_PEBS      0x8000u /* a PEBS index precedes the counters */

/* ---- EVENT_TRACE_HEADER (FULL) and EVENT_INSTANCE_GUID_HEADER (docs/etl-layout.md#classic-header)
 * ---- */
enum {
	FULL_OFF_SIZE = 0x00,        /* u16 */
	FULL_OFF_TYPE = 0x04,        /* u8: the opcode */
	FULL_OFF_LEVEL = 0x05,       /* u8 */
	FULL_OFF_VERSION = 0x06,     /* u16 */
	FULL_OFF_THREAD_ID = 0x08,   /* u32 */
	FULL_OFF_PROCESS_ID = 0x0C,  /* u32 */
	FULL_OFF_TIMESTAMP = 0x10,   /* i64 */
	FULL_OFF_GUID = 0x18,        /* GUID: event class */
	FULL_OFF_KERNEL_TIME = 0x28, /* u32 */
	FULL_OFF_USER_TIME = 0x2C,   /* u32 */
	FULL_HEADER_SIZE = 0x30,
	INSTANCE_OFF_INSTANCE_ID = 0x30, /* u32, then u32 parent instance id, GUID parent */
	INSTANCE_HEADER_SIZE = 0x48,
};
_Static_assert(FULL_OFF_USER_TIME + 4 == FULL_HEADER_SIZE, "EVENT_TRACE_HEADER is 0x30 bytes");
_Static_assert(INSTANCE_OFF_INSTANCE_ID + 4 + 4 + 16 == INSTANCE_HEADER_SIZE,
	       "EVENT_INSTANCE_GUID_HEADER is 0x48 bytes");

/* ---- EVENT_HEADER (docs/etl-layout.md#event-header) ---- */
enum {
	EH_OFF_SIZE = 0x00,           /* u16 */
	EH_OFF_FLAGS = 0x04,          /* u16 */
	EH_OFF_EVENT_PROPERTY = 0x06, /* u16 */
	EH_OFF_THREAD_ID = 0x08,      /* u32 */
	EH_OFF_PROCESS_ID = 0x0C,     /* u32 */
	EH_OFF_TIMESTAMP = 0x10,      /* i64 */
	EH_OFF_PROVIDER = 0x18,       /* GUID */
	EH_OFF_EVENT_ID = 0x28,       /* u16: EVENT_DESCRIPTOR from here */
	EH_OFF_VERSION = 0x2A,        /* u8 */
	EH_OFF_CHANNEL = 0x2B,        /* u8 */
	EH_OFF_LEVEL = 0x2C,          /* u8 */
	EH_OFF_OPCODE = 0x2D,         /* u8 */
	EH_OFF_TASK = 0x2E,           /* u16 */
	EH_OFF_KEYWORDS = 0x30,       /* u64 */
	EH_OFF_KERNEL_TIME = 0x38,    /* u32 */
	EH_OFF_USER_TIME = 0x3C,      /* u32 */
	EH_OFF_ACTIVITY_ID = 0x40,    /* GUID */
	EVENT_HEADER_SIZE = 0x50,     /* then extended items, then user data */
};
_Static_assert(EH_OFF_ACTIVITY_ID + 16 == EVENT_HEADER_SIZE, "EVENT_HEADER is 0x50 bytes");
_Static_assert(EH_OFF_KEYWORDS + 8 == EH_OFF_KERNEL_TIME, "EVENT_DESCRIPTOR is 16 bytes");
#define EH_FLAG_EXTENDED_INFO 0x0001u /* extended items follow the header */

/* Extended item header (docs/etl-layout.md#extended-items); data inline, items 8-aligned. */
enum {
	EXT_OFF_TYPE = 0x02,      /* u16 ExtType */
	EXT_OFF_LINKAGE = 0x04,   /* u16: bit 0 set = another item follows */
	EXT_OFF_DATA_SIZE = 0x06, /* u16 */
	EXT_ITEM_HEADER_SIZE = 0x08,
};
_Static_assert(EXT_OFF_DATA_SIZE + 2 == EXT_ITEM_HEADER_SIZE, "extended item header is 8 bytes");
#define EXT_LINKAGE_MORE 0x0001u

/* ---- MESSAGE_TRACE_HEADER, WPP (docs/etl-layout.md#wpp-message-header) ---- */
enum {
	WPP_OFF_SIZE = 0x00,           /* u16 */
	WPP_OFF_MESSAGE_NUMBER = 0x04, /* u16 */
	WPP_OFF_OPTIONS = 0x06,        /* u16: TRACE_MESSAGE_* below */
	WPP_HEADER_SIZE = 0x08,        /* then the optional items, unaligned */
};
_Static_assert(WPP_OFF_OPTIONS + 2 == WPP_HEADER_SIZE, "MESSAGE_TRACE_HEADER is 8 bytes");
enum {
	WPP_SEQUENCE = 0x0001,              /* u32 sequence number */
	WPP_GUID = 0x0002,                  /* 16-byte GUID (unless COMPONENTID) */
	WPP_COMPONENTID = 0x0004,           /* u32 component id */
	WPP_TIMESTAMP = 0x0008,             /* u64 time stamp, filled */
	WPP_PERFORMANCE_TIMESTAMP = 0x0010, /* u64 slot reserved, not filled */
	WPP_SYSTEMINFO = 0x0020,            /* u32 thread id, u32 process id */
	WPP_POINTER32 = 0x0040,             /* arguments logged by 32-bit code */
};

/* Image loads are logged as Process hook 0x030A but presented under the Image GUID. */
#define HOOK_PROCESS_LOAD_IMAGE 0x030A
#define GROUP_IMAGE             0x14

/* Where a parsed record's payload lies: [header_size, size) of the record. */
struct record_span {
	size_t size;
	size_t header_size;
};

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

/* Group, opcode and hook id from a SYSTEM/COMPACT/PERFINFO header; the group's GUID. */
static void
set_kernel_identity(struct alpcscope_event *ev, const uint8_t *r)
{
	const struct alpcscope_guid *g;

	ev->is_kernel = true;
	ev->opcode = r[SYS_OFF_TYPE];
	ev->group = r[SYS_OFF_GROUP];
	ev->hook_id = le16_load(r + SYS_OFF_HOOK_ID);
	g = kernel_group_guid(ev->hook_id == HOOK_PROCESS_LOAD_IMAGE ? GROUP_IMAGE : ev->group);
	if (g) {
		ev->provider = *g;
		ev->has_provider = true;
	} else {
		memset(&ev->provider, 0, sizeof(ev->provider));
	}
}

/* The payload bounds shared by every kind; *size_out steps to the next record. */
static enum record_result
finish(struct alpcscope_event *ev, const uint8_t *r, struct record_span s, size_t *size_out,
       enum record_result result)
{
	ev->payload = r + s.header_size;
	ev->payload_size = s.size - s.header_size;
	ev->raw_size = s.size;
	*size_out = (size_t)align8(s.size);
	return result;
}

/* A record kept whole with no header fields: legacy WNODE blocks, obsolete and unknown forms. */
static enum record_result
parse_opaque(const uint8_t *r, size_t size, struct alpcscope_event *ev, size_t *size_out)
{
	ev->kind = ALPCSCOPE_RECORD_OPAQUE;
	ev->pointer_size = 8;
	ev->has_timestamp = false;
	return finish(ev, r, (struct record_span){size, 0}, size_out, RECORD_OK);
}

/* WPP message: optional items in a fixed order, each present by an option bit. */
static enum record_result
parse_wpp(const uint8_t *r, size_t avail, struct alpcscope_event *ev, size_t *size_out,
	  const char **why)
{
	size_t size = le16_load(r + WPP_OFF_SIZE);

	if (size < WPP_HEADER_SIZE || size > avail) {
		*why = "WPP message size out of bounds";
		return RECORD_BAD;
	}
	struct cursor c = cursor_make(r + WPP_HEADER_SIZE, size - WPP_HEADER_SIZE);
	uint16_t options = le16_load(r + WPP_OFF_OPTIONS);

	ev->kind = ALPCSCOPE_RECORD_WPP_MESSAGE;
	ev->event_id = le16_load(r + WPP_OFF_MESSAGE_NUMBER);
	ev->header_flags = options;
	ev->pointer_size = (options & WPP_POINTER32) ? 4 : 8;
	if (options & WPP_SEQUENCE)
		cursor_skip(&c, 4);
	if (options & WPP_COMPONENTID) {
		cursor_skip(&c, 4);
	} else if (options & WPP_GUID) {
		const uint8_t *g = cursor_take(&c, 16);

		if (g) {
			load_guid(&ev->provider, g);
			ev->has_provider = true;
		}
	}
	ev->has_timestamp = false;
	if (options & (WPP_TIMESTAMP | WPP_PERFORMANCE_TIMESTAMP)) {
		uint64_t t = cursor_u64(&c);

		if (options & WPP_TIMESTAMP) {
			ev->timestamp_ticks = (int64_t)t;
			ev->has_timestamp = true;
		}
	}
	if (options & WPP_SYSTEMINFO) {
		ev->thread_id = cursor_u32(&c);
		ev->process_id = cursor_u32(&c);
	}
	if (c.overrun) {
		*why = "WPP message items exceed its size";
		return RECORD_BAD;
	}
	return finish(ev, r, (struct record_span){size, (size_t)(c.pos - r)}, size_out, RECORD_OK);
}

static enum record_result
parse_system(const uint8_t *r, size_t avail, uint8_t header_type, struct alpcscope_event *ev,
	     struct record_span *s, const char **why)
{
	bool compact = header_type == HT_COMPACT32 || header_type == HT_COMPACT64;

	s->header_size = compact ? COMPACT_HEADER_SIZE : SYSTEM_HEADER_SIZE;
	s->size = le16_load(r + SYS_OFF_SIZE);
	if (s->size < s->header_size || s->size > avail) {
		*why = "system record size out of bounds";
		return RECORD_BAD;
	}
	/* Indexed by header_type - HT_SYSTEM32 (SYSTEM32, SYSTEM64, COMPACT32, COMPACT64). */
	static const uint8_t kinds[4] = {ALPCSCOPE_RECORD_SYSTEM32, ALPCSCOPE_RECORD_SYSTEM64,
					 ALPCSCOPE_RECORD_COMPACT32, ALPCSCOPE_RECORD_COMPACT64};

	ev->kind = kinds[header_type - HT_SYSTEM32];
	ev->pointer_size = (header_type & 1) ? 4 : 8; /* the 32-bit forms are odd */
	ev->version = r[SYS_OFF_VERSION];
	set_kernel_identity(ev, r);
	ev->thread_id = le32_load(r + SYS_OFF_THREAD_ID);
	ev->process_id = le32_load(r + SYS_OFF_PROCESS_ID);
	ev->timestamp_ticks = (int64_t)le64_load(r + SYS_OFF_TIMESTAMP);
	if (!compact) {
		ev->kernel_time = le32_load(r + SYS_OFF_KERNEL_TIME);
		ev->user_time = le32_load(r + SYS_OFF_USER_TIME);
	}
	return RECORD_OK;
}

/* No thread or process id in this header: they stay unknown. */
static enum record_result
parse_perfinfo(const uint8_t *r, size_t avail, uint8_t header_type, struct alpcscope_event *ev,
	       struct record_span *s, const char **why)
{
	uint16_t version_word = le16_load(r + PERF_OFF_VERSION_WORD);
	size_t pmc = (version_word & PERF_VERSION_PMC_MASK) >> PERF_VERSION_PMC_SHIFT;
	bool pebs = (version_word & PERF_VERSION_PEBS) != 0;

	s->header_size = PERFINFO_HEADER_SIZE + PERF_EXTENSION_ITEM_SIZE * (pmc + (pebs ? 1 : 0));
	s->size = le16_load(r + PERF_OFF_SIZE);
	if (s->size < s->header_size || s->size > avail) {
		*why = "perfinfo record size out of bounds";
		return RECORD_BAD;
	}
	ev->kind = header_type == HT_PERFINFO32 ? ALPCSCOPE_RECORD_PERFINFO32
						: ALPCSCOPE_RECORD_PERFINFO64;
	ev->pointer_size = header_type == HT_PERFINFO32 ? 4 : 8;
	ev->version = (uint8_t)version_word;
	set_kernel_identity(ev, r);
	ev->timestamp_ticks = (int64_t)le64_load(r + PERF_OFF_TIMESTAMP);
	return RECORD_OK;
}

/* FULL and INSTANCE share the first 0x30 bytes; the instance ids are not kept. */
static enum record_result
parse_classic(const uint8_t *r, size_t avail, uint8_t header_type, struct alpcscope_event *ev,
	      struct record_span *s, const char **why)
{
	bool instance = header_type == HT_INSTANCE32 || header_type == HT_INSTANCE64;

	s->header_size = instance ? INSTANCE_HEADER_SIZE : FULL_HEADER_SIZE;
	s->size = le16_load(r + FULL_OFF_SIZE);
	if (s->size < s->header_size || s->size > avail) {
		*why = "classic record size out of bounds";
		return RECORD_BAD;
	}
	ev->kind = header_type == HT_FULL32       ? ALPCSCOPE_RECORD_FULL32
		   : header_type == HT_FULL64     ? ALPCSCOPE_RECORD_FULL64
		   : header_type == HT_INSTANCE32 ? ALPCSCOPE_RECORD_INSTANCE32
						  : ALPCSCOPE_RECORD_INSTANCE64;
	ev->pointer_size = (header_type == HT_FULL32 || header_type == HT_INSTANCE32) ? 4 : 8;
	ev->opcode = r[FULL_OFF_TYPE];
	ev->level = r[FULL_OFF_LEVEL];
	ev->version = (uint8_t)le16_load(r + FULL_OFF_VERSION);
	ev->thread_id = le32_load(r + FULL_OFF_THREAD_ID);
	ev->process_id = le32_load(r + FULL_OFF_PROCESS_ID);
	ev->timestamp_ticks = (int64_t)le64_load(r + FULL_OFF_TIMESTAMP);
	load_guid(&ev->provider, r + FULL_OFF_GUID);
	ev->has_provider = true;
	ev->kernel_time = le32_load(r + FULL_OFF_KERNEL_TIME);
	ev->user_time = le32_load(r + FULL_OFF_USER_TIME);
	return RECORD_OK;
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
		uint16_t type = le16_load(r + p + EXT_OFF_TYPE);
		uint16_t linkage = le16_load(r + p + EXT_OFF_LINKAGE);
		uint16_t data_size = le16_load(r + p + EXT_OFF_DATA_SIZE);
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
			return (linkage & EXT_LINKAGE_MORE) ? RECORD_EXT_DAMAGED : RECORD_OK;
		}
		p += stride;
		if (!(linkage & EXT_LINKAGE_MORE))
			break;
	}
	*user_start = p;
	return RECORD_OK;
}

static enum record_result
parse_event_header(const uint8_t *r, size_t avail, uint8_t header_type, struct alpcscope_event *ev,
		   struct record_span *s, const char **why)
{
	s->size = le16_load(r + EH_OFF_SIZE);
	s->header_size = EVENT_HEADER_SIZE;
	if (s->size < EVENT_HEADER_SIZE || s->size > avail) {
		*why = "EVENT_HEADER record size out of bounds";
		return RECORD_BAD;
	}
	ev->kind = header_type == HT_EVENT_HEADER32 ? ALPCSCOPE_RECORD_EVENT_HEADER32
						    : ALPCSCOPE_RECORD_EVENT_HEADER64;
	ev->pointer_size = header_type == HT_EVENT_HEADER32 ? 4 : 8;
	ev->header_flags = le16_load(r + EH_OFF_FLAGS);
	ev->event_property = le16_load(r + EH_OFF_EVENT_PROPERTY);
	ev->thread_id = le32_load(r + EH_OFF_THREAD_ID);
	ev->process_id = le32_load(r + EH_OFF_PROCESS_ID);
	ev->timestamp_ticks = (int64_t)le64_load(r + EH_OFF_TIMESTAMP);
	load_guid(&ev->provider, r + EH_OFF_PROVIDER);
	ev->has_provider = true;
	ev->event_id = le16_load(r + EH_OFF_EVENT_ID);
	ev->version = r[EH_OFF_VERSION];
	ev->channel = r[EH_OFF_CHANNEL];
	ev->level = r[EH_OFF_LEVEL];
	ev->opcode = r[EH_OFF_OPCODE];
	ev->task = le16_load(r + EH_OFF_TASK);
	ev->keywords = le64_load(r + EH_OFF_KEYWORDS);
	ev->kernel_time = le32_load(r + EH_OFF_KERNEL_TIME);
	ev->user_time = le32_load(r + EH_OFF_USER_TIME);
	load_guid(&ev->activity_id, r + EH_OFF_ACTIVITY_ID);
	if (ev->header_flags & EH_FLAG_EXTENDED_INFO)
		return parse_ext_items(r, s->size, ev, &s->header_size);
	return RECORD_OK;
}

/*
 * Merge tools also write kernel events with a classic header carrying the
 * group's GUID: present them like hook-id framed ones (group + opcode).
 */
static void
kernel_from_guid(struct alpcscope_event *ev)
{
	uint8_t group;

	if (kernel_group_from_guid(&ev->provider, &group)) {
		ev->is_kernel = true;
		ev->group = group;
		ev->hook_id = (uint16_t)(group << 8 | ev->opcode);
	}
}

enum record_result
record_parse(const uint8_t *buf, size_t pos, size_t end, struct alpcscope_event *ev,
	     size_t *size_out, const char **why)
{
	const uint8_t *r = buf + pos;
	size_t avail = end - pos;
	struct record_span s = {0, 0};
	enum record_result result;

	if (avail < 4) {
		*why = "record header truncated";
		return RECORD_BAD;
	}
	uint32_t marker = le32_load(r);
	if (marker == MARKER_FILL)
		return RECORD_FILL;
	if (avail < 8) {
		*why = "record header truncated";
		return RECORD_BAD;
	}
	reset_event(ev);
	uint8_t flags = (uint8_t)(marker >> 24);
	uint8_t header_type = (uint8_t)(marker >> 16);

	ev->raw = r;
	if (flags == MARKER_FLAGS_MESSAGE)
		return parse_wpp(r, avail, ev, size_out, why);
	if (flags != MARKER_FLAGS_EVENT_TRACE) {
		/* Legacy WNODE blocks (size = the dword) and the obsolete 0xB0 form (low 16 bits).
		 */
		size_t size = (flags & MARKER_FLAG_TRACE_HEADER) ? (marker & 0xFFFF) : marker;

		if ((flags == MARKER_FLAGS_ULONG32_TIME || !(flags & MARKER_FLAG_TRACE_HEADER)) &&
		    size >= OPAQUE_MIN_SIZE && size <= avail)
			return parse_opaque(r, size, ev, size_out);
		*why = "unknown record marker";
		return RECORD_BAD;
	}

	switch (header_type) {
	case HT_SYSTEM32:
	case HT_SYSTEM64:
	case HT_COMPACT32:
	case HT_COMPACT64: result = parse_system(r, avail, header_type, ev, &s, why); break;
	case HT_PERFINFO32:
	case HT_PERFINFO64: result = parse_perfinfo(r, avail, header_type, ev, &s, why); break;
	case HT_FULL32:
	case HT_FULL64:
	case HT_INSTANCE32:
	case HT_INSTANCE64: result = parse_classic(r, avail, header_type, ev, &s, why); break;
	case HT_EVENT_HEADER32:
	case HT_EVENT_HEADER64:
		result = parse_event_header(r, avail, header_type, ev, &s, why);
		break;
	default:
		/* TIMED, ERROR, WNODE and unknown types: skip by the low-16-bit size if sane. */
		if ((marker & 0xFFFF) >= OPAQUE_MIN_SIZE && (marker & 0xFFFF) <= avail)
			return parse_opaque(r, marker & 0xFFFF, ev, size_out);
		*why = "unknown header type with implausible size";
		return RECORD_BAD;
	}
	if (result == RECORD_BAD)
		return RECORD_BAD;
	if (!ev->is_kernel)
		kernel_from_guid(ev);
	return finish(ev, r, s, size_out, result);
}
