/* SPDX-License-Identifier: MIT */
/* ALPC payloads: MessageID events, both PortName encodings, Unwait, raw 38-41, truncations. */
#include <stdio.h>

#include "alpcscope/decode.h"
#include "check.h"
#include "payload_builder.h"

static void
test_message_id(struct alpcscope_decoder *dec)
{
	static const struct {
		uint8_t opcode;
		const char *name;
	} ops[] = {
	    {33, "ALPC/Send-Message"}, {34, "ALPC/Receive-Message"}, {35, "ALPC/Wait-For-Reply"}};
	const struct alpcscope_decoded *d;
	struct alpcscope_event ev;
	static const size_t tail_cuts[4] = {4, 5, 6, 7};
	struct pb b;
	size_t i;
	uint8_t v;

	for (i = 0; i < 3; i++) {
		for (v = 0; v <= 3; v++) {
			b.len = 0;
			pb_u32(&b, 0x8000ABCD);
			if (v > 2)
				pb_u32(&b, 0xFFFFFFFF); /* tail of a newer version: ignored */
			ev = kernel_event(0x1A, ops[i].opcode, v, v % 2 ? 4 : 8, &b);
			CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
			CHECK(d->kind == ALPCSCOPE_DECODED_ALPC);
			CHECK_STR(d->name, ops[i].name);
			CHECK_EQ_U64(d->as.alpc.message_id, 0x8000ABCD);
			CHECK(d->as.alpc.port_name == NULL);
			CHECK_EQ_U64(d->field_count, 1);
			CHECK_STR(d->fields[0].name, "MessageID");
			CHECK_EQ_U64(d->fields[0].value.u, 0x8000ABCD);
			/* With a tail, every cut that keeps MessageID is fine. */
			CHECK_EQ_U64(check_truncations(dec, &ev, ALPCSCOPE_DECODED_ALPC, tail_cuts,
						       v > 2 ? 4 : 0),
				     0);
		}
	}
}

