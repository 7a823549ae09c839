/* SPDX-License-Identifier: MIT */
/* Growable text buffer and the escapes every text output format needs. */
#include "util/strbuf.h"

#include "util/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool
strbuf_reserve(struct strbuf *sb, size_t extra)
{
	if (sb->oom)
		return false;
	if (sb->len + extra + 1 <= sb->cap)
		return true;
	size_t ncap = sb->cap ? sb->cap : 256;
	while (ncap < sb->len + extra + 1) {
		if (ncap > SIZE_MAX / 2) {
			sb->oom = true;
			return false;
		}
		ncap *= 2;
	}
	char *p = realloc(sb->data, ncap);
	if (!p) {
		sb->oom = true;
		return false;
	}
	sb->data = p;
	sb->cap = ncap;
	return true;
}

void
strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->data)
		sb->data[0] = '\0';
}

void
strbuf_free(struct strbuf *sb)
{
	free(sb->data);
	sb->data = NULL;
	sb->len = sb->cap = 0;
}

void
strbuf_add(struct strbuf *sb, const char *s, size_t n)
{
	if (!strbuf_reserve(sb, n))
		return;
	memcpy(sb->data + sb->len, s, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

void
strbuf_adds(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void
strbuf_addc(struct strbuf *sb, char c)
{
	strbuf_add(sb, &c, 1);
}

void
strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	char tmp[256];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		strbuf_add(sb, tmp, (size_t)n);
		return;
	}
	if (!strbuf_reserve(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void
strbuf_add_json_string(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	const unsigned char *end = p + strlen((const char *)p);

	strbuf_addc(sb, '"');
	while (*p) {
		uint32_t cp;
		size_t n = utf8_decode(p, (size_t)(end - p), &cp);

		if (n == 0) {
			strbuf_adds(sb, "\\ufffd");
			p++;
		} else if (n > 1) {
			strbuf_add(sb, (const char *)p, n);
			p += n;
		} else {
			unsigned char c = *p++;

			switch (c) {
			case '"': strbuf_adds(sb, "\\\""); break;
			case '\\': strbuf_adds(sb, "\\\\"); break;
			case '\n': strbuf_adds(sb, "\\n"); break;
			case '\r': strbuf_adds(sb, "\\r"); break;
			case '\t': strbuf_adds(sb, "\\t"); break;
			default:
				if (c < 0x20 || c == 0x7F)
					strbuf_printf(sb, "\\u%04x", c);
				else
					strbuf_addc(sb, (char)c);
			}
		}
	}
	strbuf_addc(sb, '"');
}

void
strbuf_add_text(struct strbuf *sb, const char *s)
{
	if (s)
		utf8_add_safe_text(sb, s, strlen(s));
}

/* A number or a lone "-" placeholder: starts with a formula prefix but can never be one. */
static bool
plain_number(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	for (; *s; s++)
		if ((*s < '0' || *s > '9') && *s != '.')
			return false;
	return true;
}

void
strbuf_add_csv_field(struct strbuf *sb, const char *s, bool raw)
{
	const char *t = s ? s : "";
	size_t start = sb->len;

	/*
	 * Spreadsheets run a cell starting with = + - @ (or tab, CR) as a
	 * formula (=cmd|' /C calc'!A0): OWASP's advice is a leading quote,
	 * which they show as text. Tab and CR never lead here: they are
	 * escaped as \x09 / \x0d below.
	 */
	if (!raw && strchr("=+-@", t[0]) && t[0] && !plain_number(t))
		strbuf_addc(sb, '\'');
	utf8_add_safe_text(sb, t, strlen(t));
	if (sb->oom || (!memchr(sb->data + start, ',', sb->len - start) &&
			!memchr(sb->data + start, '"', sb->len - start)))
		return;
	/* Quote the cell: double its quotes in place, then wrap it. */
	size_t quotes = 0;

	for (size_t i = start; i < sb->len; i++)
		quotes += sb->data[i] == '"';
	if (!strbuf_reserve(sb, quotes + 2))
		return;
	char *d = sb->data;
	size_t from = sb->len, to = sb->len + quotes + 2;

	d[to] = '\0';
	d[--to] = '"';
	while (from > start) {
		char c = d[--from];

		d[--to] = c;
		if (c == '"')
			d[--to] = '"';
	}
	d[--to] = '"';
	sb->len += quotes + 2;
}

void
strbuf_add_hex(struct strbuf *sb, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	if (!strbuf_reserve(sb, n * 2))
		return;
	for (size_t i = 0; i < n; i++) {
		sb->data[sb->len++] = digits[p[i] >> 4];
		sb->data[sb->len++] = digits[p[i] & 15];
	}
	sb->data[sb->len] = '\0';
}
