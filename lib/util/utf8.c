/* SPDX-License-Identifier: MIT */
/* UTF-8 validation, cutting and the safe-text escape: see utf8.h. */
#include "util/utf8.h"

#include <alpcscope/text.h>

#include <string.h>

size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c, min;
	size_t len;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		c &= 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		c &= 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

bool
utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	uint32_t cp;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		size_t len = utf8_decode(p + i, n - i, &cp);

		if (!len)
			return false;
		i += len;
	}
	return true;
}

size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t cut;

	if (len <= max)
		return len;
	cut = max;
	/* Back up over continuation bytes (at most 3) to the start of the sequence they belong to.
	 */
	for (size_t k = 0; k < 3 && cut > 0 && (p[cut] & 0xC0) == 0x80; k++)
		cut--;
	return cut;
}

void
utf8_trim_partial(char *s)
{
	size_t n = strlen(s), start = n;
	uint32_t cp;

	for (size_t k = 0; k < 3 && start > 0 && ((unsigned char)s[start - 1] & 0xC0) == 0x80; k++)
		start--;
	if (start > 0 && (unsigned char)s[start - 1] >= 0xC0)
		start--;
	else if (start == n)
		return;
	if (start < n && utf8_decode((const unsigned char *)s + start, n - start, &cp) != n - start)
		s[start] = '\0';
}

void
utf8_add_cp(struct strbuf *sb, uint32_t cp)
{
	char b[4];

	if (cp < 0x80) {
		strbuf_addc(sb, (char)cp);
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3F));
		strbuf_add(sb, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		strbuf_add(sb, b, 3);
	} else {
		b[0] = (char)(0xF0 | cp >> 18);
		b[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		b[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		strbuf_add(sb, b, 4);
	}
}

void
utf8_add_valid(struct strbuf *sb, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;
	uint32_t cp;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		size_t len = utf8_decode(p + i, n - i, &cp);

		if (len) {
			i += len;
			continue;
		}
		strbuf_add(sb, s + run, i - run);
		utf8_add_cp(sb, 0xFFFD);
		run = ++i;
	}
	strbuf_add(sb, s + run, n - run);
}

bool
utf8_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E ||
	       cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

bool
utf8_is_safe_text(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	uint32_t cp;

	while (i < n) {
		if (p[i] >= 0x20 && p[i] < 0x7F) {
			i++;
			continue;
		}
		size_t len = utf8_decode(p + i, n - i, &cp);

		if (!len || utf8_is_control(cp))
			return false;
		i += len;
	}
	return true;
}

void
utf8_add_safe_text(struct strbuf *sb, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;
	uint32_t cp;

	while (i < n) {
		if (p[i] >= 0x20 && p[i] < 0x7F) {
			i++;
			continue;
		}
		size_t len = utf8_decode(p + i, n - i, &cp);

		if (len && !utf8_is_control(cp)) {
			i += len;
			continue;
		}
		strbuf_add(sb, s + run, i - run);
		if (!len)
			utf8_add_cp(sb, 0xFFFD);
		else if (cp < 0x80)
			strbuf_printf(sb, "\\x%02x", (unsigned)cp);
		else
			strbuf_printf(sb, "\\u%04x", (unsigned)cp);
		i += len ? len : 1;
		run = i;
	}
	strbuf_add(sb, s + run, n - run);
}

const char *
alpcscope_safe_text(char *out, size_t size, const char *in)
{
	struct strbuf sb = {0};
	size_t n;

	if (!out || !size)
		return out;
	if (!in)
		in = "";
	utf8_add_safe_text(&sb, in, strlen(in));
	if (sb.oom || !sb.data) {
		out[0] = '\0';
	} else {
		n = utf8_cut(sb.data, sb.len, size - 1);
		memcpy(out, sb.data, n);
		out[n] = '\0';
	}
	strbuf_free(&sb);
	return out;
}
