/* SPDX-License-Identifier: MIT */
/*
 * Record header kinds (lib/reader/record.c), built byte by byte: SYSTEM32/64,
 * COMPACT, PERFINFO with PMC counters and PEBS index, FULL, INSTANCE,
 * EVENT_HEADER with extended items (intact and damaged chains), WPP messages
 * with each OptionFlags bit, opaque records, the fill marker, and the size
 * checks of every kind.
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "reader/record.h"
#include "util/bytes.h"

static uint8_t buf[4096];

static const uint8_t prov_bytes[16] = {0x78, 0x56, 0x34, 0x12, 0xbc, 0x9a, 0xf0, 0xde,
				       1,    2,    3,    4,    5,    6,    7,    8};

static void
put_marker(uint8_t *r, uint8_t b0, uint8_t b1, uint8_t type, uint8_t flags)
{
	r[0] = b0;
	r[1] = b1;
	r[2] = type;
	r[3] = flags;
}

static enum record_result
parse(size_t end, struct alpcscope_event *ev, size_t *size)
{
	const char *why = NULL;

	memset(ev, 0xA5, sizeof(*ev));
	return record_parse(buf, 0, end, ev, size, &why);
}

static void
test_system(void)
{
	struct alpcscope_event ev;
	size_t size;

	memset(buf, 0, sizeof(buf));
	put_marker(buf, 3, 0, 0x02, 0xC0); /* SYSTEM64, version 3 */
	le16_store(buf + 4, 0x20 + 12);    /* size: header + 12 payload bytes */
	le16_store(buf + 6, 0x0301);       /* Process/Start */
	le32_store(buf + 8, 100);
	le32_store(buf + 12, 200);
	le64_store(buf + 16, 123456789);
	le32_store(buf + 24, 7);
	le32_store(buf + 28, 9);
	CHECK(parse(256, &ev, &size) == RECORD_OK);
	CHECK(ev.kind == ALPCSCOPE_RECORD_SYSTEM64);
	CHECK(ev.is_kernel && ev.group == 3 && ev.opcode == 1 && ev.hook_id == 0x0301);
	CHECK(ev.version == 3 && ev.pointer_size == 8);
	CHECK_EQ_U64(ev.thread_id, 100);
	CHECK_EQ_U64(ev.process_id, 200);
	CHECK_EQ_U64(ev.timestamp_ticks, 123456789);
	CHECK_EQ_U64(ev.kernel_time, 7);
	CHECK_EQ_U64(ev.user_time, 9);
	CHECK_EQ_U64(ev.payload_size, 12);
	CHECK(ev.payload == buf + 0x20);
	CHECK_EQ_U64(ev.raw_size, 0x2C);
	CHECK_EQ_U64(size, 0x30);                                  /* 8-aligned */
	CHECK(ev.has_provider && ev.provider.data1 == 0x3d6fa8d0); /* Process GUID */

	/* SYSTEM32: 4-byte pointers. */
	buf[2] = 0x01;
	CHECK(parse(256, &ev, &size) == RECORD_OK);
	CHECK(ev.kind == ALPCSCOPE_RECORD_SYSTEM32 && ev.pointer_size == 4);

	/* Hook 0x030A (image load in the Process group) is presented under the Image GUID. */
	le16_store(buf + 6, 0x030A);
	CHECK(parse(256, &ev, &size) == RECORD_OK);
	CHECK(ev.group == 3 && ev.opcode == 10 && ev.provider.data1 == 0x2cb15d1d);

	/* Size below the header, or beyond the end of data. */
	le16_store(buf + 4, 0x1F);
	CHECK(parse(256, &ev, &size) == RECORD_BAD);
	le16_store(buf + 4, 0x30);
	CHECK(parse(0x2F, &ev, &size) == RECORD_BAD);
	CHECK(parse(0x30, &ev, &size) == RECORD_OK);

	/* COMPACT64: 0x18-byte header, no CPU times. */
	memset(buf, 0, 64);
	put_marker(buf, 2, 0, 0x04, 0xC0);
	le16_store(buf + 4, 0x18 + 4);
	le16_store(buf + 6, 0x0502);
	le64_store(buf + 16, 42);
	CHECK(parse(256, &ev, &size) == RECORD_OK);
	CHECK(ev.kind == ALPCSCOPE_RECORD_COMPACT64 && ev.group == 5 && ev.opcode == 2);
	CHECK_EQ_U64(ev.payload_size, 4);
	CHECK(ev.payload == buf + 0x18);
	CHECK_EQ_U64(ev.timestamp_ticks, 42);
	CHECK_EQ_U64(size, 0x20);
	buf[2] = 0x03;
	CHECK(parse(256, &ev, &size) == RECORD_OK);
	CHECK(ev.kind == ALPCSCOPE_RECORD_COMPACT32 && ev.pointer_size == 4);
	le16_store(buf + 4, 0x17);
	CHECK(parse(256, &ev, &size) == RECORD_BAD);
}

