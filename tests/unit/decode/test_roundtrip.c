/* SPDX-License-Identifier: MIT */
/*
 * End to end: write a trace with the test ETL writer (tests/support) holding
 * every typed event — including ALPC, which no real sample has, with both
 * PortName encodings — read it back with the reader and check each decoded
 * field. Exercises SYSTEM/PERFINFO/FULL framing and 32/64-bit records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alpcscope/decode.h"
#include "alpcscope/reader.h"
#include "check.h"
#include "etl_writer.h"

static const struct etl_guid pdb = {
    0x1122aabb, 0x3344, 0x5566, {0x77, 0x88, 0x99, 0x00, 0xa1, 0xb2, 0xc3, 0xd4}};

static uint8_t *
write_trace(size_t *size)
{
	struct etl_writer_config cfg;
	struct etl_writer *w = NULL;
	struct etl_bytes b = {0};
	struct etl_rec r = {0, 0, 0, 4, 8, 0, 0};
	struct etl_process proc = {0xFFFFC00012345000u,
				   600,
				   500,
				   1,
				   0,
				   0x1AB000,
				   0,
				   "S-1-5-21-1-2-3-1001",
				   "notepad.exe",
				   "notepad.exe C:\\t\xc3\xa9st.txt",
				   "",
				   ""};
	struct etl_thread th = {600,
				601,
				0xFFFFF80000010000u,
				0xFFFFF8000000A000u,
				0xA00000,
				0x9F0000,
				0xFF,
				0x7FF6000010A0u,
				0x7FFDE000,
				0x1C,
				-2,
				5,
				2,
				0,
				"main thread"};
	struct etl_image img = {0x7FF600000000u,
				0x3F000,
				600,
				0x12345,
				0x5E7A1B2C,
				0x0C,
				1,
				0x140000000u,
				"\\Device\\HarddiskVolume3\\Windows\\notepad.exe"};
	struct etl_image img32 = {
	    0x77A00000u, 0x1A2000,    600,
	    0x1F00D,     0x4CE7979D,  0,
	    0,           0x77A00000u, "\\Device\\HarddiskVolume3\\Windows\\SysWOW64\\ntdll.dll"};
	struct etl_service svc = {
	    500,           4,  0x1C,     "Winmgmt", "Windows Management Instrumentation",
	    "svchost.exe", "", "netsvcs"};
	uint64_t frames[3] = {0xFFFFF80012340000u, 0x7FFA00001000u, 0x7FF600001234u};
	uint8_t *mem;
	int64_t t0;

	etl_writer_config_init(&cfg);
	cfg.cpus = 1;
	if (etl_writer_open_memory(&w, &cfg) != 0)
		return NULL;
	t0 = etl_writer_ticks_at(w, 1, 1);
	r.ticks = t0;
	etl_emit_process(w, &r, ETL_HOOK_PROCESS_START, &proc);
	r.ticks++;
	r.pid = 600, r.tid = 601;
	etl_emit_thread(w, &r, ETL_HOOK_THREAD_START, &th);
	r.ticks++;
	etl_bytes_reset(&b);
	etl_enc_thread_setname(&b, 600, 601, "renamed");
	etl_writer_perfinfo(w, &r, ETL_HOOK_THREAD_SETNAME, 2, b.data, b.len);
	r.ticks++;
	etl_emit_image(w, &r, ETL_HOOK_IMAGE_LOAD, &img);
	r.ticks++;
	r.width = 4; /* a 32-bit record (WOW64 view) in a 64-bit trace */
	etl_bytes_reset(&b);
	etl_enc_image(&b, 4, 3, &img32);
	etl_writer_system(w, &r, ETL_HOOK_IMAGE_DCSTART, 3, b.data, b.len);
	r.width = 0;

	/* ALPC 33-37 and a raw 38. */
	r.ticks++;
	etl_bytes_reset(&b);
	etl_enc_alpc_msg(&b, 0x1234);
	etl_emit_alpc(w, &r, 33, b.data, b.len);
	etl_emit_alpc(w, &r, 34, b.data, b.len);
	etl_emit_alpc(w, &r, 35, b.data, b.len);
	r.ticks++;
	etl_bytes_reset(&b);
	etl_enc_alpc_wait_new(&b, 1, "\\RPC Control\\OLE1234", false);
	etl_emit_alpc(w, &r, 36, b.data, b.len);
	etl_bytes_reset(&b);
	etl_enc_alpc_wait_new(&b, 0, "WmiPrvSE.exe", true);
	etl_emit_alpc(w, &r, 36, b.data, b.len);
	etl_bytes_reset(&b);
	etl_enc_alpc_unwait(&b, 0x102);
	etl_emit_alpc(w, &r, 37, b.data, b.len);
	etl_emit_alpc(w, &r, 38, "\x01\x02\x03", 3);

	/* Stacks: walk, key definition (35), user key reference (38). */
	r.ticks++;
	etl_emit_stackwalk(w, &r, t0, 600, 601, frames, 3);
	etl_bytes_reset(&b);
	etl_enc_stack_key_def(&b, 8, 0xFFFFA00000001000u, frames, 3);
	etl_writer_perfinfo(w, &r, ETL_HOOK_STACK_KEY_DELETE, 2, b.data, b.len);
	etl_bytes_reset(&b);
	etl_enc_stack_key_ref(&b, 8, t0, 600, 601, 0xFFFFA00000001000u);
	etl_writer_perfinfo(w, &r, ETL_HOOK_STACK_REF_USER, 2, b.data, b.len);

	/* KernelTraceControl: a 32-bit ImageID, a 64-bit DbgID. */
	r.ticks++;
	r.width = 4;
	etl_bytes_reset(&b);
	etl_enc_image_id(&b, 4, 0x77A00000u, 0x1A2000, 600, 0x4CE7979D, "ntdll.dll");
	etl_writer_full(w, &r, &etl_guid_image_id, 0, 0, 2, b.data, b.len);
	r.width = 0;
	etl_bytes_reset(&b);
	etl_enc_dbgid_rsds(&b, 8, 0x7FF600000000u, 600, &pdb, 3, "notepad.pdb");
	etl_writer_full(w, &r, &etl_guid_image_id, 36, 0, 2, b.data, b.len);

	/* SystemConfig Services v3. */
	r.ticks++;
	etl_bytes_reset(&b);
	etl_enc_service(&b, 3, &svc);
	etl_writer_system(w, &r, ETL_HOOK_CONFIG_SERVICES, 3, b.data, b.len);

	etl_bytes_free(&b);
	if (etl_writer_finish(w, 0) != 0) {
		fprintf(stderr, "writer: %s\n", etl_writer_error(w));
		etl_writer_free(w);
		return NULL;
	}
	mem = etl_writer_take_memory(w, size);
	etl_writer_free(w);
	return mem;
}

