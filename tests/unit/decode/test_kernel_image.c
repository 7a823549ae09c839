/* SPDX-License-Identifier: MIT */
/* Image payloads v2/v3, 32/64-bit; Load routed from hook 0x030A; truncations rejected. */
#include <stdio.h>

#include "alpcscope/decode.h"
#include "check.h"
#include "payload_builder.h"

static void
build_image(struct pb *b, uint8_t v, unsigned P)
{
	b->len = 0;
	pb_ptr(b, P, P == 8 ? 0x00007FF812340000u : 0x77A00000u); /* ImageBase */
	pb_ptr(b, P, 0x1A2000);                                   /* ImageSize */
	pb_u32(b, 4242);                                          /* ProcessId */
	pb_u32(b, 0x1F00D);                                       /* ImageChecksum */
	pb_u32(b, 0x5E7A1B2C);                                    /* TimeDateStamp */
	if (v >= 3) {
		pb_u8(b, 0x0C); /* SignatureLevel */
		pb_u8(b, 1);    /* SignatureType */
		pb_u16(b, 0);
	} else {
		pb_u32(b, 0);
	}
	pb_ptr(b, P, P == 8 ? 0x0000000180000000u : 0x10000000u); /* DefaultBase */
	pb_u32(b, 0), pb_u32(b, 0), pb_u32(b, 0), pb_u32(b, 0);
	pb_utf16(b, "\\Device\\HarddiskVolume3\\Windows\\System32\\ntdll.dll");
}

static void
check_one(struct alpcscope_decoder *dec, uint8_t group, uint8_t opcode, uint8_t v, unsigned P,
	  const char *name)
{
	struct pb b;
	struct alpcscope_event ev;
	const struct alpcscope_decoded *d;
	const struct alpcscope_image *r;

	build_image(&b, v, P);
	CHECK_EQ_U64(b.len, (P == 8 ? 56u : 44u) + 2 * 50 + 2); /* FileName: 50 units + NUL */
	ev = kernel_event(group, opcode, v, P, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_IMAGE);
	CHECK_STR(d->name, name);
	r = &d->as.image;
	CHECK_EQ_U64(r->image_base, P == 8 ? 0x00007FF812340000u : 0x77A00000u);
	CHECK_EQ_U64(r->image_size, 0x1A2000);
	CHECK_EQ_U64(r->process_id, 4242);
	CHECK_EQ_U64(r->image_checksum, 0x1F00D);
	CHECK_EQ_U64(r->time_date_stamp, 0x5E7A1B2C);
	CHECK(r->has_signature == (v >= 3));
	if (v >= 3) {
		CHECK_EQ_U64(r->signature_level, 0x0C);
		CHECK_EQ_U64(r->signature_type, 1);
	}
	CHECK_EQ_U64(r->default_base, P == 8 ? 0x0000000180000000u : 0x10000000u);
	CHECK_STR(r->file_name, "\\Device\\HarddiskVolume3\\Windows\\System32\\ntdll.dll");
	{
		const struct alpcscope_field *f = field_of(d, "FileName", ALPCSCOPE_FIELD_STRING);

		CHECK(f && strstr(f->value.str, "ntdll.dll") != NULL);
		f = field_of(d, "ImageBase", ALPCSCOPE_FIELD_HEX);
		CHECK(f && f->value.u == r->image_base);
		CHECK_STR(d->fields[0].name, "ImageBase");
	}
	CHECK_EQ_U64(check_truncations(dec, &ev, ALPCSCOPE_DECODED_IMAGE, NULL, 0), 0);
}

int
main(void)
{
	struct alpcscope_decoder *dec;
	const struct alpcscope_decoded *d;
	struct alpcscope_event ev;
	struct pb b;
	uint8_t v;

	CHECK(alpcscope_decoder_new(&dec, NULL) == ALPCSCOPE_OK);
	for (v = 2; v <= 4; v++) {
		unsigned P;

		for (P = 4; P <= 8; P += 4) {
			check_one(dec, 0x03, 10, v, P, "Image/Load"); /* hook 0x030A */
			check_one(dec, 0x14, 10, v, P, "Image/Load");
			check_one(dec, 0x14, 2, v, P, "Image/Unload");
			check_one(dec, 0x14, 3, v, P, "Image/DCStart");
			check_one(dec, 0x14, 4, v, P, "Image/DCEnd");
		}
	}
	/* KernelBase (33) is generic; its name is still known. */
	build_image(&b, 2, 8);
	ev = kernel_event(0x14, 33, 2, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_GENERIC);
	CHECK_STR(d->name, "Image/KernelBase");
	alpcscope_decoder_free(dec);
	return check_summary();
}
