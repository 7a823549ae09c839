/* SPDX-License-Identifier: MIT */
/* Filling caller-owned struct alpcscope_error in one line at each failure site. */
#ifndef ALPCSCOPE_UTIL_ERROR_H
#define ALPCSCOPE_UTIL_ERROR_H

#include <alpcscope/status.h>

/* Fill *err (if any) and return @p status, so callers can `return error_set(...)`. */
enum alpcscope_status error_set(struct alpcscope_error *err, enum alpcscope_status status,
				uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
