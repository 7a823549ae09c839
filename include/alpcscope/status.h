/* SPDX-License-Identifier: MIT */
/*
 * One status enum for the whole library and the caller-owned error details
 * every fallible call can fill. There is no global "last error".
 */
#ifndef ALPCSCOPE_STATUS_H
#define ALPCSCOPE_STATUS_H

#include <stdint.h>

#include "common.h"

ALPCSCOPE_BEGIN_DECLS

/** Result of every fallible call: 0 ok, 1 end of iteration, negative errors. */
enum alpcscope_status {
	ALPCSCOPE_OK = 0,
	ALPCSCOPE_END = 1,            /**< iteration finished; not an error */
	ALPCSCOPE_E_NOMEM = -1,       /**< allocation failed */
	ALPCSCOPE_E_IO = -2,          /**< open, map or write failed; message has errno text */
	ALPCSCOPE_E_NOT_ETL = -3,     /**< input is not an ETL file */
	ALPCSCOPE_E_CORRUPT = -4,     /**< structure violates the format */
	ALPCSCOPE_E_UNSUPPORTED = -5, /**< valid, but not handled */
	ALPCSCOPE_E_INVALID_ARG = -6, /**< caller broke a documented precondition */
};

/** Offset value meaning "no file offset applies". */
#define ALPCSCOPE_NO_OFFSET UINT64_MAX

/** Caller-owned error details; pass NULL where only the status matters. */
struct alpcscope_error {
	enum alpcscope_status status;
	uint64_t offset;   /**< file offset of the bad bytes, or ALPCSCOPE_NO_OFFSET */
	char message[256]; /**< one line, no trailing newline */
};

/** Static English name of @p status; never NULL. */
ALPCSCOPE_EXPORT const char *alpcscope_status_str(enum alpcscope_status status);

ALPCSCOPE_END_DECLS

#endif
