/* SPDX-License-Identifier: MIT */
/* Dispatch, generic records, EventTrace group 0, name tables and argument checks. */
#include <stdio.h>

#include "alpcscope/decode.h"
#include "check.h"
#include "payload_builder.h"

static void
test_generic(struct alpcscope_decoder *dec)
{
	static const struct alpcscope_guid prov = {
	    0x6ad52b32, 0xd609, 0x4be9, {0xae, 0x07, 0xce, 0x8d, 0xae, 0x93, 0x7e, 0x39}};
	const struct alpcscope_decoded *d;
	struct alpcscope_event ev;
	struct pb b;

	b.len = 0;
	pb_u32(&b, 0xDEADBEEF);
	ev = classic_event(&prov, 1, 1, 8, &b);
	ev.kind = ALPCSCOPE_RECORD_EVENT_HEADER64;
	ev.event_id = 5;
	ev.level = 4;
	ev.keywords = 0x4000000000000000u;
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_GENERIC);
	CHECK(d->name == NULL);
	CHECK(alpcscope_guid_equal(&d->as.generic.provider, &prov));
	CHECK_EQ_U64(d->as.generic.event_id, 5);
	CHECK_EQ_U64(d->as.generic.opcode, 1);
	CHECK_EQ_U64(d->as.generic.version, 1);
	CHECK_EQ_U64(d->as.generic.level, 4);
	CHECK_EQ_U64(d->as.generic.keywords, 0x4000000000000000u);
	CHECK(d->as.generic.payload == b.buf);
	CHECK_EQ_U64(d->as.generic.payload_size, 4);
	CHECK_EQ_U64(d->field_count, 1);
	CHECK(d->fields[0].type == ALPCSCOPE_FIELD_BYTES);
	CHECK_EQ_U64(d->fields[0].value.bytes.size, 4);

	/* An empty payload given as NULL is fine. */
	ev.payload = NULL;
	ev.payload_size = 0;
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_GENERIC);
	/* ... also for a kernel event that needs bytes: a clean failure. */
	ev = kernel_event(0x1A, 33, 2, 8, &b);
	ev.payload = NULL;
	ev.payload_size = 0;
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_E_CORRUPT);
	CHECK(d && d->kind == ALPCSCOPE_DECODED_GENERIC);

	/* Unknown kernel group: generic, no name. */
	ev = kernel_event(0x1F, 1, 2, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_GENERIC);
	CHECK(d->name == NULL);
}

static void
test_event_trace(struct alpcscope_decoder *dec)
{
	const struct alpcscope_decoded *d;
	struct alpcscope_event ev;
	struct alpcscope_error err;
	struct pb b;
	uint32_t i;

	b.len = 0;
	for (i = 0; i < 8; i++)
		pb_u32(&b, 0x100u + i);
	pb_u32(&b, 0x46);
	ev = kernel_event(0x00, 5, 2, 8, &b);
	ev.kind = ALPCSCOPE_RECORD_PERFINFO64;
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_TRACE_EXTENSION);
	CHECK_STR(d->name, "EventTrace/Extension");
	CHECK_EQ_U64(d->as.trace_extension.group_masks[0], 0x100);
	CHECK_EQ_U64(d->as.trace_extension.group_masks[7], 0x107);
	CHECK(d->as.trace_extension.has_kernel_event_version);
	CHECK_EQ_U64(d->as.trace_extension.kernel_event_version, 0x46);
	CHECK_EQ_U64(d->field_count, 9);
	CHECK_STR(d->fields[0].name, "GroupMask1");
	CHECK_STR(d->fields[8].name, "KernelEventVersion");

	ev = kernel_event(0x00, 32, 2, 8, &b);
	ev.payload_size = 32; /* pre-Vista form */
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_TRACE_EXTENSION);
	CHECK_STR(d->name, "EventTrace/EndExtension");
	CHECK(!d->as.trace_extension.has_kernel_event_version);
	ev.payload_size = 31;
	CHECK(alpcscope_decode(dec, &ev, &d, &err) == ALPCSCOPE_E_CORRUPT);
	CHECK_EQ_U64(err.offset, TEST_FILE_OFFSET);

	/* Log-file header head. */
	b.len = 0;
	pb_u32(&b, 65536);
	pb_u32(&b, 0x05010A00);
	pb_u32(&b, 18362);
	pb_u32(&b, 2);
	pb_u64(&b, 132000000000000000u);
	pb_u32(&b, 156250);
	pb_u32(&b, 0);
	pb_u32(&b, 0x2000080);
	pb_u32(&b, 49);
	pb_u32(&b, 1);
	pb_u32(&b, 8);
	pb_u32(&b, 0);
	pb_u32(&b, 2400);
	ev = kernel_event(0x00, 0, 2, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_TRACE_HEADER);
	CHECK_EQ_U64(d->as.trace_header.buffer_size, 65536);
	CHECK_EQ_U64(d->as.trace_header.provider_version, 18362);
	CHECK_EQ_U64(d->as.trace_header.buffers_written, 49);
	CHECK_EQ_U64(d->as.trace_header.pointer_size, 8);
	CHECK_EQ_U64(d->as.trace_header.cpu_speed_mhz, 2400);
	CHECK_EQ_U64(check_truncations(dec, &ev, ALPCSCOPE_DECODED_TRACE_HEADER, NULL, 0), 0);

	/* RundownComplete (8): generic, named. */
	ev = kernel_event(0x00, 8, 2, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_GENERIC);
	CHECK_STR(d->name, "EventTrace/RundownComplete");
}

