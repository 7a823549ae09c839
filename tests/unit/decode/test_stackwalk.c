/* SPDX-License-Identifier: MIT */
/* StackWalk 32 and stack-caching 34-38, 32/64-bit frames; truncations rejected. */
#include <stdio.h>

#include "alpcscope/decode.h"
#include "check.h"
#include "payload_builder.h"

static void
test_stack(struct alpcscope_decoder *dec, unsigned P)
{
	const struct alpcscope_decoded *d;
	struct alpcscope_event ev;
	const struct alpcscope_field *f;
	struct pb b;
	size_t ok_lens[128], n_ok = 0, i;

	b.len = 0;
	pb_u64(&b, 0x0000001234567890u);
	pb_u32(&b, 4242);
	pb_u32(&b, 5151);
	for (i = 0; i < 5; i++)
		pb_ptr(&b, P, (P == 8 ? 0xFFFFF80000001000u : 0x80001000u) + i);
	pb_u8(&b, 0xAA); /* partial trailing frame: ignored */
	ev = kernel_event(0x18, 32, 2, P, &b);
	ev.kind = P == 8 ? ALPCSCOPE_RECORD_PERFINFO64 : ALPCSCOPE_RECORD_PERFINFO32;
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_STACK_WALK);
	CHECK_STR(d->name, "StackWalk/Stack");
	CHECK_EQ_U64(d->as.stack_walk.event_timestamp_ticks, 0x0000001234567890u);
	CHECK_EQ_U64(d->as.stack_walk.stack_process, 4242);
	CHECK_EQ_U64(d->as.stack_walk.stack_thread, 5151);
	CHECK_EQ_U64(d->as.stack_walk.frame_count, 5);
	for (i = 0; i < 5; i++)
		CHECK_EQ_U64(d->as.stack_walk.frames[i],
			     (P == 8 ? 0xFFFFF80000001000u : 0x80001000u) + i);
	f = field_of(d, "Stack", ALPCSCOPE_FIELD_ADDRESSES);
	CHECK(f && f->value.addresses.count == 5 &&
	      f->value.addresses.items[4] == d->as.stack_walk.frames[4]);
	CHECK(field_of(d, "EventTimeStamp", ALPCSCOPE_FIELD_UINT) != NULL);
	/* Any cut from 16 bytes on is a (shorter) valid stack. */
	for (i = 16; i < b.len && n_ok < 128; i++)
		ok_lens[n_ok++] = i;
	CHECK_EQ_U64(check_truncations(dec, &ev, ALPCSCOPE_DECODED_STACK_WALK, ok_lens, n_ok), 0);
}

static void
test_keys(struct alpcscope_decoder *dec, unsigned P)
{
	const struct alpcscope_decoded *d;
	struct alpcscope_event ev;
	struct pb b;
	uint8_t op;
	size_t i, ok_lens[32], n_ok = 0;

	for (op = 34; op <= 36; op++) {
		b.len = 0;
		pb_ptr(&b, P, 0xFFFFA00012340000u);
		for (i = 0; i < 3; i++)
			pb_ptr(&b, P, 0x7FF000u + i);
		ev = kernel_event(0x18, op, 2, P, &b);
		CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
		CHECK(d->kind == ALPCSCOPE_DECODED_STACK_KEY);
		CHECK_EQ_U64(d->as.stack_key.stack_key, P == 8 ? 0xFFFFA00012340000u : 0x12340000u);
		CHECK_EQ_U64(d->as.stack_key.frame_count, 3);
		CHECK_EQ_U64(d->as.stack_key.frames[2], 0x7FF002u);
		CHECK(field_of(d, "StackKey", ALPCSCOPE_FIELD_HEX) != NULL);
		n_ok = 0;
		for (i = P; i < b.len; i++)
			ok_lens[n_ok++] = i;
		CHECK_EQ_U64(
		    check_truncations(dec, &ev, ALPCSCOPE_DECODED_STACK_KEY, ok_lens, n_ok), 0);
	}
	CHECK_STR(alpcscope_kernel_opcode_name(0x18, 35), "StackWalk/KeyDelete");
	CHECK_STR(alpcscope_kernel_opcode_name(0x18, 36), "StackWalk/KeyRundown");

	for (op = 37; op <= 38; op++) {
		b.len = 0;
		pb_u64(&b, 987654321);
		pb_u32(&b, 11);
		pb_u32(&b, 22);
		pb_ptr(&b, P, 0xFFFFA00012340000u);
		ev = kernel_event(0x18, op, 2, P, &b);
		CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
		CHECK(d->kind == ALPCSCOPE_DECODED_STACK_KEY_REF);
		CHECK_EQ_U64(d->as.stack_key_ref.event_timestamp_ticks, 987654321);
		CHECK_EQ_U64(d->as.stack_key_ref.stack_process, 11);
		CHECK_EQ_U64(d->as.stack_key_ref.stack_thread, 22);
		CHECK_EQ_U64(d->as.stack_key_ref.stack_key,
			     P == 8 ? 0xFFFFA00012340000u : 0x12340000u);
		CHECK(d->as.stack_key_ref.is_user == (op == 38));
		CHECK_STR(d->name,
			  op == 37 ? "StackWalk/StackKeyKernel" : "StackWalk/StackKeyUser");
		CHECK_EQ_U64(check_truncations(dec, &ev, ALPCSCOPE_DECODED_STACK_KEY_REF, NULL, 0),
			     0);
	}
}

/* Scratch grows for a big stack and is reused (pointers change only with growth). */
static void
test_growth(struct alpcscope_decoder *dec)
{
	static struct pb b;
	const struct alpcscope_decoded *d;
	struct alpcscope_event ev;
	size_t i;

	b.len = 0;
	pb_u64(&b, 1);
	pb_u32(&b, 1);
	pb_u32(&b, 1);
	for (i = 0; i < 1000; i++)
		pb_u64(&b, i);
	ev = kernel_event(0x18, 32, 2, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK_EQ_U64(d->as.stack_walk.frame_count, 1000);
	CHECK_EQ_U64(d->as.stack_walk.frames[999], 999);
}

int
main(void)
{
	struct alpcscope_decoder *dec;

	CHECK(alpcscope_decoder_new(&dec, NULL) == ALPCSCOPE_OK);
	test_stack(dec, 8);
	test_stack(dec, 4);
	test_keys(dec, 8);
	test_keys(dec, 4);
	test_growth(dec);
	alpcscope_decoder_free(dec);
	return check_summary();
}
