/* SPDX-License-Identifier: MIT */
/* Thread payloads v2-v4 (32/64-bit), optional ThreadName, SetName 72; truncations rejected. */
#include <stdio.h>

#include "alpcscope/decode.h"
#include "check.h"
#include "payload_builder.h"

/* Returns the length of the fixed part (before ThreadName). */
static size_t
build_thread(struct pb *b, uint8_t v, unsigned P, const char *name)
{
	size_t fixed;

	b->len = 0;
	pb_u32(b, 4242);                                          /* ProcessId */
	pb_u32(b, 5151);                                          /* TThreadId */
	pb_ptr(b, P, P == 8 ? 0xFFFFF80000010000u : 0x90010000u); /* StackBase */
	pb_ptr(b, P, P == 8 ? 0xFFFFF8000000A000u : 0x9000A000u); /* StackLimit */
	pb_ptr(b, P, 0x00A00000);                                 /* UserStackBase */
	pb_ptr(b, P, 0x009F0000);                                 /* UserStackLimit */
	pb_ptr(b, P, v >= 3 ? 0xFF : 0x77001000);                 /* Affinity / StartAddr */
	pb_ptr(b, P, 0x00401000);                                 /* Win32StartAddr */
	pb_ptr(b, P, 0x7FFDE000);                                 /* TebBase */
	pb_u32(b, 0x1C);                                          /* SubProcessTag */
	if (v >= 3) {
		pb_u8(b, 0xFE); /* BasePriority -2 */
		pb_u8(b, 5);
		pb_u8(b, 2);
		pb_u8(b, 0x10);
	}
	fixed = b->len;
	if (name)
		pb_utf16(b, name);
	return fixed;
}

static void
check_one(struct alpcscope_decoder *dec, uint8_t v, unsigned P, const char *name)
{
	struct pb b;
	struct alpcscope_event ev;
	const struct alpcscope_decoded *d;
	const struct alpcscope_thread *r;
	size_t fixed = build_thread(&b, v, P, name);
	size_t ok_lens[1];

	CHECK_EQ_U64(fixed, (v >= 3 ? 44u : 40u) + (P == 8 ? 28u : 0u));
	ev = kernel_event(0x05, 3, v, P, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_THREAD);
	CHECK_STR(d->name, "Thread/DCStart");
	r = &d->as.thread;
	CHECK_EQ_U64(r->process_id, 4242);
	CHECK_EQ_U64(r->thread_id, 5151);
	CHECK_EQ_U64(r->stack_base, P == 8 ? 0xFFFFF80000010000u : 0x90010000u);
	CHECK_EQ_U64(r->stack_limit, P == 8 ? 0xFFFFF8000000A000u : 0x9000A000u);
	CHECK_EQ_U64(r->user_stack_base, 0x00A00000);
	CHECK_EQ_U64(r->user_stack_limit, 0x009F0000);
	CHECK_EQ_U64(r->start_addr_or_affinity, v >= 3 ? 0xFF : 0x77001000);
	CHECK_EQ_U64(r->win32_start_addr, 0x00401000);
	CHECK_EQ_U64(r->teb_base, 0x7FFDE000);
	CHECK_EQ_U64(r->sub_process_tag, 0x1C);
	CHECK(r->has_priorities == (v >= 3));
	if (v >= 3) {
		CHECK(r->base_priority == -2);
		CHECK_EQ_U64(r->page_priority, 5);
		CHECK_EQ_U64(r->io_priority, 2);
		CHECK_EQ_U64(r->thread_flags, 0x10);
		CHECK(alpcscope_decoded_field(d, "Affinity") != NULL);
	} else {
		CHECK(alpcscope_decoded_field(d, "StartAddr") != NULL);
	}
	if (name)
		CHECK_STR(r->thread_name, name);
	else
		CHECK(r->thread_name == NULL);
	CHECK((alpcscope_decoded_field(d, "ThreadName") != NULL) == (name != NULL));
	{
		const struct alpcscope_field *f = field_of(d, "TThreadId", ALPCSCOPE_FIELD_UINT);

		CHECK(f && f->value.u == 5151);
		f = field_of(d, "Win32StartAddr", ALPCSCOPE_FIELD_HEX);
		CHECK(f && f->value.u == 0x00401000);
	}

	/* The name is optional (v3 and, leniently, v4): a payload ending at the fixed part is fine.
	 */
	ok_lens[0] = fixed;
	CHECK_EQ_U64(check_truncations(dec, &ev, ALPCSCOPE_DECODED_THREAD, ok_lens, v >= 3 ? 1 : 0),
		     0);
}

