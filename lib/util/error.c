/* SPDX-License-Identifier: MIT */
/* Status names and the one-line error filler used at every failure site. */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>

const char *
alpcscope_status_str(enum alpcscope_status status)
{
	switch (status) { /* no default: -Wswitch flags a missing case */
	case ALPCSCOPE_OK: return "success";
	case ALPCSCOPE_END: return "end of iteration";
	case ALPCSCOPE_E_NOMEM: return "out of memory";
	case ALPCSCOPE_E_IO: return "I/O error";
	case ALPCSCOPE_E_NOT_ETL: return "not an ETL file";
	case ALPCSCOPE_E_CORRUPT: return "corrupt data";
	case ALPCSCOPE_E_UNSUPPORTED: return "unsupported";
	case ALPCSCOPE_E_INVALID_ARG: return "invalid argument";
	}
	return "unknown status";
}

enum alpcscope_status
error_set(struct alpcscope_error *err, enum alpcscope_status status, uint64_t offset,
	  const char *fmt, ...)
{
	if (err) {
		va_list ap;

		err->status = status;
		err->offset = offset;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return status;
}
