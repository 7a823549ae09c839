/* SPDX-License-Identifier: MIT */
/*
 * lib/reader/xml_guard.c: DTDs and elements with more than 256 attributes
 * are refused wherever the input is split; '=' in text, comments, CDATA,
 * processing instructions, end tags and quoted values does not count.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "reader/xml_guard.h"

/* Feed @p s whole and in every split into two chunks, and byte by byte: all agree. */
static bool
accepted(const char *s)
{
	size_t n = strlen(s);
	struct xml_guard g;
	bool whole;

	xml_guard_init(&g);
	whole = xml_guard_feed(&g, s, n);
	for (size_t cut = 0; cut <= n; cut++) {
		xml_guard_init(&g);
		bool ok = xml_guard_feed(&g, s, cut) && xml_guard_feed(&g, s + cut, n - cut);

		CHECK(ok == whole);
	}
	xml_guard_init(&g);
	bool bytes = true;

	for (size_t i = 0; i < n && bytes; i++)
		bytes = xml_guard_feed(&g, s + i, 1);
	CHECK(bytes == whole);
	return whole;
}

static char *
element(size_t nattrs, const char *before)
{
	size_t cap = strlen(before) + nattrs * 16 + 32;
	char *s = malloc(cap), *p = s;

	p += sprintf(p, "%s<e", before);
	for (size_t i = 0; i < nattrs; i++)
		p += sprintf(p, " a%zu='%s'", i, i % 2 ? "x=y" : "\"=\"");
	sprintf(p, "/>");
	return s;
}

int
main(void)
{
	struct xml_guard g;
	char *s;

	CHECK(accepted("<?xml version=\"1.0\"?><Events><Event a=\"1\" b='2'>x=y</Event></Events>"));
	CHECK(!accepted("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"b\">]><r/>"));
	CHECK(accepted("<r><!-- <!DOCTYPE x> --><![CDATA[<!DOCTYPE y>]]><?pi a=b?></r>"));
	CHECK(accepted("<r><!-- - -- --->text</r>"));
	s = element(256, "<!-- = = = -->");
	CHECK(accepted(s));
	free(s);
	s = element(257, "");
	CHECK(!accepted(s));
	free(s);
	/* the count is per start tag */
	s = malloc(300 * 16);
	s[0] = '\0';
	for (int i = 0; i < 300; i++)
		strcat(s, "<e a='1'/>");
	CHECK(accepted(s));
	free(s);
	/* the reason and offset are kept */
	xml_guard_init(&g);
	CHECK(!xml_guard_feed(&g, "<r/><!DOCTYPE r>", 16));
	CHECK(g.why && strstr(g.why, "DTD"));
	CHECK_EQ_U64(g.at, 4);                 /* the '<' of <!DOCTYPE */
	CHECK(!xml_guard_feed(&g, "<r/>", 4)); /* stays refused */
	return check_summary();
}
