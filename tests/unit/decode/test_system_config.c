/* SPDX-License-Identifier: MIT */
/* SystemConfig Services v0/v1 (fixed arrays), v2, v3; other SystemConfig opcodes generic. */
#include <stdio.h>

#include "alpcscope/decode.h"
#include "check.h"
#include "payload_builder.h"

static void
put_fixed(struct pb *b, const char *ascii, size_t units)
{
	size_t i, n = strlen(ascii);

	for (i = 0; i < units; i++)
		pb_u16(b, i < n ? (uint16_t)ascii[i] : 0);
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
		b.len = 0;
		pb_u32(&b, 1234);
		pb_u32(&b, 4);
		pb_u32(&b, 0x1C);
		pb_utf16(&b, "Winmgmt");
		pb_utf16(&b, "Windows Management Instrumentation");
		pb_utf16(&b, "svchost.exe");
		if (v >= 3) {
			pb_utf16(&b, "");
			pb_utf16(&b, "netsvcs");
		}
		ev = kernel_event(0x0B, 15, v, 8, &b);
		CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
		CHECK(d->kind == ALPCSCOPE_DECODED_SERVICE);
		CHECK_STR(d->name, "SystemConfig/Services");
		CHECK_EQ_U64(d->as.service.process_id, 1234);
		CHECK_EQ_U64(d->as.service.service_state, 4);
		CHECK_EQ_U64(d->as.service.sub_process_tag, 0x1C);
		CHECK_STR(d->as.service.service_name, "Winmgmt");
		CHECK_STR(d->as.service.display_name, "Windows Management Instrumentation");
		CHECK_STR(d->as.service.process_name, "svchost.exe");
		if (v >= 3) {
			CHECK_STR(d->as.service.load_order_group, "");
			CHECK_STR(d->as.service.svchost_group, "netsvcs");
		} else {
			CHECK(d->as.service.svchost_group == NULL);
		}
		CHECK(field_of(d, "ServiceName", ALPCSCOPE_FIELD_STRING) != NULL);
		CHECK_STR(d->fields[0].name, "ProcessId");
		CHECK_EQ_U64(check_truncations(dec, &ev, ALPCSCOPE_DECODED_SERVICE, NULL, 0), 0);
	}

	/* v1: fixed WCHAR arrays, ProcessId at 648. */
	b.len = 0;
	put_fixed(&b, "Winmgmt", 34);
	put_fixed(&b, "Windows Management Instrumentation", 256);
	put_fixed(&b, "svchost.exe", 34);
	CHECK_EQ_U64(b.len, 648);
	pb_u32(&b, 888);
	ev = kernel_event(0x0B, 15, 1, 4, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_SERVICE);
	CHECK_EQ_U64(d->as.service.process_id, 888);
	CHECK_STR(d->as.service.service_name, "Winmgmt");
	CHECK_STR(d->as.service.display_name, "Windows Management Instrumentation");
	CHECK_STR(d->as.service.process_name, "svchost.exe");
	b.len = 651;
	ev = kernel_event(0x0B, 15, 1, 4, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_E_CORRUPT);

	/* CPU (10) etc. stay generic. */
	ev = kernel_event(0x0B, 10, 2, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(d->kind == ALPCSCOPE_DECODED_GENERIC);
	CHECK_STR(d->name, "SystemConfig/CPU");
	alpcscope_decoder_free(dec);
	return check_summary();
}
