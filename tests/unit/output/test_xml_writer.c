/* SPDX-License-Identifier: MIT */
/*
 * XML writers: the sanitiser keeps any bytes well-formed; `dump --format xml`
 * events with hostile strings and payloads re-parse with libxml2 and keep
 * their <System> values; the WPR profile re-parses and has the structure the
 * WPR profile schema asks for (collectors, providers, profile, references).
 */
#include <alpcscope/alpcscope.h>

#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "check.h"
#include "output/xml_util.h"

static char *
slurp(FILE *f, size_t *len)
{
	long n;
	char *buf;

	fflush(f);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (!buf)
		return NULL;
	*len = fread(buf, 1, (size_t)n, f);
	buf[*len] = '\0';
	return buf;
}

static xmlDocPtr
parse(const char *buf, size_t len)
{
	return xmlReadMemory(buf, (int)len, "test.xml", NULL, XML_PARSE_NONET);
}

static void
test_sanitize(void)
{
	struct strbuf sb = {0};

	xml_sanitize(&sb, "ok\tline\n", 8);
	CHECK_STR(sb.data, "ok\tline\n");
	strbuf_reset(&sb);
	xml_sanitize(&sb,
		     "a\x01"
		     "b",
		     3);
	CHECK_STR(sb.data, "a\\x01b");
	strbuf_reset(&sb);
	xml_sanitize(&sb, "\xff\xc3\x28", 3); /* invalid byte, bad continuation */
	CHECK_STR(sb.data, "\xef\xbf\xbd\xef\xbf\xbd(");
	strbuf_reset(&sb);
	xml_sanitize(&sb, "\xed\xa0\x80", 3); /* UTF-8 encoded surrogate */
	CHECK_STR(sb.data, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	strbuf_reset(&sb);
	xml_sanitize(&sb, "\xef\xbf\xbf", 3); /* U+FFFF is not an XML character */
	CHECK_STR(sb.data, "\xef\xbf\xbd");
	strbuf_reset(&sb);
	xml_sanitize(&sb, "\xc3\xa9\xf0\x9f\x98\x80", 6); /* é, emoji stay */
	CHECK_STR(sb.data, "\xc3\xa9\xf0\x9f\x98\x80");
	strbuf_free(&sb);
}

/* Random bytes in every string: the document must stay well-formed. */
static void
test_random_strings_wellformed(void)
{
	FILE *f = tmpfile();
	struct xml_out x;
	char s[64];
	size_t len;
	unsigned seed = 12345;

	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(xml_out_open(&x, f, true));
	xml_start(&x, "Root");
	for (int i = 0; i < 2000; i++) {
		size_t n = (size_t)(i % 63);

		for (size_t j = 0; j < n; j++) {
			seed = seed * 1103515245u + 12345u;
			s[j] = (char)((seed >> 16) & 0xFF);
			if (!s[j])
				s[j] = 1;
		}
		s[n] = '\0';
		xml_start(&x, "E");
		xml_attr(&x, "A", s);
		xml_text(&x, s);
		xml_comment(&x, s);
		xml_end(&x);
	}
	CHECK(xml_out_close(&x));
	char *buf = slurp(f, &len);
	xmlDocPtr doc = parse(buf, len);

	CHECK(doc != NULL);
	xmlFreeDoc(doc);
	free(buf);
	fclose(f);
}

static const char *
child_text(xmlNodePtr parent, const char *name, char *out, size_t n)
{
	for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0) {
			xmlChar *t = xmlNodeGetContent(c);

			snprintf(out, n, "%s", t ? (const char *)t : "");
			xmlFree(t);
			return out;
		}
	}
	return NULL;
}

static xmlNodePtr
child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

