/* SPDX-License-Identifier: MIT */
/*
 * A double as the shortest decimal that reads back as the same double
 * (363.8, not 363.80000000000001): JSON numbers without binary noise.
 */
#ifndef ALPCSCOPE_UTIL_DOUBLE_TEXT_H
#define ALPCSCOPE_UTIL_DOUBLE_TEXT_H

#include <stddef.h>

/*
 * Write @p v into @p out (at least 32 bytes) with the fewest significant
 * digits (1..17) that round-trip through strtod(); "null" for NaN and
 * infinities (JSON has none). Returns the length.
 */
size_t double_text(char *out, size_t size, double v);

#endif
