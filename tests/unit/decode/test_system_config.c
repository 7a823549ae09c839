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

static void
add_service(struct alpcscope_service_map *map, struct alpcscope_decoder *dec, uint32_t pid,
	    uint32_t state, uint32_t tag, const char *name)
{
	const struct alpcscope_decoded *d;
	struct alpcscope_event ev;
	static struct pb b;

	b.len = 0;
	pb_u32(&b, pid);
	pb_u32(&b, state);
	pb_u32(&b, tag);
	pb_utf16(&b, name);
	pb_utf16(&b, "display");
	pb_utf16(&b, pid ? "svchost.exe" : "");
	ev = kernel_event(0x0B, 15, 2, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(alpcscope_service_map_add(map, d, NULL) == ALPCSCOPE_OK);
}

static void
test_service_map(struct alpcscope_decoder *dec)
{
	struct alpcscope_service_map *map = NULL;
	const struct alpcscope_service_entry *e, *list[4];
	const struct alpcscope_decoded *d;
	struct alpcscope_event ev;
	struct pb b;

	CHECK(alpcscope_service_map_new(&map, NULL) == ALPCSCOPE_OK);
	add_service(map, dec, 144, 4, 0x90, "Winmgmt");
	add_service(map, dec, 144, 4, 0x2C, "Schedule");
	add_service(map, dec, 880, 4, 0x56, "RpcSs");
	add_service(map, dec, 0, 1, 0x01, "Stopped");
	CHECK_EQ_U64(alpcscope_service_map_count(map), 4);
	e = alpcscope_service_map_find(map, "winmgmt");
	CHECK(e && e->process_id == 144 && strcmp(e->service_name, "Winmgmt") == 0);
	CHECK(alpcscope_service_map_find(map, "nope") == NULL);
	e = alpcscope_service_map_find_tag(map, 144, 0x90);
	CHECK(e && strcmp(e->service_name, "Winmgmt") == 0);
	CHECK(alpcscope_service_map_find_tag(map, 880, 0x90) == NULL);
	CHECK(alpcscope_service_map_find_tag(map, 0, 0) == NULL);
	CHECK_EQ_U64(alpcscope_service_map_by_pid(map, 144, list, 4), 2);
	CHECK(list[0] == alpcscope_service_map_at(map, 0));
	CHECK_STR(list[1]->service_name, "Schedule");
	CHECK_EQ_U64(alpcscope_service_map_by_pid(map, 144, NULL, 0), 2);
	CHECK_EQ_U64(alpcscope_service_map_by_pid(map, 0, list, 4), 0);
	/* A later record of the same service replaces the earlier one. */
	add_service(map, dec, 999, 4, 0x90, "WINMGMT");
	CHECK_EQ_U64(alpcscope_service_map_count(map), 4);
	CHECK_EQ_U64(alpcscope_service_map_find(map, "Winmgmt")->process_id, 999);
	CHECK(alpcscope_service_map_at(map, 4) == NULL);
	/* Other kinds are ignored. */
	b.len = 0;
	pb_u32(&b, 1);
	ev = kernel_event(0x1A, 33, 2, 8, &b);
	CHECK(alpcscope_decode(dec, &ev, &d, NULL) == ALPCSCOPE_OK);
	CHECK(alpcscope_service_map_add(map, d, NULL) == ALPCSCOPE_OK);
	CHECK_EQ_U64(alpcscope_service_map_count(map), 4);
	CHECK(alpcscope_service_map_add(NULL, d, NULL) == ALPCSCOPE_E_INVALID_ARG);
	CHECK(alpcscope_service_map_new(NULL, NULL) == ALPCSCOPE_E_INVALID_ARG);
	alpcscope_service_map_free(map);
	alpcscope_service_map_free(NULL);
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
	test_service_map(dec);
	alpcscope_decoder_free(dec);
	return check_summary();
}
