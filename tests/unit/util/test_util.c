/* SPDX-License-Identifier: MIT */
/*
 * lib/util: little-endian loads and stores, the bounds-checked cursor, GUID
 * text form, UTF-16LE to UTF-8 (surrogates, unpaired halves, truncation),
 * FILETIME formatting (epoch edges and the extremes of int64_t), and
 * error_set().
 */
#include <stdint.h>
#include <string.h>

#include <alpcscope/alpcscope.h>

#include "check.h"
#include "util/bytes.h"
#include "util/error.h"
#include "util/utf16.h"

static void
test_bytes(void)
{
	uint8_t b[16] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
			 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10};

	CHECK(le16_load(b) == 0x0201);
	CHECK(le32_load(b + 1) == 0x05040302);
	CHECK(le64_load(b) == 0x0807060504030201ull);
	le16_store(b, 0xBEEF);
	le32_store(b + 2, 0xDEADC0DE);
	le64_store(b + 8, 0x1122334455667788ull);
	CHECK(b[0] == 0xEF && b[1] == 0xBE && b[2] == 0xDE && b[5] == 0xDE);
	CHECK(le64_load(b + 8) == 0x1122334455667788ull);
	CHECK(align8(0) == 0 && align8(1) == 8 && align8(8) == 8 && align8(9) == 16);

	struct cursor c = cursor_make(b, 16);
	CHECK(cursor_u16(&c) == 0xBEEF);
	CHECK(cursor_u32(&c) == 0xDEADC0DE);
	CHECK(cursor_left(&c) == 10);
	cursor_skip(&c, 2);
	CHECK(cursor_u64(&c) == 0x1122334455667788ull);
	CHECK(cursor_left(&c) == 0 && !c.overrun);
	CHECK(cursor_u8(&c) == 0 && c.overrun); /* reads past the end give 0 and stick */
	CHECK(cursor_take(&c, 1) == NULL);

	c = cursor_make(b, 6);
	CHECK(cursor_ptr(&c, 4) == 0xC0DEBEEFu);
	c = cursor_make(b, 6);
	CHECK(cursor_u64(&c) == 0 && c.overrun);
	c = cursor_make(b, 6);
	cursor_skip(&c, 7);
	CHECK(c.overrun);
	c = cursor_make(b + 8, 8);
	CHECK(cursor_ptr(&c, 8) == 0x1122334455667788ull);
	c = cursor_make(b + 8, 8);
	CHECK(cursor_ptr(&c, 4) == 0x55667788u);
	CHECK(cursor_left(&c) == 4);
}

static void
test_guid(void)
{
	struct alpcscope_guid g, h;
	char s[ALPCSCOPE_GUID_STR_SIZE];

	CHECK(alpcscope_guid_parse(&g, "45d8cccd-539f-4b72-a8b7-5c683142609a"));
	CHECK(g.data1 == 0x45d8cccd && g.data2 == 0x539f && g.data3 == 0x4b72);
	CHECK(g.data4[0] == 0xa8 && g.data4[7] == 0x9a);
	alpcscope_guid_format(s, &g);
	CHECK_STR(s, "45d8cccd-539f-4b72-a8b7-5c683142609a");
	CHECK(alpcscope_guid_parse(&h, "{45D8CCCD-539F-4B72-A8B7-5C683142609A}"));
	CHECK(alpcscope_guid_equal(&g, &h));
	h.data4[7] ^= 1;
	CHECK(!alpcscope_guid_equal(&g, &h));
	CHECK(!alpcscope_guid_parse(&h, ""));
	CHECK(!alpcscope_guid_parse(&h, "45d8cccd-539f-4b72-a8b7-5c683142609"));
	CHECK(!alpcscope_guid_parse(&h, "45d8cccd-539f-4b72-a8b7-5c683142609a0"));
	CHECK(!alpcscope_guid_parse(&h, "45d8cccd_539f-4b72-a8b7-5c683142609a"));
	CHECK(!alpcscope_guid_parse(&h, "45d8cccg-539f-4b72-a8b7-5c683142609a"));
	CHECK(!alpcscope_guid_parse(&h, "{45d8cccd-539f-4b72-a8b7-5c683142609a"));
}

