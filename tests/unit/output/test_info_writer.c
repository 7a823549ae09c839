/* SPDX-License-Identifier: MIT */
/*
 * alpcscope_summary_write_info() takes a const summary: it shows providers,
 * their event kinds and processes in display order without reordering the
 * caller's tables (the summary may be written again, or read by another
 * thread, after it).
 */
#include <alpcscope/summary.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/summary_internal.h"
#include "check.h"

static const struct alpcscope_guid provider = {
    0x11111111, 0x2222, 0x3333, {0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55}};

static void
add_manifest_event(struct alpcscope_summary *s, uint16_t id, int64_t t)
{
	struct alpcscope_event ev;
	struct alpcscope_error err;

	memset(&ev, 0, sizeof(ev));
	ev.kind = ALPCSCOPE_RECORD_EVENT_HEADER64;
	ev.pointer_size = 8;
	ev.has_provider = true;
	ev.has_timestamp = true;
	ev.provider = provider;
	ev.event_id = id;
	ev.filetime_100ns = t;
	CHECK(alpcscope_summary_add_event(s, &ev, &err) == ALPCSCOPE_OK);
}

/* Process v2 payload, 64-bit: key, pid, parent, session, exit status, no SID, names. */
static void
add_process(struct alpcscope_summary *s, uint8_t opcode, uint32_t pid, const char *image, int64_t t)
{
	uint8_t b[64] = {0};
	size_t n = 8;
	struct alpcscope_event ev;
	struct alpcscope_error err;

	memcpy(b + n, &pid, 4); /* little-endian host: the tests run on x86-64 and arm64 */
	n += 4 + 4 + 4 + 4 + 4; /* ParentId, SessionId, ExitStatus, UserSID = 0 */
	memcpy(b + n, image, strlen(image) + 1);
	n += strlen(image) + 1 + 2; /* empty UTF-16 command line */
	memset(&ev, 0, sizeof(ev));
	ev.kind = ALPCSCOPE_RECORD_SYSTEM64;
	ev.pointer_size = 8;
	ev.is_kernel = true;
	ev.group = 0x03;
	ev.opcode = opcode;
	ev.hook_id = (uint16_t)(0x0300 | opcode);
	ev.version = 2;
	ev.has_timestamp = true;
	ev.filetime_100ns = t;
	ev.payload = b;
	ev.payload_size = n;
	CHECK(alpcscope_summary_add_event(s, &ev, &err) == ALPCSCOPE_OK);
}

static char *
write_text(const struct alpcscope_summary *s, enum alpcscope_summary_format fmt)
{
	struct alpcscope_trace_info info;
	struct alpcscope_reader_stats stats;
	struct alpcscope_error err;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	memset(&info, 0, sizeof(info));
	memset(&stats, 0, sizeof(stats));
	CHECK(out != NULL);
	CHECK(alpcscope_summary_write_info(s, &info, &stats, "t.etl", fmt, out, &err) ==
	      ALPCSCOPE_OK);
	fclose(out);
	return text;
}

int
main(void)
{
	struct alpcscope_summary *s;
	struct alpcscope_error err;

	CHECK(alpcscope_summary_new(&s, &err) == ALPCSCOPE_OK);
	/* Kinds 9, 7 in first-seen order, equally frequent: listed by id, 7 first. */
	add_manifest_event(s, 9, 100);
	add_manifest_event(s, 7, 101);
	/* Processes in first-seen order 200 (later time), 100 (earlier time). */
	add_process(s, 3, 200, "late.exe", 500);
	add_process(s, 1, 100, "early.exe", 50);
	CHECK_EQ_U64(s->nproviders, 1);
	CHECK_EQ_U64(s->providers[0].nkinds, 2);
	CHECK_EQ_U64(s->npevents, 2);

	struct summary_kind kinds[2];
	struct summary_process_event procs[2];

	memcpy(kinds, s->providers[0].kinds, sizeof(kinds));
	memcpy(procs, s->pevents, sizeof(procs));

	char *text = write_text(s, ALPCSCOPE_SUMMARY_TEXT);
	char *json = write_text(s, ALPCSCOPE_SUMMARY_JSON);

	/* Display order: kinds by count, processes by time. */
	CHECK(text && strstr(text, "id7/op0:1 id9/op0:1") != NULL);
	CHECK(text && strstr(text, "early.exe") && strstr(text, "late.exe") &&
	      strstr(text, "early.exe") < strstr(text, "late.exe"));
	CHECK(json && strstr(json, "early.exe") && strstr(json, "late.exe") &&
	      strstr(json, "early.exe") < strstr(json, "late.exe"));
	/* The caller's tables are untouched. */
	CHECK(memcmp(kinds, s->providers[0].kinds, sizeof(kinds)) == 0);
	CHECK(memcmp(procs, s->pevents, sizeof(procs)) == 0);
	CHECK_EQ_U64(s->providers[0].kinds[0].event_id, 9);
	CHECK_EQ_U64(s->pevents[0].pid, 200);

	/* Writing again gives the same bytes. */
	char *again = write_text(s, ALPCSCOPE_SUMMARY_TEXT);

	CHECK(text && again && strcmp(text, again) == 0);
	free(text);
	free(json);
	free(again);
	alpcscope_summary_free(s);
	return check_summary();
}