static void
test_perfinfo(void)
{
	struct alpcscope_event ev;
	size_t size;

	memset(buf, 0, sizeof(buf));
	put_marker(buf, 2, 0, 0x11, 0xC0); /* PERFINFO64, version 2, no extension */
	le16_store(buf + 4, 0x10 + 8);
	le16_store(buf + 6, 0x1820); /* StackWalk/Stack */
	le64_store(buf + 8, 999);
	CHECK(parse(256, &ev, &size) == RECORD_OK);
	CHECK(ev.kind == ALPCSCOPE_RECORD_PERFINFO64 && ev.version == 2);
	CHECK(ev.group == 0x18 && ev.opcode == 0x20);
	CHECK(ev.thread_id == ALPCSCOPE_ID_UNKNOWN && ev.process_id == ALPCSCOPE_ID_UNKNOWN);
	CHECK_EQ_U64(ev.timestamp_ticks, 999);
	CHECK(ev.payload == buf + 0x10);
	CHECK_EQ_U64(ev.payload_size, 8);

	/* Two PMC counters (bits 8-10) and a PEBS index (bit 15): 3 u64 before the payload. */
	put_marker(buf, 2, 0x82, 0x11, 0xC0);
	le16_store(buf + 4, 0x10 + 24 + 8);
	CHECK(parse(256, &ev, &size) == RECORD_OK);
	CHECK(ev.version == 2);
	CHECK(ev.payload == buf + 0x10 + 24);
	CHECK_EQ_U64(ev.payload_size, 8);
	/* The extension must fit in the record. */
	le16_store(buf + 4, 0x10 + 16);
	CHECK(parse(256, &ev, &size) == RECORD_BAD);
	/* PMC only (7 counters). */
	put_marker(buf, 2, 0x07, 0x11, 0xC0);
	le16_store(buf + 4, 0x10 + 56);
	CHECK(parse(256, &ev, &size) == RECORD_OK);
	CHECK_EQ_U64(ev.payload_size, 0);
	/* PERFINFO32. */
	put_marker(buf, 2, 0, 0x10, 0xC0);
	le16_store(buf + 4, 0x10);
	CHECK(parse(256, &ev, &size) == RECORD_OK);
	CHECK(ev.kind == ALPCSCOPE_RECORD_PERFINFO32 && ev.pointer_size == 4);
	le16_store(buf + 4, 0x0F);
	CHECK(parse(256, &ev, &size) == RECORD_BAD);
}

