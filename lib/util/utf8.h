/* SPDX-License-Identifier: MIT */
/*
 * UTF-8 of untrusted text: validation, cutting on code-point boundaries, and
 * the one escape every human-readable output uses. Every name in a trace is
 * attacker-controlled (image names, command lines, port, thread and service
 * names), so what reaches an analyst's terminal or a one-row-per-line format
 * must be valid UTF-8 without any character that moves the cursor, starts
 * a terminal escape sequence, breaks a row or reorders text.
 */
#ifndef ALPCSCOPE_UTIL_UTF8_H
#define ALPCSCOPE_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

/*
 * Length (1-4) of the valid UTF-8 sequence at @p s within @p n bytes, with
 * its code point in *cp; 0 when invalid (bad lead or continuation byte,
 * overlong form, surrogate, above U+10FFFF, cut short).
 */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* True when all @p n bytes of @p s are valid UTF-8. */
bool utf8_valid(const char *s, size_t n);

/*
 * Largest length <= @p max of a prefix of @p s (@p len bytes) that does not
 * end inside a multi-byte sequence: where a label is cut to fit a buffer.
 */
size_t utf8_cut(const char *s, size_t len, size_t max);

/* Drop an incomplete sequence at the end of the NUL-terminated @p s (after snprintf cut it). */
void utf8_trim_partial(char *s);

/* Append @p n bytes of @p s with every invalid sequence replaced by U+FFFD. */
void utf8_add_valid(struct strbuf *sb, const char *s, size_t n);

/* Append code point @p cp as UTF-8. */
void utf8_add_cp(struct strbuf *sb, uint32_t cp);

/*
 * True for the characters a terminal or text viewer acts on instead of
 * showing: C0 controls, DEL, C1 controls, the bidirectional formatting
 * characters (U+061C, U+200E/F, U+202A-U+202E, U+2066-U+2069) and the
 * Unicode line and paragraph separators.
 */
bool utf8_is_control(uint32_t cp);

/*
 * Append @p n bytes of untrusted @p s as safe one-line text: invalid UTF-8
 * becomes U+FFFD, C0 controls and DEL become "\xNN", every other
 * utf8_is_control() character "\uNNNN". The shared escape of every text
 * writer (info, dump, messages, chains), CSV cells and graph labels.
 */
void utf8_add_safe_text(struct strbuf *sb, const char *s, size_t n);

/* True when utf8_add_safe_text() would copy @p s unchanged (fast path of the writers). */
bool utf8_is_safe_text(const char *s, size_t n);

#endif