static void
test_versions(void)
{
	struct alpcscope_decoder *dec;
	uint8_t v;

	CHECK(alpcscope_decoder_new(&dec, NULL) == ALPCSCOPE_OK);
	for (v = 2; v <= 5; v++) {
		unsigned P;

		for (P = 4; P <= 8; P += 4) {
			check_one(dec, v, P, NULL);
			if (v >= 3) {
				check_one(dec, v, P, "worker \xe2\x82\xac");
				check_one(dec, v, P, "");
			}
		}
	}
	alpcscope_decoder_free(dec);
}

static void
test_v2_tail_ignored(void)
{
	struct alpcscope_decoder *dec;
	const struct alpcscope_decoded *d;
	struct alpcscope_event ev;
	struct pb b;

	CHECK(alpcscope_decoder_new(&dec, NULL) == ALPCSCOPE_OK);
	/* v2 has no ThreadName: trailing bytes are not read as one. */
	build_thread(&b, 2, 8, "x");
	ev = kernel_event(0x05, 1, 2, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_THREAD);
	CHECK(d->as.thread.thread_name == NULL);
	CHECK_STR(d->name, "Thread/Start");
	/* CSwitch and other opcodes are generic. */
	ev = kernel_event(0x05, 36, 2, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_GENERIC);
	CHECK_STR(d->name, "Thread/CSwitch");
	alpcscope_decoder_free(dec);
}

static void
test_set_name(void)
{
	struct alpcscope_decoder *dec;
	const struct alpcscope_decoded *d;
	struct alpcscope_event ev;
	struct pb b;

	CHECK(alpcscope_decoder_new(&dec, NULL) == ALPCSCOPE_OK);
	b.len = 0;
	pb_u32(&b, 900);
	pb_u32(&b, 901);
	pb_utf16(&b, "RPC worker");
	ev = kernel_event(0x05, 72, 2, 8, &b);
	/* SetName is PERFINFO-framed: no thread or process in the header. */
	ev.kind = ALPCSCOPE_RECORD_PERFINFO64;
	ev.thread_id = ALPCSCOPE_ID_UNKNOWN;
	ev.process_id = ALPCSCOPE_ID_UNKNOWN;
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_THREAD_NAME);
	CHECK_STR(d->name, "Thread/SetName");
	CHECK_EQ_U64(d->as.thread_name.process_id, 900);
	CHECK_EQ_U64(d->as.thread_name.thread_id, 901);
	CHECK_STR(d->as.thread_name.thread_name, "RPC worker");
	CHECK(field_of(d, "ThreadName", ALPCSCOPE_FIELD_STRING) != NULL);
	CHECK_EQ_U64(check_truncations(dec, &ev, ALPCSCOPE_DECODED_THREAD_NAME, NULL, 0), 0);

	/* An odd-length tail cannot hold the UTF-16 terminator. */
	b.len = 0;
	pb_u32(&b, 900);
	pb_u32(&b, 901);
	pb_u8(&b, 'A');
	pb_u8(&b, 0);
	pb_u8(&b, 0);
	ev = kernel_event(0x05, 72, 2, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_E_CORRUPT);
	alpcscope_decoder_free(dec);
}

int
main(void)
{
	test_versions();
	test_v2_tail_ignored();
	test_set_name();
	return check_summary();
}
