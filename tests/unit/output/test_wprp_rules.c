/* SPDX-License-Identifier: MIT */
/*
 * The recording profile against the rules of Microsoft's WPR profile
 * documentation ("3. Profile Definitions", "Logging Mode", the Profile,
 * Buffers and BufferSize element references), written down here so that a
 * profile that breaks them fails before a user's `wpr -start` does:
 *  - every Profile has Id, Name, Description, LoggingMode (File | Memory)
 *    and DetailLevel (Verbose | Light); Id = Name.DetailLevel.LoggingMode,
 *    at least one character, no colon or space;
 *  - all profiles of a file share one Name; at most four; for every detail
 *    level present both a File and a Memory version exist; Ids are unique;
 *  - every SystemCollector / EventCollector has Id, Name, BufferSize and
 *    Buffers, each with an unsigned Value; PercentageOfTotalMemory is a
 *    boolean and MaximumBufferSpace only goes with it;
 *  - every collector and provider reference in a profile resolves to a
 *    definition of the right element in the same file, and every definition
 *    Id is unique.
 * The same checks run on the shipped fixtures/alpcscope.wprp.
 */
#include <alpcscope/xml.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static char *
prop(xmlNodePtr n, const char *name)
{
	return (char *)xmlGetProp(n, (const xmlChar *)name);
}

static bool
is(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static bool
unsigned_value(xmlNodePtr n)
{
	char *v = prop(n, "Value");
	bool ok = v && v[0] && strspn(v, "0123456789") == strlen(v);

	xmlFree(v);
	return ok;
}

static bool
boolean_attr(xmlNodePtr n, const char *name, bool *out)
{
	char *v = prop(n, name);
	bool ok = !v || strcmp(v, "true") == 0 || strcmp(v, "false") == 0;

	*out = v && strcmp(v, "true") == 0;
	xmlFree(v);
	return ok;
}

/* Count of definitions named @p kind with Id @p id under Profiles. */
static int
defined(xmlNodePtr profiles, const char *kind, const char *id)
{
	int n = 0;

	for (xmlNodePtr c = profiles->children; c; c = c->next) {
		if (!is(c, kind))
			continue;
		char *v = prop(c, "Id");

		n += v && id && strcmp(v, id) == 0;
		xmlFree(v);
	}
	return n;
}

/* Every @p ref element below @p n names exactly one @p kind definition. */
static int
unresolved(xmlNodePtr profiles, xmlNodePtr n, const char *ref, const char *kind, int *refs)
{
	int bad = 0;

	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is(c, ref)) {
			char *v = prop(c, "Value");

			(*refs)++;
			if (defined(profiles, kind, v) != 1) {
				fprintf(stderr, "%s '%s' does not resolve to one %s\n", ref,
					v ? v : "(none)", kind);
				bad++;
			}
			xmlFree(v);
		}
		bad += unresolved(profiles, c, ref, kind, refs);
	}
	return bad;
}

static void
check_buffers(xmlNodePtr n)
{
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (!is(c, "Buffers"))
			continue;
		bool pct, has_max = xmlHasProp(c, (const xmlChar *)"MaximumBufferSpace") != NULL;

		CHECK(unsigned_value(c));
		CHECK(boolean_attr(c, "PercentageOfTotalMemory", &pct));
		CHECK(!has_max || pct);
		if (pct) {
			char *v = prop(c, "Value");

			CHECK(v && atoi(v) >= 1 && atoi(v) <= 100);
			xmlFree(v);
		}
	}
}

static void
check_collector(xmlNodePtr c)
{
	char *id = prop(c, "Id"), *name = prop(c, "Name");
	int sizes = 0, buffers = 0;

	CHECK(id && id[0]);
	CHECK(name && name[0]);
	for (xmlNodePtr e = c->children; e; e = e->next) {
		if (is(e, "BufferSize")) {
			sizes++;
			CHECK(unsigned_value(e));
		} else if (is(e, "Buffers")) {
			buffers++;
		}
	}
	/* "When you author custom profiles, you must define BufferSize and Buffers." */
	CHECK_EQ_U64(sizes, 1);
	CHECK_EQ_U64(buffers, 1);
	check_buffers(c);
	xmlFree(id);
	xmlFree(name);
}

