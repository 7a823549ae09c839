/* SPDX-License-Identifier: MIT */
/*
 * The streaming formatters of the messages and chains writers
 * (lib/output/model_output.c, mo_sb_*) against what they replace: json-c's
 * string escapes and double serialisation, printf, and the char-buffer
 * helpers (mo_time, mo_latency_str, mo_evidence, mo_csv_field). Output of
 * the writers must stay byte-identical (tests/golden).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "output/model_output.h"
#include "util/utf8.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char *
json_c(json_object *j)
{
	return json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void
test_jstr(void)
{
	static const char pool[] = "ab\"\\\x01\x1f\x7f\x80\xc3\xa9/ "
				   "\n\t\b\f\r~\xe2\x80\xae\xf0\x9f\x98\x80\xed\xa0\x80\xff";
	struct strbuf sb = {0};
	char s[80];
	unsigned bad = 0;

	for (int it = 0; it < 200000; it++) {
		size_t n = next() % 70;

		for (size_t i = 0; i < n; i++) {
			uint64_t r = next() % 100;

			s[i] = r < 70 ? (char)('a' + r % 26) : pool[r % (sizeof(pool) - 1)];
		}
		s[n] = '\0';
		strbuf_reset(&sb);
		mo_sb_jstr(&sb, s);
		json_object *j = mo_jstr_valid(s); /* json-c after UTF-8 repair */

		if (strcmp(json_c(j), sb.data) != 0 && bad++ < 5)
			fprintf(stderr, "jstr: json-c %s, mo_sb_jstr %s\n", json_c(j), sb.data);
		json_object_put(j);
		if (!utf8_valid(sb.data, sb.len) && bad++ < 5)
			fprintf(stderr, "jstr: invalid UTF-8 out of mo_sb_jstr\n");
	}
	CHECK(bad == 0);
	strbuf_reset(&sb);
	mo_sb_jstr(&sb, NULL);
	CHECK_STR(sb.data, "null");
	strbuf_free(&sb);
}

/* The exact decimal of l / 10 ("363.8"), which reads back as the same double. */
static void
check_latency(int64_t l, unsigned *bad)
{
	struct strbuf sb = {0};
	char want[48];

	if (l < 0)
		snprintf(want, sizeof(want), "null");
	else
		snprintf(want, sizeof(want), "%lld.%lld", (long long)(l / 10), (long long)(l % 10));
	mo_sb_jlatency_us(&sb, l);
	if ((strcmp(want, sb.data) != 0 ||
	     (l >= 0 && l < (1ll << 53) && strtod(sb.data, NULL) != (double)l / 10.0)) &&
	    (*bad)++ < 5)
		fprintf(stderr, "latency %lld: want %s, mo_sb_jlatency_us %s\n", (long long)l, want,
			sb.data);
	strbuf_free(&sb);
}

static void
test_latency_us(void)
{
	unsigned bad = 0;

	for (int64_t l = -2; l < 300000; l++)
		check_latency(l, &bad);
	for (int it = 0; it < 300000; it++)
		check_latency((int64_t)(next() >> (next() % 64)), &bad);
	CHECK(bad == 0);
}

static void
test_numbers(void)
{
	struct strbuf sb = {0};
	char want[128];
	unsigned bad = 0;

	for (int it = 0; it < 100000; it++) {
		uint64_t v = next() >> (next() % 64);

		strbuf_reset(&sb);
		mo_sb_u64(&sb, v);
		mo_putc(&sb, ' ');
		mo_sb_i64(&sb, (int64_t)v);
		mo_putc(&sb, ' ');
		mo_sb_hex64(&sb, v);
		mo_putc(&sb, ' ');
		mo_sb_hex32(&sb, (uint32_t)v);
		snprintf(want, sizeof(want), "%" PRIu64 " %" PRId64 " 0x%" PRIx64 " 0x%x", v,
			 (int64_t)v, v, (uint32_t)v);
		if (strcmp(want, sb.data) != 0 && bad++ < 5)
			fprintf(stderr, "numbers: %s != %s\n", want, sb.data);
	}
	/* digit-count and step boundaries: 10^k - 1, 10^k, 2^32 - 1, 2^32, 2^64 - 1 */
	static const uint64_t edges[] = {0,
					 9,
					 10,
					 99,
					 100,
					 9999,
					 10000,
					 99999999,
					 100000000,
					 4294967295ull,
					 4294967296ull,
					 9999999999999999999ull,
					 10000000000000000000ull,
					 UINT64_MAX};

	for (size_t i = 0; i < 3 * (sizeof(edges) / sizeof(edges[0])); i++) {
		uint64_t v = edges[i / 3] + (uint64_t)(i % 3) - 1; /* edge - 1, edge, edge + 1 */

		strbuf_reset(&sb);
		mo_sb_u64(&sb, v);
		mo_putc(&sb, ' ');
		mo_sb_hex64(&sb, v);
		snprintf(want, sizeof(want), "%" PRIu64 " 0x%" PRIx64, v, v);
		if (strcmp(want, sb.data) != 0 && bad++ < 5)
			fprintf(stderr, "numbers: %s != %s\n", want, sb.data);
	}
	CHECK(bad == 0);
	strbuf_reset(&sb);
	mo_sb_u64(&sb, 0);
	mo_sb_i64(&sb, INT64_MIN);
	CHECK_STR(sb.data, "0-9223372036854775808");
	strbuf_free(&sb);
}

