/* SPDX-License-Identifier: MIT */
/* Process payloads v2-v5, 32/64-bit, with and without a UserSID; truncations rejected. */
#include <stdio.h>

#include "alpcscope/decode.h"
#include "check.h"
#include "payload_builder.h"

/* Appends a process payload; returns the length up to the end of the fixed fields. */
static size_t
build_process(struct pb *b, uint8_t v, unsigned P, bool with_sid, bool defunct_exit_time)
{
	size_t fixed;

	b->len = 0;
	pb_ptr(b, P, P == 8 ? 0xFFFFC08012345678u : 0x85001234u); /* UniqueProcessKey */
	pb_u32(b, 4242);                                          /* ProcessId */
	pb_u32(b, 700);                                           /* ParentId */
	pb_u32(b, 1);                                             /* SessionId */
	pb_u32(b, 0xC0000005u);                                   /* ExitStatus */
	if (v >= 3)
		pb_ptr(b, P, 0x1AB000); /* DirectoryTableBase */
	if (v >= 4)
		pb_u32(b, 0x2); /* Flags: WOW64 */
	fixed = b->len;
	if (with_sid) {
		pb_ptr(b, P, P == 8 ? 0xFFFF800011112222u : 0x81112222u); /* TOKEN_USER.Sid */
		pb_ptr(b, P, 0);                                          /* Attributes (padded) */
		pb_u8(b, 1);                                              /* Revision */
		pb_u8(b, 5);                                              /* SubAuthorityCount */
		pb_u8(b, 0), pb_u8(b, 0), pb_u8(b, 0), pb_u8(b, 0), pb_u8(b, 0), pb_u8(b, 5);
		pb_u32(b, 21);
		pb_u32(b, 1004336348);
		pb_u32(b, 1177238915);
		pb_u32(b, 682003330);
		pb_u32(b, 512);
	} else {
		pb_u32(b, 0);
	}
	pb_ansi(b, "notepad.exe");
	pb_utf16(b, "\"C:\\Windows\\notepad.exe\" caf\xc3\xa9.txt");
	if (v >= 4) {
		pb_utf16(b, "Microsoft.Pkg_1.0");
		pb_utf16(b, "App");
	}
	if (defunct_exit_time)
		pb_u64(b, 0x01D9000011112222u);
	return fixed;
}

static void
check_one(struct alpcscope_decoder *dec, uint8_t v, unsigned P, bool with_sid)
{
	struct pb b;
	struct alpcscope_event ev;
	const struct alpcscope_decoded *d;
	const struct alpcscope_process *r;
	struct alpcscope_error err;
	size_t ok_lens[1];

	build_process(&b, v, P, with_sid, false);
	ev = kernel_event(0x03, 1, v, P, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, &err) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_PROCESS);
	CHECK_STR(d->name, "Process/Start");
	CHECK(d->event == &ev);
	r = &d->as.process;
	CHECK_EQ_U64(r->unique_process_key, P == 8 ? 0xFFFFC08012345678u : 0x85001234u);
	CHECK_EQ_U64(r->process_id, 4242);
	CHECK_EQ_U64(r->parent_id, 700);
	CHECK_EQ_U64(r->session_id, 1);
	CHECK_EQ_U64((uint32_t)r->exit_status, 0xC0000005u);
	CHECK(r->has_directory_table_base == (v >= 3));
	if (v >= 3)
		CHECK_EQ_U64(r->directory_table_base, 0x1AB000);
	CHECK(r->has_flags == (v >= 4));
	if (v >= 4)
		CHECK_EQ_U64(r->flags, 2);
	if (with_sid)
		CHECK_STR(r->user_sid, "S-1-5-21-1004336348-1177238915-682003330-512");
	else
		CHECK(r->user_sid == NULL);
	CHECK_STR(r->image_file_name, "notepad.exe");
	CHECK_STR(r->command_line, "\"C:\\Windows\\notepad.exe\" caf\xc3\xa9.txt");
	if (v >= 4) {
		CHECK_STR(r->package_full_name, "Microsoft.Pkg_1.0");
		CHECK_STR(r->application_id, "App");
	} else {
		CHECK(r->package_full_name == NULL && r->application_id == NULL);
	}
	CHECK(!r->has_exit_time);

	/* Field list: names and order as the MOF. */
	CHECK(d->field_count >= 7);
	CHECK_STR(d->fields[0].name, "UniqueProcessKey");
	CHECK(d->fields[0].type == ALPCSCOPE_FIELD_HEX);
	CHECK_STR(d->fields[1].name, "ProcessId");
	CHECK_EQ_U64(d->fields[1].value.u, 4242);
	{
		const struct alpcscope_field *f =
		    field_of(d, "ImageFileName", ALPCSCOPE_FIELD_STRING);

		CHECK(f && strcmp(f->value.str, "notepad.exe") == 0);
		f = alpcscope_decoded_field(d, "UserSID");
		CHECK(with_sid ? (f && f->type == ALPCSCOPE_FIELD_SID) : f == NULL);
		CHECK((alpcscope_decoded_field(d, "DirectoryTableBase") != NULL) == (v >= 3));
		CHECK((alpcscope_decoded_field(d, "PackageFullName") != NULL) == (v >= 4));
	}

	/* Every shorter payload is a clean decode failure. */
	CHECK_EQ_U64(check_truncations(dec, &ev, ALPCSCOPE_DECODED_PROCESS, ok_lens, 0), 0);
}

