/* SPDX-License-Identifier: MIT */
/* Shortest round-trip decimal of a double (see double_text.h). */
#include "util/double_text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

size_t
double_text(char *out, size_t size, double v)
{
	int n = 0;

	if (!isfinite(v))
		return (size_t)snprintf(out, size, "null");
	/* %.17g always round-trips; fewer digits when they already do */
	for (int digits = 1; digits <= 17; digits++) {
		n = snprintf(out, size, "%.*g", digits, v);
		if (n > 0 && (size_t)n < size && strtod(out, NULL) == v)
			break;
	}
	return n > 0 ? (size_t)n : 0;
}