static void
test_text_helpers(void)
{
	struct strbuf sb = {0};
	char want[300];
	struct mo_cache c;
	unsigned bad = 0;

	for (int64_t l = -1; l < 100000; l += 7) {
		strbuf_reset(&sb);
		mo_sb_latency(&sb, l);
		if (strcmp(mo_latency_str(want, sizeof(want), l), sb.data) != 0 && bad++ < 5)
			fprintf(stderr, "latency text: %s != %s\n", want, sb.data);
	}
	for (uint32_t e = 0; e < (1u << ALPCSCOPE_EVIDENCE_BITS); e++) {
		strbuf_reset(&sb);
		mo_sb_evidence(&sb, (uint16_t)e);
		if (strcmp(mo_evidence(want, sizeof(want), (uint16_t)e), sb.data) != 0 && bad++ < 5)
			fprintf(stderr, "evidence: %s != %s\n", want, sb.data);
	}
	/* time stamps: cache of the current second, 0 and negative values */
	mo_cache_init(&c, NULL);
	int64_t ft = 133590240000000000ll;

	for (int it = 0; it < 20000; it++) {
		int64_t t = it % 997 == 0 ? 0 : it % 1009 == 0 ? -(int64_t)next() % 1000 : ft;

		strbuf_reset(&sb);
		mo_sb_time(&c, &sb, t);
		if (strcmp(mo_time(want, t), sb.data) != 0 && bad++ < 5)
			fprintf(stderr, "time: %s != %s\n", want, sb.data);
		ft += (int64_t)(next() % 3000000);
	}
	mo_cache_free(&c);
	/* CSV cells: one line each, quoted for , and ", formula prefixes neutralised */
	static const char *const fields[][3] = {
	    {"plain", "plain", "plain"},
	    {"a,b", "\"a,b\"", "\"a,b\""},
	    {"q\"uote", "\"q\"\"uote\"", "\"q\"\"uote\""},
	    {"line\nbreak", "line\\x0abreak", "line\\x0abreak"},
	    {"", "", ""},
	    {"x\ry", "x\\x0dy", "x\\x0dy"},
	    {"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0"},
	    {"+1+2", "'+1+2", "+1+2"},
	    {"@SUM(A1)", "'@SUM(A1)", "@SUM(A1)"},
	    {"-2+3,x", "\"'-2+3,x\"", "\"-2+3,x\""},
	    {"-", "-", "-"},
	    {"-12.5", "-12.5", "-12.5"},
	    {"\t=x", "\\x09=x", "\\x09=x"},
	    {"a\xff\xc3", "a\xef\xbf\xbd\xef\xbf\xbd", "a\xef\xbf\xbd\xef\xbf\xbd"},
	};
	struct mo_cache cc;

	mo_cache_init(&cc, NULL);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		for (int raw = 0; raw < 2; raw++) {
			cc.csv_raw = raw;
			strbuf_reset(&sb);
			mo_sb_csv(&cc, &sb, fields[i][0]);
			CHECK_STR(sb.data ? sb.data : "", fields[i][1 + raw]);
		}
	}
	mo_cache_free(&cc);
	strbuf_reset(&sb);
	mo_sb_pad(&sb, "abc", 6);
	mo_sb_pad(&sb, "toolong", 3);
	CHECK_STR(sb.data, "abc   toolong");
	mo_sb_cut(&sb, 3, 4);
	CHECK_STR(sb.data, "abc   t");
	CHECK(bad == 0);
	strbuf_free(&sb);
}

int
main(void)
{
	test_jstr();
	test_latency_us();
	test_numbers();
	test_text_helpers();
	return check_summary();
}
