/* SPDX-License-Identifier: MIT */
/*
 * Robustness: random payloads (deterministic PRNG) of random lengths for every
 * typed (group, opcode) and the KernelTraceControl GUID, 32- and 64-bit, all
 * versions 0-7. Each decode must end in OK or E_CORRUPT, lend a result, and
 * every string field must be NUL-terminated valid UTF-8. Each payload sits in
 * an exact-size heap block so ASan catches any read past it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alpcscope/decode.h"
#include "check.h"
#include "payload_builder.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

static bool
valid_utf8(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (*u) {
		size_t n = u[0] < 0x80             ? 1
			   : (u[0] & 0xE0) == 0xC0 ? 2
			   : (u[0] & 0xF0) == 0xE0 ? 3
			   : (u[0] & 0xF8) == 0xF0 ? 4
						   : 0;
		size_t i;

		if (n == 0)
			return false;
		for (i = 1; i < n; i++)
			if ((u[i] & 0xC0) != 0x80)
				return false;
		u += n;
	}
	return true;
}

static const struct {
	uint8_t group;
	uint8_t opcode;
} targets[] = {
    {0x00, 0},  {0x00, 5},  {0x00, 32}, {0x03, 1},  {0x03, 2},  {0x03, 3},  {0x03, 4},
    {0x03, 10}, {0x03, 39}, {0x05, 1},  {0x05, 3},  {0x05, 72}, {0x0B, 15}, {0x14, 2},
    {0x14, 3},  {0x14, 4},  {0x18, 32}, {0x18, 35}, {0x18, 36}, {0x18, 37}, {0x18, 38},
    {0x1A, 33}, {0x1A, 36}, {0x1A, 37}, {0x1A, 38}, {0xFF, 0},  {0xFF, 36},
};

int
main(void)
{
	struct alpcscope_decoder *dec;
	static struct pb b;
	unsigned iter, ok = 0, corrupt = 0, other = 0, bad_strings = 0, no_result = 0;

	CHECK(alpcscope_decoder_new(&dec, NULL) == ALPCSCOPE_OK);
	for (iter = 0; iter < 60000; iter++) {
		size_t t = rng() % (sizeof(targets) / sizeof(targets[0]));
		unsigned P = rng() & 1 ? 8 : 4;
		uint8_t v = (uint8_t)(rng() % 8);
		size_t len = rng() % 4 == 0 ? rng() % 1024 : rng() % 128, i;
		struct alpcscope_event ev;
		const struct alpcscope_decoded *d = NULL;
		struct alpcscope_error err;
		enum alpcscope_status st;
		uint8_t *copy;
		/* Mostly-zero bytes reach deeper (terminators, "no SID") than uniform noise. */
		unsigned density = rng() % 4;

		b.len = len;
		for (i = 0; i < len; i++)
			b.buf[i] = (uint8_t)(rng() % 4 < density ? rng() : 0);
		if (targets[t].group == 0xFF)
			ev = classic_event(alpcscope_image_id_guid(), targets[t].opcode, v, P, &b);
		else
			ev = kernel_event(targets[t].group, targets[t].opcode, v, P, &b);
		copy = malloc(len ? len : 1);
		memcpy(copy, b.buf, len);
		ev.payload = copy;
		st = alpcscope_decode(dec, &ev, &d, &err);
		if (st == ALPCSCOPE_OK)
			ok++;
		else if (st == ALPCSCOPE_E_CORRUPT && err.offset == TEST_FILE_OFFSET)
			corrupt++;
		else
			other++;
		if (!d) {
			no_result++;
		} else {
			for (i = 0; i < d->field_count; i++) {
				const struct alpcscope_field *f = &d->fields[i];

				if ((f->type == ALPCSCOPE_FIELD_STRING ||
				     f->type == ALPCSCOPE_FIELD_SID) &&
				    (!f->value.str || !valid_utf8(f->value.str)))
					bad_strings++;
				if (f->type == ALPCSCOPE_FIELD_ADDRESSES &&
				    f->value.addresses.count * P > len)
					bad_strings++;
			}
		}
		free(copy);
	}
	fprintf(stderr, "random payloads: %u ok, %u corrupt\n", ok, corrupt);
	CHECK_EQ_U64(other, 0);
	CHECK_EQ_U64(no_result, 0);
	CHECK_EQ_U64(bad_strings, 0);
	CHECK(ok > 1000);      /* the generator reaches successful decodes ... */
	CHECK(corrupt > 1000); /* ... and rejections */
	alpcscope_decoder_free(dec);
	return check_summary();
}