static void
check_document(const char *what, const char *text, size_t len)
{
	xmlDocPtr doc = xmlReadMemory(text, (int)len, what, NULL, XML_PARSE_NONET);

	CHECK(doc != NULL);
	if (!doc)
		return;
	xmlNodePtr root = xmlDocGetRootElement(doc), profiles = NULL;

	CHECK(is(root, "WindowsPerformanceRecorder"));
	for (xmlNodePtr c = root ? root->children : NULL; c; c = c->next)
		if (is(c, "Profiles"))
			profiles = c;
	CHECK(profiles != NULL);
	if (!profiles) {
		xmlFreeDoc(doc);
		return;
	}
	char *common_name = NULL;
	int nprofiles = 0, bad = 0, refs = 0;
	bool mode[2][2] = {{false, false}, {false, false}}; /* [Verbose/Light][File/Memory] */

	for (xmlNodePtr c = profiles->children; c; c = c->next) {
		if (is(c, "SystemCollector") || is(c, "EventCollector"))
			check_collector(c);
		if (c->type == XML_ELEMENT_NODE && xmlHasProp(c, (const xmlChar *)"Id")) {
			char *id = prop(c, "Id");

			CHECK_EQ_U64(defined(profiles, (const char *)c->name, id), 1);
			xmlFree(id);
		}
		if (!is(c, "Profile"))
			continue;
		nprofiles++;
		char *id = prop(c, "Id"), *name = prop(c, "Name"), *desc = prop(c, "Description"),
		     *lm = prop(c, "LoggingMode"), *dl = prop(c, "DetailLevel");

		CHECK(id && name && desc && lm && dl);
		if (id && name && desc && lm && dl) {
			char want[512];
			int d = strcmp(dl, "Verbose") == 0 ? 0 : strcmp(dl, "Light") == 0 ? 1 : -1;
			int m = strcmp(lm, "File") == 0 ? 0 : strcmp(lm, "Memory") == 0 ? 1 : -1;

			CHECK(d >= 0 && m >= 0);
			snprintf(want, sizeof(want), "%s.%s.%s", name, dl, lm);
			CHECK_STR(id, want);
			CHECK(id[0] && !strchr(id, ':') && !strchr(id, ' '));
			CHECK(desc[0] != '\0');
			if (d >= 0 && m >= 0) {
				CHECK(!mode[d][m]); /* one profile per combination */
				mode[d][m] = true;
			}
			if (!common_name)
				common_name = strdup(name);
			else
				CHECK_STR(name, common_name);
		}
		xmlFree(id);
		xmlFree(name);
		xmlFree(desc);
		xmlFree(lm);
		xmlFree(dl);
		bad += unresolved(profiles, c, "SystemCollectorId", "SystemCollector", &refs);
		bad += unresolved(profiles, c, "EventCollectorId", "EventCollector", &refs);
		bad += unresolved(profiles, c, "SystemProviderId", "SystemProvider", &refs);
		bad += unresolved(profiles, c, "EventProviderId", "EventProvider", &refs);
		for (xmlNodePtr k = c->children; k; k = k->next)
			for (xmlNodePtr r = is(k, "Collectors") ? k->children : NULL; r;
			     r = r->next)
				if (r->type == XML_ELEMENT_NODE)
					check_buffers(r);
	}
	CHECK(nprofiles >= 2 && nprofiles <= 4);
	for (int d = 0; d < 2; d++)
		CHECK(mode[d][0] == mode[d][1]); /* File and Memory come in pairs */
	CHECK(mode[0][0]);                       /* the Verbose pair is there */
	CHECK_STR(common_name, ALPCSCOPE_WPR_PROFILE_NAME);
	CHECK(refs >= 8); /* 2 profiles x (2 collectors, 1 system provider, 2 event providers) */
	CHECK_EQ_U64(bad, 0);
	free(common_name);
	xmlFreeDoc(doc);
}

static char *
slurp(FILE *f, size_t *len)
{
	long n;
	char *d = NULL;

	*len = 0;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		return NULL;
	d = malloc((size_t)n + 1);
	if (d && fread(d, 1, (size_t)n, f) == (size_t)n)
		*len = (size_t)n;
	return d;
}

/* A profile that breaks a rule must fail the checks (the checks can fail). */
static void
check_catches_breakage(void)
{
	static const char broken[] =
	    "<WindowsPerformanceRecorder Version=\"1.0\"><Profiles>"
	    "<SystemCollector Id=\"S\" Name=\"NT Kernel Logger\"><BufferSize Value=\"1024\"/>"
	    "<Buffers Value=\"256\"/></SystemCollector>"
	    "<SystemProvider Id=\"P\"/>"
	    "<Profile Id=\"x.Verbose.File\" Name=\"x\" Description=\"d\" LoggingMode=\"File\" "
	    "DetailLevel=\"Verbose\"><Collectors><SystemCollectorId Value=\"S\">"
	    "<SystemProviderId Value=\"Q\"/></SystemCollectorId></Collectors></Profile>"
	    "</Profiles></WindowsPerformanceRecorder>";
	unsigned before = check_failed;

	fprintf(stderr, "a broken profile (the failures below are expected):\n");
	check_document("broken", broken, sizeof(broken) - 1);
	unsigned caught = check_failed - before;

	check_failed = before;
	fprintf(stderr, "end of the expected failures\n");
	CHECK(caught >= 3); /* no Memory twin, wrong name, unresolved provider */
}

int
main(void)
{
	FILE *f = tmpfile();
	struct alpcscope_error err;
	size_t len = 0;
	char *text = NULL;

	CHECK(f != NULL);
	if (f) {
		CHECK(alpcscope_profile_write(f, &err) == ALPCSCOPE_OK);
		text = slurp(f, &len);
		fclose(f);
	}
	CHECK(text != NULL);
	if (text)
		check_document("alpcscope profile", text, len);
	free(text);
	f = fopen("fixtures/alpcscope.wprp", "rb");
	CHECK(f != NULL);
	if (f) {
		text = slurp(f, &len);
		fclose(f);
		CHECK(text != NULL);
		if (text)
			check_document("fixtures/alpcscope.wprp", text, len);
		free(text);
	}
	check_catches_breakage();
	xmlCleanupParser();
	return check_summary();
}
