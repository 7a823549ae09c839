/* SPDX-License-Identifier: MIT */
/* GUID text form, comparison and parsing (public helpers of event.h). */
#include <alpcscope/event.h>

#include <stdio.h>
#include <string.h>

#include "util/hex.h"

void
alpcscope_guid_format(char out[ALPCSCOPE_GUID_STR_SIZE], const struct alpcscope_guid *g)
{
	snprintf(out, ALPCSCOPE_GUID_STR_SIZE, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 g->data1, g->data2, g->data3, g->data4[0], g->data4[1], g->data4[2], g->data4[3],
		 g->data4[4], g->data4[5], g->data4[6], g->data4[7]);
}

bool
alpcscope_guid_equal(const struct alpcscope_guid *a, const struct alpcscope_guid *b)
{
	return a->data1 == b->data1 && a->data2 == b->data2 && a->data3 == b->data3 &&
	       memcmp(a->data4, b->data4, 8) == 0;
}

/* Read @p digits hex digits from *p, advancing it. */
static bool
hexfield(const char **p, int digits, uint64_t *out)
{
	uint64_t v = 0;

	for (int i = 0; i < digits; i++) {
		int h = hex_digit_value((*p)[i]);

		if (h < 0)
			return false;
		v = v << 4 | (uint64_t)h;
	}
	*p += digits;
	*out = v;
	return true;
}

bool
alpcscope_guid_parse(struct alpcscope_guid *out, const char *text)
{
	const char *p = text;
	uint64_t v;
	bool brace = false;

	if (*p == '{') {
		brace = true;
		p++;
	}
	if (!hexfield(&p, 8, &v) || *p++ != '-')
		return false;
	out->data1 = (uint32_t)v;
	if (!hexfield(&p, 4, &v) || *p++ != '-')
		return false;
	out->data2 = (uint16_t)v;
	if (!hexfield(&p, 4, &v) || *p++ != '-')
		return false;
	out->data3 = (uint16_t)v;
	for (int i = 0; i < 8; i++) {
		if (i == 2 && *p++ != '-')
			return false;
		if (!hexfield(&p, 2, &v))
			return false;
		out->data4[i] = (uint8_t)v;
	}
	if (brace && *p++ != '}')
		return false;
	return *p == '\0';
}