static void
test_full_instance(void)
{
	struct alpcscope_event ev;
	size_t size;

	memset(buf, 0, sizeof(buf));
	le16_store(buf, 0x30 + 5);
	buf[2] = 0x14; /* FULL_HEADER64 */
	buf[3] = 0xC0;
	buf[4] = 36; /* class type = opcode */
	buf[5] = 4;  /* level */
	le16_store(buf + 6, 2);
	le32_store(buf + 8, 11);
	le32_store(buf + 12, 22);
	le64_store(buf + 16, 5000);
	memcpy(buf + 24, prov_bytes, 16);
	CHECK(parse(256, &ev, &size) == RECORD_OK);
	CHECK(ev.kind == ALPCSCOPE_RECORD_FULL64 && !ev.is_kernel && ev.has_provider);
	CHECK(ev.opcode == 36 && ev.level == 4 && ev.version == 2);
	CHECK(ev.provider.data1 == 0x12345678 && ev.provider.data2 == 0x9abc);
	CHECK(ev.provider.data3 == 0xdef0 && ev.provider.data4[7] == 8);
	CHECK_EQ_U64(ev.thread_id, 11);
	CHECK_EQ_U64(ev.payload_size, 5);
	CHECK_EQ_U64(size, 0x38);

	/* A FULL record with a kernel group GUID (PerfInfo ce1dbfb4-...) is a kernel event. */
	static const uint8_t perfinfo[16] = {0xb4, 0xbf, 0x1d, 0xce, 0x7e, 0x13, 0xa6, 0x4d,
					     0x87, 0xb0, 0x3f, 0x59, 0xaa, 0x10, 0x2c, 0xbc};
	memcpy(buf + 24, perfinfo, 16);
	buf[4] = 34;
	CHECK(parse(256, &ev, &size) == RECORD_OK);
	CHECK(ev.is_kernel && ev.group == 0x0F && ev.opcode == 34 && ev.hook_id == 0x0F22);
	memcpy(buf + 24, prov_bytes, 16);

	buf[2] = 0x0A; /* FULL_HEADER32 */
	CHECK(parse(256, &ev, &size) == RECORD_OK);
	CHECK(ev.kind == ALPCSCOPE_RECORD_FULL32 && ev.pointer_size == 4);
	le16_store(buf, 0x2F);
	CHECK(parse(256, &ev, &size) == RECORD_BAD);

	/* INSTANCE: 0x48-byte header. */
	le16_store(buf, 0x48 + 8);
	buf[2] = 0x15;
	CHECK(parse(256, &ev, &size) == RECORD_OK);
	CHECK(ev.kind == ALPCSCOPE_RECORD_INSTANCE64);
	CHECK(ev.payload == buf + 0x48 && ev.payload_size == 8);
	buf[2] = 0x0B;
	CHECK(parse(256, &ev, &size) == RECORD_OK);
	CHECK(ev.kind == ALPCSCOPE_RECORD_INSTANCE32);
	le16_store(buf, 0x47);
	CHECK(parse(256, &ev, &size) == RECORD_BAD);
}

/* EVENT_HEADER64 with @n ext items of @sizes; returns the record size. */
static size_t
build_event_header(unsigned n, const uint16_t *sizes, size_t user)
{
	size_t p = 0x50;

	memset(buf, 0, sizeof(buf));
	buf[2] = 0x13;
	buf[3] = 0xC0;
	le16_store(buf + 4, n ? 0x0001 : 0);
	le16_store(buf + 6, 0x0002);
	le32_store(buf + 8, 33);
	le32_store(buf + 12, 44);
	le64_store(buf + 16, 77);
	memcpy(buf + 24, prov_bytes, 16);
	le16_store(buf + 40, 1001); /* id */
	buf[42] = 1;                /* version */
	buf[43] = 16;               /* channel */
	buf[44] = 4;                /* level */
	buf[45] = 2;                /* opcode */
	le16_store(buf + 46, 9);    /* task */
	le64_store(buf + 48, 0x8000000000000010ull);
	buf[64] = 0xAC; /* ActivityId */
	for (unsigned i = 0; i < n; i++) {
		le16_store(buf + p + 2, (uint16_t)(6 + i));
		le16_store(buf + p + 4, i + 1 < n ? 1 : 0);
		le16_store(buf + p + 6, sizes[i]);
		memset(buf + p + 8, (int)(0x10 + i), sizes[i]);
		p += 8 + ((sizes[i] + 7u) & ~7u);
	}
	memset(buf + p, 0xEE, user);
	p += user;
	le16_store(buf, (uint16_t)p);
	return p;
}

