/* SPDX-License-Identifier: MIT */
/*
 * TRACE_LOGFILE_HEADER, the payload of the first event of the header buffer
 * (docs/etl-layout.md#log-file-header): trace-wide facts and the time sync point.
 */
#ifndef ALPCSCOPE_READER_LOGFILE_HEADER_H
#define ALPCSCOPE_READER_LOGFILE_HEADER_H

#include <stdbool.h>

#include <alpcscope/event.h>
#include <alpcscope/reader.h>

enum {
	LOGFILE_HEADER32_SIZE = 0x110,
	LOGFILE_HEADER64_SIZE = 0x118,
};

/*
 * Fill @p info from the header event @p ev (SYSTEM framing, hook 0x0000).
 * Returns NULL on success or a static reason; *warning is set to a static
 * note when the form had to be guessed (HeaderType and PointerSize disagree).
 */
const char *logfile_header_decode(const struct alpcscope_event *ev,
				  struct alpcscope_trace_info *info, const char **warning);

#endif
