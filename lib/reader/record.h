/* SPDX-License-Identifier: MIT */
/*
 * One event record inside a buffer: recognise its header kind from the first
 * dword, check its bounds, and fill a struct alpcscope_event (docs/etl-layout.md#record-kinds).
 * Nothing here allocates.
 */
#ifndef ALPCSCOPE_READER_RECORD_H
#define ALPCSCOPE_READER_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include <alpcscope/event.h>

enum record_result {
	RECORD_OK = 0,      /* *ev filled, *size_out = bytes to the next record (aligned) */
	RECORD_FILL,        /* 0xFFFFFFFF fill marker: end of data */
	RECORD_BAD,         /* header fails its checks: rest of buffer unusable */
	RECORD_EXT_DAMAGED, /* record usable, but its extended item chain was cut */
};

/*
 * Parse the record at @p buf + @p pos, bounded by @p end (end of valid data
 * within @p buf). Fills the header-derived fields of @p ev (not time
 * conversion, ordinal or positions) and sets *size_out to the aligned
 * record length. On RECORD_BAD, *why names the failed check.
 */
enum record_result record_parse(const uint8_t *buf, size_t pos, size_t end,
				struct alpcscope_event *ev, size_t *size_out, const char **why);

#endif