static void
test_versions(void)
{
	struct alpcscope_decoder *dec;
	uint8_t v;

	CHECK(alpcscope_decoder_new(&dec, NULL) == ALPCSCOPE_OK);
	for (v = 2; v <= 5; v++) {
		check_one(dec, v, 8, true);
		check_one(dec, v, 8, false);
		check_one(dec, v, 4, true);
		check_one(dec, v, 4, false);
	}
	alpcscope_decoder_free(dec);
}

static void
test_opcodes_and_tail(void)
{
	struct alpcscope_decoder *dec;
	const struct alpcscope_decoded *d;
	struct alpcscope_event ev;
	struct pb b;
	static const struct {
		uint8_t opcode;
		const char *name;
	} ops[] = {{2, "Process/End"},
		   {3, "Process/DCStart"},
		   {4, "Process/DCEnd"},
		   {39, "Process/Defunct"}};
	size_t i;

	CHECK(alpcscope_decoder_new(&dec, NULL) == ALPCSCOPE_OK);
	build_process(&b, 4, 8, true, false);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		ev = kernel_event(0x03, ops[i].opcode, 4, 8, &b);
		CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
		CHECK(d->kind == ALPCSCOPE_DECODED_PROCESS);
		CHECK_STR(d->name, ops[i].name);
	}

	/* Defunct v5 appends ExitTime. */
	build_process(&b, 5, 8, true, true);
	ev = kernel_event(0x03, 39, 5, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->as.process.has_exit_time);
	CHECK_EQ_U64(d->as.process.exit_time_filetime, 0x01D9000011112222u);
	CHECK(alpcscope_decoded_field(d, "ExitTime") != NULL);

	/* A newer version uses the v4 layout and ignores the tail (here: 8 extra bytes on Start).
	 */
	build_process(&b, 7, 4, false, true);
	ev = kernel_event(0x03, 1, 7, 4, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_PROCESS);
	CHECK(!d->as.process.has_exit_time);
	CHECK_STR(d->as.process.application_id, "App");

	/* Terminate (11) and unknown old versions stay generic, with the raw bytes. */
	ev = kernel_event(0x03, 11, 2, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_GENERIC);
	CHECK_STR(d->name, "Process/Terminate");
	CHECK_EQ_U64(d->as.generic.payload_size, b.len);
	ev = kernel_event(0x03, 1, 1, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_GENERIC);
	alpcscope_decoder_free(dec);
}

static void
test_sid_rules(void)
{
	struct alpcscope_decoder *dec;
	const struct alpcscope_decoded *d;
	struct alpcscope_event ev;
	struct alpcscope_error err;
	struct pb b;
	size_t sid_at;

	CHECK(alpcscope_decoder_new(&dec, NULL) == ALPCSCOPE_OK);
	/* LocalSystem: S-1-5-18 on a 32-bit layout (TOKEN_USER header of 8 bytes). */
	b.len = 0;
	pb_u32(&b, 1), pb_u32(&b, 4), pb_u32(&b, 0), pb_u32(&b, 0), pb_u32(&b, 0);
	pb_u32(&b, 0x1000); /* DirectoryTableBase */
	sid_at = b.len;
	pb_u32(&b, 0x8000AAAA), pb_u32(&b, 0);
	pb_u8(&b, 1), pb_u8(&b, 1);
	pb_u8(&b, 0), pb_u8(&b, 0), pb_u8(&b, 0), pb_u8(&b, 0), pb_u8(&b, 0), pb_u8(&b, 5);
	pb_u32(&b, 18);
	pb_ansi(&b, "System");
	pb_utf16(&b, "");
	ev = kernel_event(0x03, 3, 3, 4, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK_STR(d->as.process.user_sid, "S-1-5-18");
	CHECK_STR(d->as.process.image_file_name, "System");
	CHECK_STR(d->as.process.command_line, "");

	/* A sub-authority count that runs past the payload is corrupt, not a read past it. */
	b.buf[sid_at + 8 + 1] = 200;
	CHECK(alpcscope_decode(dec, &ev, &d, &err) == ALPCSCOPE_E_CORRUPT);
	CHECK_EQ_U64(err.offset, TEST_FILE_OFFSET);
	CHECK(strstr(err.message, "UserSID") != NULL);
	CHECK(d && d->kind == ALPCSCOPE_DECODED_GENERIC);

	/* Authority >= 2^32 is printed in hex, as Windows does. */
	b.buf[sid_at + 8 + 1] = 1;
	b.buf[sid_at + 8 + 2] = 1;
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK_STR(d->as.process.user_sid, "S-1-0x010000000005-18");

	/* Non-UTF-8 bytes in the single-byte name are taken as Latin-1. */
	b.buf[sid_at + 8 + 2] = 0;
	b.buf[sid_at + 20] = 0xE9; /* "System" -> "\xe9ystem" */
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK_STR(d->as.process.image_file_name, "\xc3\xa9ystem");
	alpcscope_decoder_free(dec);
}

int
main(void)
{
	test_versions();
	test_opcodes_and_tail();
	test_sid_rules();
	return check_summary();
}
