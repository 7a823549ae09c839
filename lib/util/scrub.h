/* SPDX-License-Identifier: MIT */
/*
 * Names read from untrusted files (symbol names, PDB paths in a trace) reach
 * text output: control characters become '?' where the name is copied in, so
 * no name can carry a terminal escape or break a line.
 */
#ifndef ALPCSCOPE_UTIL_SCRUB_H
#define ALPCSCOPE_UTIL_SCRUB_H

#include <stddef.h>

static inline char
scrub_char(unsigned char c)
{
	return c < 0x20 || c == 0x7f ? '?' : (char)c;
}

/* Copy @p n bytes of @p src to @p dst, scrubbed (no terminator written). */
static inline void
scrub_copy(char *dst, const void *src, size_t n)
{
	const unsigned char *s = src;

	for (size_t i = 0; i < n; i++)
		dst[i] = scrub_char(s[i]);
}

#endif