static void
test_event_header(void)
{
	struct alpcscope_event ev;
	size_t size, rs;
	const uint16_t sizes[3] = {24, 5, 16};

	rs = build_event_header(0, NULL, 10);
	CHECK(parse(512, &ev, &size) == RECORD_OK);
	CHECK(ev.kind == ALPCSCOPE_RECORD_EVENT_HEADER64 && ev.pointer_size == 8);
	CHECK(ev.event_id == 1001 && ev.version == 1 && ev.channel == 16 && ev.level == 4);
	CHECK(ev.opcode == 2 && ev.task == 9 && ev.keywords == 0x8000000000000010ull);
	CHECK(ev.event_property == 2 && ev.activity_id.data1 == 0xAC);
	CHECK(ev.thread_id == 33 && ev.process_id == 44 && ev.timestamp_ticks == 77);
	CHECK(ev.ext_count == 0 && ev.payload == buf + 0x50 && ev.payload_size == 10);
	CHECK_EQ_U64(size, (rs + 7) & ~(size_t)7);

	/* Three chained items; the user data follows the last. */
	rs = build_event_header(3, sizes, 6);
	CHECK(parse(512, &ev, &size) == RECORD_OK);
	CHECK_EQ_U64(ev.ext_count, 3);
	CHECK(ev.ext[0].type == 6 && ev.ext[0].size == 24 && ev.ext[0].data == buf + 0x58);
	CHECK(ev.ext[1].type == 7 && ev.ext[1].size == 5 && ev.ext[1].data[4] == 0x11);
	CHECK(ev.ext[2].type == 8 && ev.ext[2].size == 16);
	CHECK_EQ_U64(ev.payload_size, 6);
	CHECK(ev.payload[0] == 0xEE);
	CHECK(ev.payload == buf + rs - 6);
	buf[2] = 0x12;
	CHECK(parse(512, &ev, &size) == RECORD_OK);
	CHECK(ev.kind == ALPCSCOPE_RECORD_EVENT_HEADER32 && ev.pointer_size == 4);

	/* Damaged chains: the last item claims a successor that is not there. */
	rs = build_event_header(2, sizes, 0);
	le16_store(buf + 0x50 + 8 + 24 + 4, 1);
	CHECK(parse(512, &ev, &size) == RECORD_EXT_DAMAGED);
	CHECK_EQ_U64(ev.payload_size, 0);
	CHECK_EQ_U64(ev.raw_size, rs);
	/* An item whose size runs past the record. */
	build_event_header(1, sizes, 0);
	le16_store(buf + 0x50 + 6, 400);
	CHECK(parse(512, &ev, &size) == RECORD_EXT_DAMAGED);
	/* Extended-data flag set but no room for an item header. */
	build_event_header(0, NULL, 4);
	le16_store(buf + 4, 0x0001);
	CHECK(parse(512, &ev, &size) == RECORD_EXT_DAMAGED);

	/* More items than kept: all counted, ALPCSCOPE_MAX_EXT_ITEMS stored. */
	uint16_t many[20];
	for (int i = 0; i < 20; i++)
		many[i] = 8;
	build_event_header(20, many, 0);
	CHECK(parse(1024, &ev, &size) == RECORD_OK);
	CHECK_EQ_U64(ev.ext_count, 20);
	CHECK(ev.ext[ALPCSCOPE_MAX_EXT_ITEMS - 1].type == 6 + ALPCSCOPE_MAX_EXT_ITEMS - 1);

	/* Size checks. */
	build_event_header(0, NULL, 0);
	le16_store(buf, 0x4F);
	CHECK(parse(512, &ev, &size) == RECORD_BAD);
	le16_store(buf, 0x58);
	CHECK(parse(0x57, &ev, &size) == RECORD_BAD);
}

/* WPP message with @options; items are laid out in the documented order. */
static size_t
build_wpp(uint16_t options, size_t args)
{
	size_t p = 8;

	memset(buf, 0, sizeof(buf));
	buf[3] = 0x90;
	le16_store(buf + 4, 43);
	le16_store(buf + 6, options);
	if (options & 0x0001) {
		le32_store(buf + p, 0x5E0);
		p += 4;
	}
	if (options & 0x0004) {
		le32_store(buf + p, 0xC0C0);
		p += 4;
	} else if (options & 0x0002) {
		memcpy(buf + p, prov_bytes, 16);
		p += 16;
	}
	if (options & (0x0008 | 0x0010)) {
		le64_store(buf + p, 31337);
		p += 8;
	}
	if (options & 0x0020) {
		le32_store(buf + p, 555);
		le32_store(buf + p + 4, 666);
		p += 8;
	}
	memset(buf + p, 0xAB, args);
	p += args;
	le16_store(buf, (uint16_t)p);
	return p;
}

