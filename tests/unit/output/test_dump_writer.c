/* SPDX-License-Identifier: MIT */
/*
 * `dump --format jsonl` rows: control characters in strings are escaped the
 * JSON way (a JSON parser gets the original bytes back, never the text
 * "\x1b"), a literal "\x64" in a path stays that text, each row carries the
 * Timesketch keys, and a payload is written whole unless a limit cuts it
 * (payload_size always tells the real length). Rows are written in
 * batches: nothing reaches the stream before alpcscope_dump_writer_flush()
 * (or free), every row then does, in order, and a failing stream is E_IO.
 */
#include <alpcscope/alpcscope.h>

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static char *
slurp(FILE *f)
{
	long n;
	char *buf;

	fflush(f);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (!buf)
		return NULL;
	buf[fread(buf, 1, (size_t)n, f)] = '\0';
	return buf;
}

/* Write @p ev (with @p d) as one jsonl row under @p limit and parse it. */
static json_object *
row(const struct alpcscope_event *ev, const struct alpcscope_decoded *d, size_t limit)
{
	FILE *f = tmpfile();
	struct alpcscope_dump_writer *w = NULL;
	struct alpcscope_error err;
	json_object *o = NULL;

	if (!f)
		return NULL;
	CHECK(alpcscope_dump_writer_new(&w, ALPCSCOPE_DUMP_JSONL, f, &err) == ALPCSCOPE_OK);
	alpcscope_dump_writer_set_payload_limit(w, limit);
	CHECK(alpcscope_dump_writer_event(w, ev, d, &err) == ALPCSCOPE_OK);
	alpcscope_dump_writer_free(w);
	char *text = slurp(f);

	fclose(f);
	if (text) {
		CHECK(strchr(text, '\n') == text + strlen(text) - 1); /* one line */
		o = json_tokener_parse(text);
		free(text);
	}
	CHECK(o != NULL);
	return o;
}

static const char *
str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static void
base_event(struct alpcscope_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = ALPCSCOPE_RECORD_EVENT_HEADER64;
	ev->pointer_size = 8;
	ev->has_provider = true;
	ev->process_id = 1234;
	ev->thread_id = 5678;
	ev->has_timestamp = true;
	ev->filetime_100ns = 133590312001234567; /* 2024-05-01T10:00:00.1234567Z */
	ev->event_id = 7;
}

static void
test_strings_and_timesketch(void)
{
	struct alpcscope_event ev;
	struct alpcscope_decoded d;
	struct alpcscope_field f[2];
	static const char hostile[] = "\x1b[31mred\r\nnext\ttab\x01";
	static const char path[] = "C:\\Windows\\spool\\prtprocs\\x64\\winprint.dll";

	base_event(&ev);
	memset(&d, 0, sizeof(d));
	d.kind = ALPCSCOPE_DECODED_SCHEMA;
	d.name = "Provider/Event";
	f[0] = (struct alpcscope_field){"Text", ALPCSCOPE_FIELD_STRING, {.str = hostile}};
	f[1] = (struct alpcscope_field){"Path", ALPCSCOPE_FIELD_STRING, {.str = path}};
	d.fields = f;
	d.field_count = 2;
	json_object *o = row(&ev, &d, 0), *fields;

	if (!o)
		return;
	CHECK(json_object_object_get_ex(o, "fields", &fields));
	CHECK_STR(str(fields, "Text"), hostile); /* the bytes, not "\\x1b[31m..." */
	CHECK_STR(str(fields, "Path"), path);    /* a real "\\x64" stays text */
	CHECK_STR(str(o, "message"), "Provider/Event pid 1234 tid 5678");
	CHECK_STR(str(o, "datetime"), "2024-05-01T10:00:00.1234567Z");
	CHECK_STR(str(o, "timestamp_desc"), "Event logged");
	json_object *ts;

	CHECK(json_object_object_get_ex(o, "timestamp", &ts) &&
	      json_object_get_int64(ts) == 1714557600123456);
	json_object_put(o);
}

static void
test_payload(void)
{
	struct alpcscope_event ev;
	uint8_t payload[600];
	json_object *o, *v;

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)i;
	base_event(&ev);
	ev.payload = payload;
	ev.payload_size = sizeof(payload);
	o = row(&ev, NULL, 0); /* whole, even beyond the old 256-byte cut */
	if (o) {
		CHECK(strlen(str(o, "payload")) == 2 * sizeof(payload));
		CHECK(strncmp(str(o, "payload") + 2 * 599, "57", 2) == 0); /* byte 599 = 0x57 */
		CHECK(!json_object_object_get_ex(o, "payload_truncated", &v));
		json_object_put(o);
	}
	o = row(&ev, NULL, 16); /* --payload-bytes 16 */
	if (o) {
		CHECK_STR(str(o, "payload"), "000102030405060708090a0b0c0d0e0f");
		CHECK(json_object_object_get_ex(o, "payload_truncated", &v) &&
		      json_object_get_boolean(v));
		CHECK(json_object_object_get_ex(o, "payload_size", &v) &&
		      json_object_get_int(v) == 600);
		json_object_put(o);
	}
}

static void
test_batches(void)
{
	struct alpcscope_event ev;
	struct alpcscope_dump_writer *w = NULL;
	struct alpcscope_error err;
	FILE *f = tmpfile();

	CHECK(f != NULL);
	if (!f)
		return;
	base_event(&ev);
	CHECK(alpcscope_dump_writer_new(&w, ALPCSCOPE_DUMP_CSV, f, &err) == ALPCSCOPE_OK);
	fflush(f);
	long header = ftell(f);

	unsigned failed = 0;

	for (unsigned i = 0; i < 5000; i++) {
		ev.ordinal = i;
		failed += alpcscope_dump_writer_event(w, &ev, NULL, &err) != ALPCSCOPE_OK;
		if (i == 10) { /* a few rows are still collected, not written */
			fflush(f);
			CHECK(ftell(f) == header);
		}
	}
	CHECK_EQ_U64(failed, 0);
	CHECK(alpcscope_dump_writer_flush(w, &err) == ALPCSCOPE_OK);
	alpcscope_dump_writer_free(w);
	char *text = slurp(f);
	unsigned lines = 0, in_order = 1;

	fclose(f);
	for (char *p = text, *nl; p && (nl = strchr(p, '\n')) != NULL; p = nl + 1, lines++)
		if (lines > 0 && strtoull(p, NULL, 10) != lines - 1)
			in_order = 0;
	CHECK_EQ_U64(lines, 5001); /* header + every row */
	CHECK(in_order);
	free(text);

	FILE *full = fopen("/dev/full", "w");

	if (!full) {
		printf("skip: no /dev/full, write errors not checked\n");
		return;
	}
	setvbuf(full, NULL, _IONBF, 0);
	CHECK(alpcscope_dump_writer_new(&w, ALPCSCOPE_DUMP_JSONL, full, &err) == ALPCSCOPE_OK);
	enum alpcscope_status st = ALPCSCOPE_OK;

	for (unsigned i = 0; i < 5000 && st == ALPCSCOPE_OK; i++)
		st = alpcscope_dump_writer_event(w, &ev, NULL, &err);
	if (st == ALPCSCOPE_OK)
		st = alpcscope_dump_writer_flush(w, &err);
	CHECK(st == ALPCSCOPE_E_IO);
	alpcscope_dump_writer_free(w);
	fclose(full);
}

int
main(void)
{
	test_strings_and_timesketch();
	test_payload();
	test_batches();
	return check_summary();
}