static void
test_dump_event(void)
{
	FILE *f = tmpfile();
	struct alpcscope_dump_writer *w = NULL;
	struct alpcscope_error err;
	struct alpcscope_event ev;
	struct alpcscope_decoded d;
	struct alpcscope_field fields[3];
	uint8_t payload[5] = {0, 1, 2, 0xfe, 0xff};
	char buf[256];
	size_t len;

	memset(&ev, 0, sizeof(ev));
	memset(&d, 0, sizeof(d));
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(alpcscope_dump_writer_new(&w, ALPCSCOPE_DUMP_XML, f, &err) == ALPCSCOPE_OK);
	ev.kind = ALPCSCOPE_RECORD_SYSTEM64;
	ev.pointer_size = 8;
	ev.is_kernel = true;
	ev.has_provider = true;
	ev.group = 0x1A;
	ev.opcode = 36;
	ev.version = 2;
	ev.hook_id = 0x1A24;
	ev.provider = *alpcscope_kernel_group_guid(0x1A);
	ev.process_id = 1234;
	ev.thread_id = 5678;
	ev.processor = 3;
	ev.has_timestamp = true;
	ev.timestamp_ticks = 42;
	ev.filetime_100ns = 133590312001234567;
	d.kind = ALPCSCOPE_DECODED_ALPC;
	d.name = "ALPC/Wait-For-New-Message";
	fields[0] = (struct alpcscope_field){"IsServerPort", ALPCSCOPE_FIELD_UINT, {.u = 1}};
	fields[1] = (struct alpcscope_field){
	    "PortName", ALPCSCOPE_FIELD_STRING, {.str = "\\RPC Control\\<&>\x01\xff\"'"}};
	fields[2] = (struct alpcscope_field){"Status", ALPCSCOPE_FIELD_HEX, {.u = 0xC0000001}};
	d.fields = fields;
	d.field_count = 3;
	CHECK(alpcscope_dump_writer_event(w, &ev, &d, &err) == ALPCSCOPE_OK);
	/* a generic event with raw bytes */
	ev.is_kernel = false;
	ev.kind = ALPCSCOPE_RECORD_EVENT_HEADER64;
	ev.payload = payload;
	ev.payload_size = sizeof(payload);
	CHECK(alpcscope_dump_writer_event(w, &ev, NULL, &err) == ALPCSCOPE_OK);
	alpcscope_dump_writer_free(w);

	char *doc_text = slurp(f, &len);
	xmlDocPtr doc = parse(doc_text, len);

	CHECK(doc != NULL);
	if (doc) {
		xmlNodePtr root = xmlDocGetRootElement(doc);
		xmlNodePtr e1 = child(root, "Event");
		xmlNodePtr sys = child(e1, "System");

		CHECK_STR((const char *)root->name, "Events");
		CHECK(e1 && e1->ns &&
		      strcmp((const char *)e1->ns->href,
			     "http://schemas.microsoft.com/win/2004/08/events/event") == 0);
		CHECK_STR(child_text(sys, "Opcode", buf, sizeof(buf)), "36");
		CHECK_STR(child_text(sys, "Version", buf, sizeof(buf)), "2");
		xmlChar *t = xmlGetProp(child(sys, "TimeCreated"), (const xmlChar *)"SystemTime");
		CHECK_STR((const char *)t, "2024-05-01T10:00:00.1234567Z");
		xmlFree(t);
		t = xmlGetProp(child(sys, "Execution"), (const xmlChar *)"ThreadID");
		CHECK_STR((const char *)t, "5678");
		xmlFree(t);
		xmlNodePtr data = child(child(e1, "EventData"), "Data");
		CHECK(data != NULL);
		data = data ? data->next : NULL;
		while (data && data->type != XML_ELEMENT_NODE)
			data = data->next;
		xmlChar *v = data ? xmlNodeGetContent(data) : NULL;
		CHECK_STR((const char *)v, "\\RPC Control\\<&>\\x01\xef\xbf\xbd\"'");
		xmlFree(v);
		CHECK_STR(
		    child_text(child(e1, "ExtendedTracingInfo"), "EventGuid", buf, sizeof(buf)),
		    "{45d8cccd-539f-4b72-a8b7-5c683142609a}");
		xmlNodePtr e2 = e1 ? e1->next : NULL;
		while (e2 && e2->type != XML_ELEMENT_NODE)
			e2 = e2->next;
		CHECK_STR(child_text(e2, "BinaryEventData", buf, sizeof(buf)), "000102feff");
	}
	xmlFreeDoc(doc);
	free(doc_text);
	fclose(f);
}

static int
count_children(xmlNodePtr parent, const char *name)
{
	int n = 0;

	for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
			n++;
	return n;
}