static void
test_port_name(struct alpcscope_decoder *dec)
{
	const struct alpcscope_decoded *d;
	struct alpcscope_event ev;
	struct alpcscope_error err;
	const struct alpcscope_field *f;
	struct pb b;
	size_t ok4[1] = {4};

	/* UTF-16 branch. */
	b.len = 0;
	pb_u32(&b, 1);
	pb_utf16(&b, "\\RPC Control\\epmapper");
	ev = kernel_event(0x1A, 36, 2, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_ALPC);
	CHECK_STR(d->name, "ALPC/Wait-For-New-Message");
	CHECK_EQ_U64(d->as.alpc.is_server_port, 1);
	CHECK_STR(d->as.alpc.port_name, "\\RPC Control\\epmapper");
	CHECK(d->as.alpc.port_name_encoding == ALPCSCOPE_PORT_NAME_UTF16);
	f = field_of(d, "PortNameEncoding", ALPCSCOPE_FIELD_STRING);
	CHECK(f && strcmp(f->value.str, "UTF-16") == 0);
	f = field_of(d, "PortName", ALPCSCOPE_FIELD_STRING);
	CHECK(f && strcmp(f->value.str, "\\RPC Control\\epmapper") == 0);
	CHECK(field_of(d, "IsServerPort", ALPCSCOPE_FIELD_UINT) != NULL);

	/* Empty UTF-16 name: payload 6 bytes ending in 0x0000. */
	b.len = 0;
	pb_u32(&b, 0);
	pb_utf16(&b, "");
	ev = kernel_event(0x1A, 36, 2, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK_STR(d->as.alpc.port_name, "");
	CHECK(d->as.alpc.port_name_encoding == ALPCSCOPE_PORT_NAME_UTF16);

	/* Single-byte branch, odd length. */
	b.len = 0;
	pb_u32(&b, 0);
	pb_ansi(&b, "svchost.exe");
	ev = kernel_event(0x1A, 36, 2, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK_STR(d->as.alpc.port_name, "svchost.exe");
	CHECK(d->as.alpc.port_name_encoding == ALPCSCOPE_PORT_NAME_SINGLE_BYTE);
	f = field_of(d, "PortNameEncoding", ALPCSCOPE_FIELD_STRING);
	CHECK(f && strcmp(f->value.str, "single-byte") == 0);
	/* Shorter cuts: 4 bytes (no name) is accepted, everything else is unterminated. */
	CHECK_EQ_U64(check_truncations(dec, &ev, ALPCSCOPE_DECODED_ALPC, ok4, 1), 0);

	/* Single-byte branch, even length ("lsass.exe" + NUL = 10 bytes, total 14). */
	b.len = 0;
	pb_u32(&b, 1);
	pb_ansi(&b, "lsass.exe");
	ev = kernel_event(0x1A, 36, 2, 8, &b);
	CHECK_EQ_U64(b.len % 2, 0);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK_STR(d->as.alpc.port_name, "lsass.exe");
	CHECK(d->as.alpc.port_name_encoding == ALPCSCOPE_PORT_NAME_SINGLE_BYTE);

	/* Bare 4-byte payload: no name, no branch. */
	b.len = 0;
	pb_u32(&b, 1);
	ev = kernel_event(0x1A, 36, 0, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->as.alpc.port_name == NULL);
	CHECK(d->as.alpc.port_name_encoding == ALPCSCOPE_PORT_NAME_NONE);
	CHECK(alpcscope_decoded_field(d, "PortName") == NULL);

	/* Unterminated single-byte name. */
	b.len = 0;
	pb_u32(&b, 1);
	pb_u8(&b, 'a');
	pb_u8(&b, 'b');
	pb_u8(&b, 'c');
	ev = kernel_event(0x1A, 36, 2, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, &err) == ALPCSCOPE_E_CORRUPT);
	CHECK(strstr(err.message, "PortName") != NULL);
	CHECK_EQ_U64(err.offset, TEST_FILE_OFFSET);
}

static void
test_unwait_and_raw(struct alpcscope_decoder *dec)
{
	const struct alpcscope_decoded *d;
	struct alpcscope_event ev;
	struct pb b;
	uint8_t op;

	b.len = 0;
	pb_u32(&b, 0x00000102); /* STATUS_TIMEOUT */
	ev = kernel_event(0x1A, 37, 2, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_ALPC);
	CHECK_STR(d->name, "ALPC/Unwait");
	CHECK_EQ_U64(d->as.alpc.status, 0x102);
	CHECK(field_of(d, "Status", ALPCSCOPE_FIELD_HEX) != NULL);
	CHECK_EQ_U64(check_truncations(dec, &ev, ALPCSCOPE_DECODED_ALPC, NULL, 0), 0);

	for (op = 38; op <= 41; op++) {
		b.len = 0;
		pb_u32(&b, 7);
		pb_u8(&b, 9);
		ev = kernel_event(0x1A, op, 2, 8, &b);
		CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
		CHECK(d->kind == ALPCSCOPE_DECODED_ALPC);
		CHECK(d->name != NULL);
		CHECK_EQ_U64(d->as.alpc.raw_size, 5);
		CHECK(d->as.alpc.raw == b.buf);
		CHECK(field_of(d, "Payload", ALPCSCOPE_FIELD_BYTES) != NULL);
	}
	CHECK_STR(alpcscope_kernel_opcode_name(0x1A, 41), "ALPC/Close-Port");
	/* An unknown ALPC opcode is generic. */
	ev = kernel_event(0x1A, 50, 2, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_GENERIC);
	CHECK(d->name == NULL);
}

/* Classic records carrying the ALPC class GUID decode like the hook-id form. */
static void
test_classic_guid(struct alpcscope_decoder *dec)
{
	static const struct alpcscope_guid alpc = {
	    0x45d8cccd, 0x539f, 0x4b72, {0xa8, 0xb7, 0x5c, 0x68, 0x31, 0x42, 0x60, 0x9a}};
	const struct alpcscope_decoded *d;
	struct alpcscope_event ev;
	struct pb b;

	b.len = 0;
	pb_u32(&b, 77);
	ev = classic_event(&alpc, 34, 2, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_ALPC);
	CHECK_EQ_U64(d->as.alpc.message_id, 77);
	/* The same GUID on an EVENT_HEADER (manifest) record is not taken as the kernel class. */
	ev.kind = ALPCSCOPE_RECORD_EVENT_HEADER64;
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_GENERIC);
}

int
main(void)
{
	struct alpcscope_decoder *dec;

	CHECK(alpcscope_decoder_new(&dec, NULL) == ALPCSCOPE_OK);
	test_message_id(dec);
	test_port_name(dec);
	test_unwait_and_raw(dec);
	test_classic_guid(dec);
	alpcscope_decoder_free(dec);
	return check_summary();
}
