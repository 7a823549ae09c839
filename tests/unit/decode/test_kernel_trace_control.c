/* SPDX-License-Identifier: MIT */
/* KernelTraceControl ImageID (0) and DbgID_RSDS (36), 32/64-bit; other opcodes generic. */
#include <stdio.h>

#include "alpcscope/decode.h"
#include "check.h"
#include "payload_builder.h"

static const struct alpcscope_guid pdb_guid = {
    0x1122aabb, 0x3344, 0x5566, {0x77, 0x88, 0x99, 0x00, 0xa1, 0xb2, 0xc3, 0xd4}};

static void
test_image_id(struct alpcscope_decoder *dec, unsigned P)
{
	const struct alpcscope_decoded *d;
	struct alpcscope_event ev;
	struct pb b;

	b.len = 0;
	pb_ptr(&b, P, P == 8 ? 0xFFFFF80012000000u : 0x82000000u);
	pb_ptr(&b, P, 0x5F5000);
	pb_u32(&b, 0);
	pb_u32(&b, 0x4CE7979D);
	pb_utf16(&b, "ntkrnlmp.exe");
	ev = classic_event(alpcscope_image_id_guid(), 0, 2, P, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_IMAGE_ID);
	CHECK_STR(d->name, "KernelTraceControl/ImageID");
	CHECK_EQ_U64(d->as.image_id.image_base, P == 8 ? 0xFFFFF80012000000u : 0x82000000u);
	CHECK_EQ_U64(d->as.image_id.image_size, 0x5F5000);
	CHECK_EQ_U64(d->as.image_id.process_id, 0);
	CHECK_EQ_U64(d->as.image_id.time_date_stamp, 0x4CE7979D);
	CHECK_STR(d->as.image_id.original_file_name, "ntkrnlmp.exe");
	CHECK(field_of(d, "OriginalFileName", ALPCSCOPE_FIELD_STRING) != NULL);
	CHECK_EQ_U64(check_truncations(dec, &ev, ALPCSCOPE_DECODED_IMAGE_ID, NULL, 0), 0);
}

static void
test_dbg_id(struct alpcscope_decoder *dec, unsigned P)
{
	const struct alpcscope_decoded *d;
	struct alpcscope_event ev;
	const struct alpcscope_field *f;
	struct pb b;

	b.len = 0;
	pb_ptr(&b, P, 0x10000000);
	pb_u32(&b, 4242);
	pb_guid(&b, &pdb_guid);
	pb_u32(&b, 2);
	pb_ansi(&b, "ntdll.pdb");
	ev = classic_event(alpcscope_image_id_guid(), 36, 2, P, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_DBG_ID);
	CHECK_STR(d->name, "KernelTraceControl/DbgID_RSDS");
	CHECK_EQ_U64(d->as.dbg_id.image_base, 0x10000000);
	CHECK_EQ_U64(d->as.dbg_id.process_id, 4242);
	CHECK(alpcscope_guid_equal(&d->as.dbg_id.guid_sig, &pdb_guid));
	CHECK_EQ_U64(d->as.dbg_id.age, 2);
	CHECK_STR(d->as.dbg_id.pdb_file_name, "ntdll.pdb");
	f = field_of(d, "GuidSig", ALPCSCOPE_FIELD_GUID);
	CHECK(f && alpcscope_guid_equal(&f->value.guid, &pdb_guid));
	CHECK_EQ_U64(check_truncations(dec, &ev, ALPCSCOPE_DECODED_DBG_ID, NULL, 0), 0);

	/* ILRSDS (37) has the same layout (settled on the net.4.5.2 samples). */
	ev = classic_event(alpcscope_image_id_guid(), 37, 2, P, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_DBG_ID);
	CHECK_STR(d->name, "KernelTraceControl/DbgID_ILRSDS");
	CHECK_STR(d->as.dbg_id.pdb_file_name, "ntdll.pdb");
}

int
main(void)
{
	struct alpcscope_decoder *dec;
	const struct alpcscope_decoded *d;
	struct alpcscope_event ev;
	struct pb b;

	CHECK(alpcscope_decoder_new(&dec, NULL) == ALPCSCOPE_OK);
	test_image_id(dec, 8);
	test_image_id(dec, 4);
	test_dbg_id(dec, 8);
	test_dbg_id(dec, 4);

	/* FileVersion (64) and others: generic, but named. */
	b.len = 0;
	pb_u32(&b, 1);
	ev = classic_event(alpcscope_image_id_guid(), 64, 2, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_GENERIC);
	CHECK_STR(d->name, "KernelTraceControl/FileVersion");
	CHECK(d->as.generic.has_provider);
	CHECK(alpcscope_guid_equal(&d->as.generic.provider, alpcscope_image_id_guid()));
	CHECK_EQ_U64(d->as.generic.opcode, 64);
	alpcscope_decoder_free(dec);
	return check_summary();
}
