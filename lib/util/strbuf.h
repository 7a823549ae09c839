/* SPDX-License-Identifier: MIT */
/*
 * Growable text buffer with a sticky out-of-memory flag: append freely, check
 * `oom` once at the end. Reused across lines so formatting allocates only
 * while the buffer grows.
 */
#ifndef ALPCSCOPE_UTIL_STRBUF_H
#define ALPCSCOPE_UTIL_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf {
	char *data;
	size_t len;
	size_t cap;
	bool oom;
};

/*
 * Make room for @p extra more bytes plus the terminating NUL; false (and
 * `oom` set) when that fails. Callers may then write up to @p extra bytes at
 * data + len themselves.
 */
bool strbuf_reserve(struct strbuf *sb, size_t extra);
void strbuf_reset(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);
void strbuf_add(struct strbuf *sb, const char *s, size_t n);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addc(struct strbuf *sb, char c);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append @p s as a JSON string literal (quotes included); invalid UTF-8 becomes U+FFFD. */
void strbuf_add_json_string(struct strbuf *sb, const char *s);

/*
 * Append @p s as one CSV cell: safe text (utf8_add_safe_text(): no line
 * break, control or invalid byte), quoted when it holds a comma or quote,
 * and, unless @p raw, a leading ' when it starts with a formula prefix
 * (= + - @) and is not a plain number (docs/output-schema.md).
 */
void strbuf_add_csv_field(struct strbuf *sb, const char *s, bool raw);

/* Append @p s as safe one-line text (utf8_add_safe_text()). NULL appends nothing. */
void strbuf_add_text(struct strbuf *sb, const char *s);

/* Append @p n bytes as lower-case hex. */
void strbuf_add_hex(struct strbuf *sb, const uint8_t *p, size_t n);

#endif
