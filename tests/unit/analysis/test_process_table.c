/* SPDX-License-Identifier: MIT */
/*
 * Process and thread tables: PID and TID reuse keep instances apart,
 * services name svchost instances (SystemConfig, thread tags, "-s NAME"
 * command lines), OS parents of rundown processes, and the image map.
 */
#include "model_builder.h"

static void
test_pid_reuse(void)
{
	struct mb t;
	char label[128];

	mb_init(&t, NULL);
	mb_process(&t, 3, 0, 0, 0, 4, 0, "System", NULL);
	mb_process(&t, 3, 0, 0, 0, 500, 4, "old.exe", "old.exe -a");
	mb_thread(&t, 3, 0, 500, 504, 0, "worker");
	mb_call_begin(&t, 500, 504, 4, 8, 10, 0x1);
	mb_process(&t, 2, 500, 504, 20, 500, 4, "old.exe", NULL); /* End */
	mb_thread(&t, 2, 20, 500, 504, 0, NULL);
	mb_process(&t, 1, 4, 8, 30, 500, 4, "new.exe", "new.exe -b"); /* PID reused */
	mb_thread(&t, 1, 30, 500, 504, 0, NULL);                      /* TID reused */
	mb_call_begin(&t, 500, 504, 4, 8, 40, 0x2);
	mb_send(&t, 500, 777, 50, 0x3); /* unseen thread: created on demand */
	CHECK(alpcscope_model_finish(t.m, NULL) == ALPCSCOPE_OK);

	const struct alpcscope_message *a = mb_msg(&t, 0), *b = mb_msg(&t, 1);
	uint32_t pa = alpcscope_model_event_process(t.m, &a->send);
	uint32_t pb = alpcscope_model_event_process(t.m, &b->send);

	CHECK(pa != pb);
	CHECK(a->send.thread != b->send.thread);
	CHECK_STR(alpcscope_model_process_at(t.m, pa)->image_name, "old.exe");
	CHECK_STR(alpcscope_model_process_at(t.m, pb)->image_name, "new.exe");
	CHECK(alpcscope_model_process_at(t.m, pa)->ended_in_trace);
	CHECK(alpcscope_model_process_at(t.m, pb)->started_in_trace);
	CHECK_EQ_U64(alpcscope_model_process_at(t.m, pb)->start_ordinal, 9);
	CHECK_STR(alpcscope_model_thread_at(t.m, a->send.thread)->name, "worker");
	CHECK(alpcscope_model_thread_at(t.m, a->send.thread)->ended_in_trace);
	CHECK_EQ_U64(alpcscope_model_event_process(t.m, &mb_msg(&t, 2)->send), pb);
	CHECK_STR(alpcscope_model_process_label(t.m, pb, label, sizeof(label)), "new.exe");
	/* OS parent: System for both (rundown instance and Start-time lookup) */
	CHECK_EQ_U64(alpcscope_model_process_at(t.m, pa)->os_parent, 0);
	CHECK_EQ_U64(alpcscope_model_process_at(t.m, pb)->os_parent, 0);
	CHECK_EQ_U64(alpcscope_model_process_at(t.m, pb)->creator_tid, 8);
	mb_free(&t);
}

static void
test_services(void)
{
	struct mb t;
	char label[128];

	mb_init(&t, NULL);
	mb_process(&t, 3, 0, 0, 0, 1340, 700, "svchost.exe", "svchost.exe -k netsvcs -p");
	mb_thread(&t, 3, 0, 1340, 2260, 0x11, NULL);
	mb_process(&t, 3, 0, 0, 0, 1588, 700, "svchost.exe",
		   "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule");
	mb_process(&t, 3, 0, 0, 0, 900, 700, "svchost.exe", "svchost.exe -k LocalService");
	mb_service(&t, 100, 1340, 0x11, "Winmgmt");
	mb_service(&t, 100, 900, 0x2, "BITS");
	mb_service(&t, 100, 900, 0x3, "Themes");
	CHECK(alpcscope_model_finish(t.m, NULL) == ALPCSCOPE_OK);
	CHECK_STR(alpcscope_model_process_label(t.m, 0, label, sizeof(label)),
		  "svchost.exe (Winmgmt)");
	CHECK_STR(alpcscope_model_process_label(t.m, 1, label, sizeof(label)),
		  "svchost.exe (Schedule)");
	CHECK_STR(alpcscope_model_process_label(t.m, 2, label, sizeof(label)),
		  "svchost.exe (BITS, Themes)");
	CHECK_STR(alpcscope_model_thread_at(t.m, 0)->service, "Winmgmt");
	CHECK_EQ_U64(alpcscope_model_thread_at(t.m, 0)->sub_process_tag, 0x11);
	mb_free(&t);
}

static void
test_image_map(void)
{
	struct mb t;
	uint64_t off = 0;

	mb_init(&t, NULL);
	mb_process(&t, 3, 0, 0, 0, 100, 4, "a.exe", NULL);
	mb_process(&t, 3, 0, 0, 0, 200, 4, "b.exe", NULL);
	mb_image(&t, 0, 200, 0x20000, 0x1000, "\\Device\\X\\b2.dll");
	mb_image(&t, 0, 100, 0x30000, 0x1000, "\\Device\\X\\a3.dll");
	mb_image(&t, 0, 100, 0x10000, 0x8000, "\\Device\\X\\a1.dll");
	mb_image(&t, 0, 100, 0x10000, 0x8000, "\\Device\\X\\a1.dll"); /* rundown repeat */
	CHECK(alpcscope_model_finish(t.m, NULL) == ALPCSCOPE_OK);
	CHECK_EQ_U64(alpcscope_model_image_count(t.m), 3);
	uint32_t i = alpcscope_model_resolve_address(t.m, 0, 0x17fff, 0, &off);

	CHECK(i != ALPCSCOPE_NONE);
	CHECK_STR(alpcscope_model_image_at(t.m, i)->module, "a1.dll");
	CHECK_EQ_U64(off, 0x7fff);
	CHECK_EQ_U64(alpcscope_model_resolve_address(t.m, 0, 0x18000, 0, NULL), ALPCSCOPE_NONE);
	CHECK_EQ_U64(alpcscope_model_resolve_address(t.m, 0, 0x20010, 0, NULL), ALPCSCOPE_NONE);
	i = alpcscope_model_resolve_address(t.m, 1, 0x20010, 0, NULL);
	CHECK(i != ALPCSCOPE_NONE &&
	      strcmp(alpcscope_model_image_at(t.m, i)->module, "b2.dll") == 0);
	mb_free(&t);
}

int
main(void)
{
	test_pid_reuse();
	test_services();
	test_image_map();
	return check_summary();
}