static bool
has_value(xmlNodePtr list, const char *elem, const char *value)
{
	for (xmlNodePtr c = list ? list->children : NULL; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, elem) != 0)
			continue;
		xmlChar *v = xmlGetProp(c, (const xmlChar *)"Value");
		bool eq = v && strcmp((const char *)v, value) == 0;

		xmlFree(v);
		if (eq)
			return true;
	}
	return false;
}

/* Element order of a .wprp: collectors, system providers, event providers, profiles. */
static void
test_profile(void)
{
	FILE *f = tmpfile();
	struct alpcscope_error err;
	size_t len;

	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(alpcscope_profile_write(f, &err) == ALPCSCOPE_OK);
	char *text = slurp(f, &len);
	xmlDocPtr doc = parse(text, len);

	CHECK(doc != NULL);
	if (doc) {
		xmlNodePtr root = xmlDocGetRootElement(doc);
		xmlNodePtr profiles = child(root, "Profiles");
		int rank = 0, bad_order = 0;
		static const char *const order[] = {"SystemCollector", "EventCollector",
						    "SystemProvider", "EventProvider", "Profile"};

		CHECK_STR((const char *)root->name, "WindowsPerformanceRecorder");
		xmlChar *v = xmlGetProp(root, (const xmlChar *)"Version");
		CHECK_STR((const char *)v, "1.0");
		xmlFree(v);
		for (xmlNodePtr c = profiles ? profiles->children : NULL; c; c = c->next) {
			int r = -1;

			if (c->type != XML_ELEMENT_NODE)
				continue;
			for (int i = 0; i < 5; i++)
				if (strcmp((const char *)c->name, order[i]) == 0)
					r = i;
			CHECK(r >= 0);
			if (r < rank)
				bad_order++;
			rank = r;
		}
		CHECK(bad_order == 0);
		CHECK(count_children(profiles, "Profile") >= 1 &&
		      count_children(profiles, "Profile") <= 4);
		xmlNodePtr sp = child(profiles, "SystemProvider");
		CHECK(has_value(child(sp, "Keywords"), "Keyword", "Alpc"));
		CHECK(has_value(child(sp, "Keywords"), "Keyword", "ProcessThread"));
		CHECK(has_value(child(sp, "Keywords"), "Keyword", "Loader"));
		CHECK(has_value(child(sp, "Stacks"), "Stack", "AlpcSendMessage"));
		CHECK(has_value(child(sp, "Stacks"), "Stack", "AlpcReceiveMessage"));
		CHECK(has_value(child(sp, "Stacks"), "Stack", "ProcessCreate"));
		CHECK(count_children(profiles, "EventProvider") == 2);
		xmlNodePtr prof = child(profiles, "Profile");
		v = xmlGetProp(prof, (const xmlChar *)"Id");
		CHECK_STR((const char *)v, ALPCSCOPE_WPR_PROFILE_ID);
		xmlFree(v);
		v = xmlGetProp(prof, (const xmlChar *)"LoggingMode");
		CHECK_STR((const char *)v, "File");
		xmlFree(v);
		v = xmlGetProp(prof, (const xmlChar *)"DetailLevel");
		CHECK_STR((const char *)v, "Verbose");
		xmlFree(v);
		xmlNodePtr col = child(prof, "Collectors");
		xmlNodePtr sc = child(col, "SystemCollectorId");
		CHECK(has_value(sc, "SystemProviderId", "SystemProvider_alpcscope"));
		xmlNodePtr ec = child(col, "EventCollectorId");
		CHECK(has_value(child(ec, "EventProviders"), "EventProviderId",
				"EventProvider_Microsoft-Windows-RPC"));
		CHECK(has_value(child(ec, "EventProviders"), "EventProviderId",
				"EventProvider_Microsoft-Windows-WMI-Activity"));
	}
	/* the shipped copy is this output */
	FILE *shipped = fopen("fixtures/alpcscope.wprp", "rb");
	CHECK(shipped != NULL);
	if (shipped) {
		fseek(shipped, 0, SEEK_END);
		size_t slen;
		char *s = slurp(shipped, &slen);

		CHECK(s && slen == len && memcmp(s, text, len) == 0);
		free(s);
		fclose(shipped);
	}
	xmlFreeDoc(doc);
	free(text);
	fclose(f);
}

int
main(void)
{
	test_sanitize();
	test_random_strings_wellformed();
	test_dump_event();
	test_profile();
	xmlCleanupParser();
	return check_summary();
}
