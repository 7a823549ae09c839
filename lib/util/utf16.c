/* SPDX-License-Identifier: MIT */
/* UTF-16LE -> UTF-8 for strings read from trace payloads and headers. */
#include "util/utf16.h"

#include "util/bytes.h"

size_t
utf16_strlen_bytes(const uint8_t *p, size_t avail, bool *terminated)
{
	size_t i;

	for (i = 0; i + 1 < avail; i += 2) {
		if (p[i] == 0 && p[i + 1] == 0) {
			if (terminated)
				*terminated = true;
			return i;
		}
	}
	if (terminated)
		*terminated = false;
	return avail & ~(size_t)1;
}

static size_t
put_utf8(char *dst, size_t cap, size_t n, uint32_t cp)
{
	uint8_t tmp[4];
	size_t len, i;

	if (cp < 0x80) {
		tmp[0] = (uint8_t)cp;
		len = 1;
	} else if (cp < 0x800) {
		tmp[0] = (uint8_t)(0xC0 | (cp >> 6));
		tmp[1] = (uint8_t)(0x80 | (cp & 0x3F));
		len = 2;
	} else if (cp < 0x10000) {
		tmp[0] = (uint8_t)(0xE0 | (cp >> 12));
		tmp[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
		tmp[2] = (uint8_t)(0x80 | (cp & 0x3F));
		len = 3;
	} else {
		tmp[0] = (uint8_t)(0xF0 | (cp >> 18));
		tmp[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
		tmp[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
		tmp[3] = (uint8_t)(0x80 | (cp & 0x3F));
		len = 4;
	}
	if (n + len + 1 > cap)
		return 0;
	for (i = 0; i < len; i++)
		dst[n + i] = (char)tmp[i];
	return len;
}

size_t
utf16_to_utf8(char *dst, size_t cap, const uint8_t *src, size_t nbytes)
{
	size_t n = 0, i = 0;

	if (cap == 0)
		return 0;
	while (i + 1 < nbytes) {
		uint32_t cp = le16_load(src + i);
		size_t put;

		i += 2;
		if (cp >= 0xD800 && cp < 0xDC00) {
			uint32_t lo = i + 1 < nbytes ? le16_load(src + i) : 0;

			if (lo >= 0xDC00 && lo < 0xE000) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				i += 2;
			} else {
				cp = 0xFFFD;
			}
		} else if (cp >= 0xDC00 && cp < 0xE000) {
			cp = 0xFFFD;
		}
		put = put_utf8(dst, cap, n, cp);
		if (put == 0)
			break;
		n += put;
	}
	dst[n] = '\0';
	return n;
}
