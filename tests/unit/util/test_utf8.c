/* SPDX-License-Identifier: MIT */
/* lib/util/utf8.c: validation, cuts on code-point boundaries, the safe-text escape. */
#include <stdlib.h>
#include <string.h>

#include <alpcscope/text.h>

#include "check.h"
#include "util/strbuf.h"
#include "util/utf8.h"

static const char *
safe(struct strbuf *sb, const char *s)
{
	strbuf_reset(sb);
	utf8_add_safe_text(sb, s, strlen(s));
	return sb->data ? sb->data : "";
}

static void
test_escape(void)
{
	struct strbuf sb = {0};

	CHECK_STR(safe(&sb, "plain C:\\Windows\\x.exe \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
		  "plain C:\\Windows\\x.exe \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	CHECK_STR(safe(&sb, "a\nFORGED\r\tb"), "a\\x0aFORGED\\x0d\\x09b");
	CHECK_STR(safe(&sb, "\x1b]0;t\x07\x1b[2J\x7f"), "\\x1b]0;t\\x07\\x1b[2J\\x7f");
	CHECK_STR(safe(&sb, "\xc2\x85\xc2\x9b"), "\\u0085\\u009b");          /* C1 */
	CHECK_STR(safe(&sb, "\xe2\x80\xaetxt.exe"), "\\u202etxt.exe");       /* RLO */
	CHECK_STR(safe(&sb, "\xd8\x9c\xe2\x80\x8e\xe2\x81\xa6\xe2\x80\xa8"), /* ALM LRM LRI LS */
		  "\\u061c\\u200e\\u2066\\u2028");
	CHECK_STR(
	    safe(&sb, "\xff\xc3(\xed\xa0\x80\xc0\xaf"), /* bad, cut, surrogate, overlong */
	    "\xef\xbf\xbd\xef\xbf\xbd(\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf"
	    "\xbd");
	CHECK(utf8_is_safe_text("ok \xe2\x82\xac", 6));
	CHECK(!utf8_is_safe_text("a\x1b", 2));
	CHECK(!utf8_is_safe_text("\xe2\x80\xae", 3));
	/* idempotent: the escape of an escape is itself (backslashes stay) */
	CHECK_STR(safe(&sb, "\\x1b"), "\\x1b");
	strbuf_free(&sb);
}

static void
test_cut(void)
{
	const char *s = "ab\xe2\x82\xac\xf0\x9f\x98\x80"; /* 2 + 3 + 4 bytes */
	char buf[16];

	CHECK_EQ_U64(utf8_cut(s, 9, 9), 9);
	CHECK_EQ_U64(utf8_cut(s, 9, 8), 5);
	CHECK_EQ_U64(utf8_cut(s, 9, 6), 5);
	CHECK_EQ_U64(utf8_cut(s, 9, 5), 5);
	CHECK_EQ_U64(utf8_cut(s, 9, 4), 2);
	CHECK_EQ_U64(utf8_cut(s, 9, 3), 2);
	CHECK_EQ_U64(utf8_cut(s, 9, 2), 2);
	CHECK_EQ_U64(utf8_cut(s, 9, 0), 0);
	/* snprintf cuts, then utf8_trim_partial() drops the partial sequence */
	for (size_t n = 1; n <= sizeof(buf); n++) {
		snprintf(buf, n, "%s", s);
		utf8_trim_partial(buf);
		CHECK(utf8_valid(buf, strlen(buf)));
	}
	strcpy(buf, "x\xe2\x82");
	utf8_trim_partial(buf);
	CHECK_STR(buf, "x");
	strcpy(buf, "x\xe2\x82\xac");
	utf8_trim_partial(buf);
	CHECK_STR(buf, "x\xe2\x82\xac");
	/* the public copy: escaped, cut on a boundary, always terminated */
	CHECK_STR(alpcscope_safe_text(buf, sizeof(buf),
				      "a\x1b"
				      "b"),
		  "a\\x1bb");
	CHECK_STR(alpcscope_safe_text(buf, 6, "\xe2\x82\xac\xe2\x82\xac"), "\xe2\x82\xac");
	CHECK_STR(alpcscope_safe_text(buf, 1, "abc"), "");
	CHECK_STR(alpcscope_safe_text(buf, sizeof(buf), NULL), "");
}

static void
test_valid(void)
{
	struct strbuf sb = {0};

	CHECK(utf8_valid("", 0));
	CHECK(utf8_valid("\xf4\x8f\xbf\xbf", 4));
	CHECK(!utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
	CHECK(!utf8_valid("\xe0\x80\x80", 3));     /* overlong */
	CHECK(!utf8_valid("\xed\xbf\xbf", 3));     /* surrogate */
	CHECK(!utf8_valid("IWbem\xff\xfe", 7));
	utf8_add_valid(&sb, "IWbem\xff\xfe", 7);
	CHECK_STR(sb.data, "IWbem\xef\xbf\xbd\xef\xbf\xbd");
	strbuf_free(&sb);
}

int
main(void)
{
	test_escape();
	test_cut();
	test_valid();
	return check_summary();
}