static unsigned seen_wait_new;

static void
check_event(const struct alpcscope_event *ev, const struct alpcscope_decoded *d, unsigned *hits)
{
	const char *n = d->name ? d->name : "";

	if (strcmp(n, "Process/Start") == 0) {
		CHECK(d->kind == ALPCSCOPE_DECODED_PROCESS);
		CHECK_EQ_U64(d->as.process.process_id, 600);
		CHECK_EQ_U64(d->as.process.parent_id, 500);
		CHECK_EQ_U64(d->as.process.unique_process_key, 0xFFFFC00012345000u);
		CHECK_STR(d->as.process.user_sid, "S-1-5-21-1-2-3-1001");
		CHECK_STR(d->as.process.image_file_name, "notepad.exe");
		CHECK_STR(d->as.process.command_line, "notepad.exe C:\\t\xc3\xa9st.txt");
		CHECK_EQ_U64(ev->thread_id, 8); /* header = creating thread */
		hits[0]++;
	} else if (strcmp(n, "Thread/Start") == 0) {
		CHECK(d->kind == ALPCSCOPE_DECODED_THREAD);
		CHECK_EQ_U64(d->as.thread.thread_id, 601);
		CHECK_EQ_U64(d->as.thread.win32_start_addr, 0x7FF6000010A0u);
		CHECK(d->as.thread.base_priority == -2);
		CHECK_EQ_U64(d->as.thread.sub_process_tag, 0x1C);
		CHECK_STR(d->as.thread.thread_name, "main thread");
		hits[1]++;
	} else if (strcmp(n, "Thread/SetName") == 0) {
		CHECK(d->kind == ALPCSCOPE_DECODED_THREAD_NAME);
		CHECK_STR(d->as.thread_name.thread_name, "renamed");
		CHECK_EQ_U64(d->as.thread_name.thread_id, 601);
		hits[2]++;
	} else if (strcmp(n, "Image/Load") == 0) {
		CHECK(d->kind == ALPCSCOPE_DECODED_IMAGE);
		CHECK_EQ_U64(ev->group, 3); /* hook 0x030A */
		CHECK_EQ_U64(d->as.image.image_base, 0x7FF600000000u);
		CHECK_EQ_U64(d->as.image.default_base, 0x140000000u);
		CHECK_STR(d->as.image.file_name, "\\Device\\HarddiskVolume3\\Windows\\notepad.exe");
		hits[3]++;
	} else if (strcmp(n, "Image/DCStart") == 0) {
		CHECK(d->kind == ALPCSCOPE_DECODED_IMAGE);
		CHECK_EQ_U64(d->pointer_size, 4);
		CHECK_EQ_U64(d->as.image.image_base, 0x77A00000u);
		CHECK_EQ_U64(d->as.image.time_date_stamp, 0x4CE7979D);
		CHECK_STR(d->as.image.file_name,
			  "\\Device\\HarddiskVolume3\\Windows\\SysWOW64\\ntdll.dll");
		hits[4]++;
	} else if (strncmp(n, "ALPC/", 5) == 0) {
		CHECK(d->kind == ALPCSCOPE_DECODED_ALPC);
		if (ev->opcode >= 33 && ev->opcode <= 35)
			CHECK_EQ_U64(d->as.alpc.message_id, 0x1234);
		if (ev->opcode == 36 && seen_wait_new++ == 0) {
			CHECK_STR(d->as.alpc.port_name, "\\RPC Control\\OLE1234");
			CHECK(d->as.alpc.port_name_encoding == ALPCSCOPE_PORT_NAME_UTF16);
			CHECK_EQ_U64(d->as.alpc.is_server_port, 1);
		} else if (ev->opcode == 36) {
			CHECK_STR(d->as.alpc.port_name, "WmiPrvSE.exe");
			CHECK(d->as.alpc.port_name_encoding == ALPCSCOPE_PORT_NAME_SINGLE_BYTE);
		}
		if (ev->opcode == 37)
			CHECK_EQ_U64(d->as.alpc.status, 0x102);
		if (ev->opcode == 38)
			CHECK_EQ_U64(d->as.alpc.raw_size, 3);
		hits[5]++;
	} else if (strcmp(n, "StackWalk/Stack") == 0) {
		CHECK(d->kind == ALPCSCOPE_DECODED_STACK_WALK);
		CHECK_EQ_U64(d->as.stack_walk.frame_count, 3);
		CHECK_EQ_U64(d->as.stack_walk.frames[0], 0xFFFFF80012340000u);
		CHECK_EQ_U64(d->as.stack_walk.stack_thread, 601);
		hits[6]++;
	} else if (strcmp(n, "StackWalk/KeyDelete") == 0) {
		CHECK(d->kind == ALPCSCOPE_DECODED_STACK_KEY);
		CHECK_EQ_U64(d->as.stack_key.stack_key, 0xFFFFA00000001000u);
		CHECK_EQ_U64(d->as.stack_key.frame_count, 3);
		hits[7]++;
	} else if (strcmp(n, "StackWalk/StackKeyUser") == 0) {
		CHECK(d->kind == ALPCSCOPE_DECODED_STACK_KEY_REF);
		CHECK(d->as.stack_key_ref.is_user);
		CHECK_EQ_U64(d->as.stack_key_ref.stack_key, 0xFFFFA00000001000u);
		hits[8]++;
	} else if (strcmp(n, "KernelTraceControl/ImageID") == 0) {
		CHECK(d->kind == ALPCSCOPE_DECODED_IMAGE_ID);
		CHECK_EQ_U64(d->pointer_size, 4);
		CHECK_EQ_U64(d->as.image_id.image_size, 0x1A2000);
		CHECK_STR(d->as.image_id.original_file_name, "ntdll.dll");
		hits[9]++;
	} else if (strcmp(n, "KernelTraceControl/DbgID_RSDS") == 0) {
		CHECK(d->kind == ALPCSCOPE_DECODED_DBG_ID);
		CHECK_EQ_U64(d->as.dbg_id.guid_sig.data1, 0x1122aabb);
		CHECK_EQ_U64(d->as.dbg_id.age, 3);
		CHECK_STR(d->as.dbg_id.pdb_file_name, "notepad.pdb");
		hits[10]++;
	} else if (strcmp(n, "SystemConfig/Services") == 0) {
		CHECK(d->kind == ALPCSCOPE_DECODED_SERVICE);
		CHECK_EQ_U64(d->as.service.process_id, 500);
		CHECK_STR(d->as.service.service_name, "Winmgmt");
		CHECK_STR(d->as.service.svchost_group, "netsvcs");
		hits[11]++;
	}
}