static void
test_names(void)
{
	unsigned g, o, named = 0;

	CHECK_STR(alpcscope_kernel_opcode_name(0x03, 1), "Process/Start");
	CHECK_STR(alpcscope_kernel_opcode_name(0x03, 10), "Image/Load");
	CHECK_STR(alpcscope_kernel_opcode_name(0x05, 72), "Thread/SetName");
	CHECK_STR(alpcscope_kernel_opcode_name(0x1A, 33), "ALPC/Send-Message");
	CHECK_STR(alpcscope_kernel_opcode_name(0x1A, 36), "ALPC/Wait-For-New-Message");
	CHECK_STR(alpcscope_kernel_opcode_name(0x18, 32), "StackWalk/Stack");
	CHECK_STR(alpcscope_kernel_opcode_name(0x14, 3), "Image/DCStart");
	CHECK(alpcscope_kernel_opcode_name(0x03, 200) == NULL);
	CHECK(alpcscope_kernel_opcode_name(0xFF, 0xFF) == NULL);
	CHECK(alpcscope_kernel_opcode_name(0x00, 0) != NULL);
	/* Every name has the "Group/Event" form. */
	for (g = 0; g < 256; g++)
		for (o = 0; o < 256; o++) {
			const char *n = alpcscope_kernel_opcode_name((uint8_t)g, (uint8_t)o);

			if (n) {
				named++;
				CHECK(strchr(n, '/') != NULL);
			}
		}
	CHECK(named > 90);

	CHECK_STR(alpcscope_decoded_kind_name(ALPCSCOPE_DECODED_PROCESS), "process");
	CHECK_STR(alpcscope_decoded_kind_name(ALPCSCOPE_DECODED_STACK_KEY_REF), "stack_key_ref");
	CHECK_STR(alpcscope_decoded_kind_name(ALPCSCOPE_DECODED_KIND_COUNT), "unknown");
	for (g = 0; g < ALPCSCOPE_DECODED_KIND_COUNT; g++)
		CHECK(strcmp(alpcscope_decoded_kind_name((enum alpcscope_decoded_kind)g),
			     "unknown") != 0);
}

static void
test_args(struct alpcscope_decoder *dec)
{
	const struct alpcscope_decoded *d = (const void *)1;
	struct alpcscope_event ev;
	struct alpcscope_error err;
	struct pb b;

	b.len = 0;
	ev = kernel_event(0x03, 1, 2, 8, &b);
	CHECK(alpcscope_decoder_new(NULL, &err) == ALPCSCOPE_E_INVALID_ARG);
	CHECK(err.status == ALPCSCOPE_E_INVALID_ARG);
	CHECK(alpcscope_decode(NULL, &ev, &d, NULL) == ALPCSCOPE_E_INVALID_ARG);
	CHECK(d == NULL);
	CHECK(alpcscope_decode(dec, NULL, &d, NULL) == ALPCSCOPE_E_INVALID_ARG);
	CHECK(alpcscope_decode(dec, &ev, NULL, NULL) == ALPCSCOPE_E_INVALID_ARG);
	CHECK(alpcscope_decoded_field(NULL, "x") == NULL);
	alpcscope_decoder_free(NULL);
}

int
main(void)
{
	struct alpcscope_decoder *dec;

	CHECK(alpcscope_decoder_new(&dec, NULL) == ALPCSCOPE_OK);
	test_generic(dec);
	test_event_trace(dec);
	test_names();
	test_args(dec);
	alpcscope_decoder_free(dec);
	return check_summary();
}