static void
test_utf16(void)
{
	/* "Aé€😀" then NUL: A, U+00E9, U+20AC, U+1F600 as a surrogate pair. */
	const uint8_t s[] = {'A', 0, 0xE9, 0, 0xAC, 0x20, 0x3D, 0xD8, 0x00, 0xDE, 0, 0, 'x', 0};
	char out[64];
	bool term = false;

	CHECK(utf16_strlen_bytes(s, sizeof(s), &term) == 10 && term);
	CHECK(utf16_strlen_bytes(s, 9, &term) == 8 && !term); /* odd byte ignored */
	size_t n = utf16_to_utf8(out, sizeof(out), s, 10);
	CHECK(n == 10);
	CHECK_STR(out, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
	/* Output capacity: never split a sequence, always terminate. */
	n = utf16_to_utf8(out, 4, s, 10);
	CHECK(strlen(out) < 4);
	CHECK(utf16_utf8_capacity(10) >= 11);
	/* Unpaired surrogates become U+FFFD. */
	const uint8_t lone[] = {0x00, 0xD8, 'b', 0, 0x00, 0xDC};
	n = utf16_to_utf8(out, sizeof(out), lone, sizeof(lone));
	CHECK_STR(out, "\xEF\xBF\xBD"
		       "b\xEF\xBF\xBD");
	(void)n;
	/* Empty input. */
	CHECK(utf16_to_utf8(out, sizeof(out), lone, 0) == 0 && out[0] == 0);
}

static void
test_filetime(void)
{
	char s[40];

	alpcscope_filetime_format(s, sizeof(s), 0);
	CHECK_STR(s, "1601-01-01T00:00:00.0000000Z");
	alpcscope_filetime_format(s, sizeof(s), 116444736000000000LL);
	CHECK_STR(s, "1970-01-01T00:00:00.0000000Z");
	/* 2020-07-29T00:07:00.6236167Z, a start time from a sample. */
	alpcscope_filetime_format(s, sizeof(s), 132404548206236167LL);
	CHECK_STR(s, "2020-07-29T00:07:00.6236167Z");
	alpcscope_filetime_format(s, sizeof(s), 116444736000000000LL - 1);
	CHECK_STR(s, "1969-12-31T23:59:59.9999999Z");
	alpcscope_filetime_format(s, sizeof(s), 951868800LL * 10000000 + 116444736000000000LL);
	CHECK_STR(s, "2000-03-01T00:00:00.0000000Z");
	/* Garbage times from damaged files must not overflow (fuzzer finding). */
	alpcscope_filetime_format(s, sizeof(s), INT64_MIN);
	CHECK(strlen(s) > 20 && s[strlen(s) - 1] == 'Z');
	alpcscope_filetime_format(s, sizeof(s), INT64_MAX);
	CHECK_STR(s, "30828-09-14T02:48:05.4775807Z");
	alpcscope_filetime_format(s, sizeof(s), -1);
	CHECK_STR(s, "1600-12-31T23:59:59.9999999Z");
}

/* The one ISO-8601 parser: every form the CLI and the XML reader accept, and what it refuses. */
static void
test_filetime_parse(void)
{
	static const struct {
		const char *text;
		int64_t ft; /* expected; 0 = rejected */
	} cases[] = {
	    {"2020-07-29T00:07:00.6236167Z", 132404548206236167LL},
	    {"2020-07-29T00:07:00.6236167", 132404548206236167LL},       /* no zone: UTC */
	    {"2020-07-29 00:07:00.6236167Z", 132404548206236167LL},      /* space separator */
	    {"  2020-07-29T00:07:00,6236167Z  ", 132404548206236167LL},  /* spaces, comma */
	    {"2020-07-29T00:07:00.62361679999Z", 132404548206236167LL},  /* beyond 100 ns: cut */
	    {"2020-07-29T02:07:00.6236167+02:00", 132404548206236167LL}, /* tracerpt local time */
	    {"2020-07-28T22:07:00.6236167-0200", 132404548206236167LL},
	    {"1970-01-01T00:00:00Z", 116444736000000000LL},
	    {"1970-01-01T00:00:00.5Z", 116444736005000000LL},
	    {"1601-01-01T00:00:00Z", 0},  /* valid, but FILETIME 0: checked apart below */
	    {"2024-5-1T10:00:02Z", 0},    /* one-digit month and day */
	    {"2024-05-01T10:00:02.Z", 0}, /* separator without digits */
	    {"2024-05-01T10:00Z", 0},
	    {"2024-13-01T10:00:02Z", 0},
	    {"2024-05-32T10:00:02Z", 0},
	    {"2024-05-01T24:00:02Z", 0},
	    {"2024-05-01T10:00:02+25:00", 0},
	    {"2024-05-01T10:00:02 x", 0},
	    {"1600-12-31T23:59:59Z", 0},
	    {"20240501T100002Z", 0},
	    {"", 0},
	};
	int64_t ft;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool ok = alpcscope_filetime_parse(cases[i].text, &ft);

		if (cases[i].ft) {
			CHECK(ok && ft == cases[i].ft);
			if (!ok || ft != cases[i].ft)
				fprintf(stderr, "parse %s failed\n", cases[i].text);
		} else if (strncmp(cases[i].text, "1601-01-01", 10) == 0) {
			CHECK(ok && ft == 0);
		} else {
			CHECK(!ok);
			if (ok)
				fprintf(stderr, "parse %s accepted\n", cases[i].text);
		}
	}
	CHECK(!alpcscope_filetime_parse(NULL, &ft));
	/* Round trip through the formatter. */
	char s[40];

	alpcscope_filetime_format(s, sizeof(s), 133000000001234567LL);
	CHECK(alpcscope_filetime_parse(s, &ft) && ft == 133000000001234567LL);
}

static void
test_error(void)
{
	struct alpcscope_error e;

	memset(&e, 0, sizeof(e));
	CHECK(error_set(&e, ALPCSCOPE_E_CORRUPT, 0x1234, "bad %s %d", "thing", 7) ==
	      ALPCSCOPE_E_CORRUPT);
	CHECK(e.status == ALPCSCOPE_E_CORRUPT && e.offset == 0x1234);
	CHECK_STR(e.message, "bad thing 7");
	CHECK(error_set(NULL, ALPCSCOPE_E_NOMEM, 0, "x") == ALPCSCOPE_E_NOMEM);
	CHECK(alpcscope_status_str(ALPCSCOPE_E_CORRUPT) != NULL);
}

int
main(void)
{
	test_bytes();
	test_guid();
	test_utf16();
	test_filetime();
	test_filetime_parse();
	test_error();
	return check_summary();
}
