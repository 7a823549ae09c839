/* SPDX-License-Identifier: MIT */
/*
 * UTF-16LE to UTF-8 conversion of untrusted, possibly unterminated strings.
 * Invalid code units (lone surrogates) become U+FFFD; never fatal.
 */
#ifndef ALPCSCOPE_UTIL_UTF16_H
#define ALPCSCOPE_UTIL_UTF16_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Length in bytes of the NUL-terminated UTF-16LE string at @p p within
 * @p avail bytes, terminator excluded. Sets *terminated to whether a NUL code
 * unit was found (if not, the whole even prefix counts).
 */
size_t utf16_strlen_bytes(const uint8_t *p, size_t avail, bool *terminated);

/*
 * Convert @p nbytes of UTF-16LE at @p src to NUL-terminated UTF-8 in @p dst
 * (capacity @p cap >= 1), truncating on a code-point boundary. Returns the
 * number of bytes written, terminator excluded.
 */
size_t utf16_to_utf8(char *dst, size_t cap, const uint8_t *src, size_t nbytes);

/* Worst-case UTF-8 bytes for @p nbytes of UTF-16 (plus terminator). */
static inline size_t
utf16_utf8_capacity(size_t nbytes)
{
	return nbytes / 2 * 3 + 1;
}

#endif
