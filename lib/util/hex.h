/* SPDX-License-Identifier: MIT */
/* Value of one hexadecimal digit, for the parsers of GUIDs and hex text. */
#ifndef ALPCSCOPE_UTIL_HEX_H
#define ALPCSCOPE_UTIL_HEX_H

/* 0-15, or -1 when @p c is not a hex digit. */
static inline int
hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