static void
test_wpp(void)
{
	struct alpcscope_event ev;
	size_t size, rs;

	/* As in the s4__CldFlt samples: GUID, time stamp, system info, 64-bit. */
	rs = build_wpp(0x00AA, 12);
	CHECK(parse(512, &ev, &size) == RECORD_OK);
	CHECK(ev.kind == ALPCSCOPE_RECORD_WPP_MESSAGE && ev.event_id == 43);
	CHECK(ev.header_flags == 0x00AA && ev.pointer_size == 8);
	CHECK(ev.has_provider && ev.provider.data1 == 0x12345678);
	CHECK(ev.has_timestamp && ev.timestamp_ticks == 31337);
	CHECK(ev.thread_id == 555 && ev.process_id == 666);
	CHECK_EQ_U64(ev.payload_size, 12);
	CHECK_EQ_U64(ev.raw_size, rs);

	/* Sequence number first; POINTER32. */
	build_wpp(0x0001 | 0x0002 | 0x0040, 4);
	CHECK(parse(512, &ev, &size) == RECORD_OK);
	CHECK(ev.pointer_size == 4 && ev.has_provider && !ev.has_timestamp);
	CHECK(ev.thread_id == ALPCSCOPE_ID_UNKNOWN);
	CHECK_EQ_U64(ev.payload_size, 4);

	/* Component id wins over GUID: no provider. */
	build_wpp(0x0004 | 0x0002, 0);
	CHECK(parse(512, &ev, &size) == RECORD_OK);
	CHECK(!ev.has_provider);
	CHECK_EQ_U64(ev.payload_size, 0);

	/* PERFORMANCE_TIMESTAMP alone reserves the slot but carries no time. */
	build_wpp(0x0010 | 0x0020, 0);
	CHECK(parse(512, &ev, &size) == RECORD_OK);
	CHECK(!ev.has_timestamp && ev.thread_id == 555);

	/* No options at all. */
	build_wpp(0, 3);
	CHECK(parse(512, &ev, &size) == RECORD_OK);
	CHECK(!ev.has_provider && !ev.has_timestamp);
	CHECK_EQ_U64(ev.payload_size, 3);
	CHECK_EQ_U64(size, 16);

	/* Items that do not fit the stated size. */
	build_wpp(0x00AA, 0);
	le16_store(buf, 8 + 16 + 4);
	CHECK(parse(512, &ev, &size) == RECORD_BAD);
	le16_store(buf, 7);
	CHECK(parse(512, &ev, &size) == RECORD_BAD);
	rs = build_wpp(0x00AA, 0);
	CHECK(parse(rs - 1, &ev, &size) == RECORD_BAD);
}

static void
test_opaque_fill_bad(void)
{
	struct alpcscope_event ev;
	size_t size;

	memset(buf, 0, sizeof(buf));
	/* Fill marker. */
	le32_store(buf, 0xFFFFFFFF);
	CHECK(parse(64, &ev, &size) == RECORD_FILL);
	/* Legacy WNODE block: the first dword is the size. */
	le32_store(buf, 20);
	CHECK(parse(64, &ev, &size) == RECORD_OK);
	CHECK(ev.kind == ALPCSCOPE_RECORD_OPAQUE && ev.raw_size == 20 && size == 24);
	le32_store(buf, 200);
	CHECK(parse(64, &ev, &size) == RECORD_BAD);
	/* The obsolete 0xB0 form: size in the low 16 bits. */
	le32_store(buf, 0xB0000010);
	CHECK(parse(64, &ev, &size) == RECORD_OK);
	CHECK(ev.kind == ALPCSCOPE_RECORD_OPAQUE && size == 16);
	/* A trace header of an unknown type (TIMED 0x0C) with a sane size. */
	le32_store(buf, 0xC00C0028);
	CHECK(parse(64, &ev, &size) == RECORD_OK);
	CHECK(ev.kind == ALPCSCOPE_RECORD_OPAQUE && size == 0x28);
	le32_store(buf, 0xC00C0004);
	CHECK(parse(64, &ev, &size) == RECORD_BAD);
	/* Unknown flag byte with the high bit. */
	le32_store(buf, 0xA0000010);
	CHECK(parse(64, &ev, &size) == RECORD_BAD);
	/* Fewer than 8 bytes left. */
	le32_store(buf, 0xC0020020);
	CHECK(parse(4, &ev, &size) == RECORD_BAD);
	CHECK(parse(3, &ev, &size) == RECORD_BAD);
	/* A record at a non-zero position. */
	memset(buf, 0, 128);
	put_marker(buf + 64, 2, 0, 0x02, 0xC0);
	le16_store(buf + 64 + 4, 0x20);
	{
		const char *why = NULL;
		CHECK(record_parse(buf, 64, 96, &ev, &size, &why) == RECORD_OK);
		CHECK(ev.raw == buf + 64 && size == 0x20);
		CHECK(record_parse(buf, 64, 95, &ev, &size, &why) == RECORD_BAD);
		CHECK(why != NULL);
	}
}

int
main(void)
{
	test_system();
	test_perfinfo();
	test_full_instance();
	test_event_header();
	test_wpp();
	test_opaque_fill_bad();
	return check_summary();
}