int
main(void)
{
	static const unsigned want[12] = {1, 1, 1, 1, 1, 7, 1, 1, 1, 1, 1, 1};
	unsigned hits[12] = {0}, i;
	struct alpcscope_reader *reader = NULL;
	struct alpcscope_decoder *dec = NULL;
	const struct alpcscope_event *ev;
	const struct alpcscope_decoded *d;
	struct alpcscope_error err;
	enum alpcscope_status st;
	size_t size = 0;
	uint8_t *mem = write_trace(&size);

	CHECK(mem != NULL);
	if (!mem)
		return check_summary();
	st = alpcscope_reader_open_memory(&reader, mem, size, NULL, &err);
	CHECK(st == ALPCSCOPE_OK);
	CHECK(alpcscope_decoder_new(&dec, NULL) == ALPCSCOPE_OK);
	while (st == ALPCSCOPE_OK &&
	       (st = alpcscope_reader_next(reader, &ev, &err)) == ALPCSCOPE_OK) {
		enum alpcscope_status ds = alpcscope_decode(dec, ev, &d, &err);

		CHECK(ds == ALPCSCOPE_OK);
		if (ds == ALPCSCOPE_OK)
			check_event(ev, d, hits);
	}
	CHECK(st == ALPCSCOPE_END);
	for (i = 0; i < 12; i++)
		if (hits[i] != want[i]) {
			fprintf(stderr, "event group %u seen %u times, expected %u\n", i, hits[i],
				want[i]);
			CHECK(hits[i] == want[i]);
		}
	alpcscope_decoder_free(dec);
	alpcscope_reader_free(reader);
	free(mem);
	return check_summary();
}
