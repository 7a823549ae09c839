/* SPDX-License-Identifier: MIT */
/*
 * Trace summary for `alpcscope info`: record counts by kind, by kernel
 * group/opcode and by provider/event, diagnostics grouped by ID, processes
 * seen, and the capability check (which ingredients of ALPC analysis the
 * trace holds). Fed event by event; no allocation per event once the
 * provider and event-kind tables have settled.
 */
#ifndef ALPCSCOPE_SUMMARY_H
#define ALPCSCOPE_SUMMARY_H

#include <stdint.h>
#include <stdio.h>

#include "common.h"
#include "event.h"
#include "reader.h"
#include "status.h"

ALPCSCOPE_BEGIN_DECLS

/** Accumulated counts over one trace. */
struct alpcscope_summary;

/** Output formats of alpcscope_summary_write(). */
enum alpcscope_summary_format {
	ALPCSCOPE_SUMMARY_TEXT = 0,
	ALPCSCOPE_SUMMARY_JSON = 1,
};

/**
 * Create an empty summary.
 * @param[out] out  New summary; free with alpcscope_summary_free().
 * @return ALPCSCOPE_OK or ALPCSCOPE_E_NOMEM.
 */
ALPCSCOPE_EXPORT enum alpcscope_status alpcscope_summary_new(struct alpcscope_summary **out,
							     struct alpcscope_error *err);

/** Count one event. @return ALPCSCOPE_OK or ALPCSCOPE_E_NOMEM. */
ALPCSCOPE_EXPORT enum alpcscope_status alpcscope_summary_add_event(struct alpcscope_summary *s,
								   const struct alpcscope_event *ev,
								   struct alpcscope_error *err);

/** Record one diagnostic (keeps the first few messages per ID and a count per ID). */
ALPCSCOPE_EXPORT void alpcscope_summary_add_diagnostic(struct alpcscope_summary *s,
						       const struct alpcscope_diagnostic *d);

/** Number of records counted for kernel @p group and @p opcode. */
ALPCSCOPE_EXPORT uint64_t alpcscope_summary_kernel_count(const struct alpcscope_summary *s,
							 uint8_t group, uint8_t opcode);

/** Number of records counted for provider @p guid (non-kernel framing). */
ALPCSCOPE_EXPORT uint64_t alpcscope_summary_provider_count(const struct alpcscope_summary *s,
							   const struct alpcscope_guid *guid);

/**
 * Write the summary of a finished read of @p reader.
 * @param out     Destination stream.
 * @param fmt     Text or JSON (keys documented in docs/info-json.md).
 * @param path    File name to show.
 * @return ALPCSCOPE_OK, ALPCSCOPE_E_IO on a write error, ALPCSCOPE_E_NOMEM.
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_summary_write(const struct alpcscope_summary *s, const struct alpcscope_reader *reader,
			const char *path, enum alpcscope_summary_format fmt, FILE *out,
			struct alpcscope_error *err);

/**
 * alpcscope_summary_write() from trace facts and counters instead of a
 * reader, e.g. those of an XML source (alpcscope_xml_source_info/stats).
 */
ALPCSCOPE_EXPORT enum alpcscope_status alpcscope_summary_write_info(
    const struct alpcscope_summary *s, const struct alpcscope_trace_info *info,
    const struct alpcscope_reader_stats *stats, const char *path, enum alpcscope_summary_format fmt,
    FILE *out, struct alpcscope_error *err);

/** Release @p s. Accepts NULL. */
ALPCSCOPE_EXPORT void alpcscope_summary_free(struct alpcscope_summary *s);

ALPCSCOPE_END_DECLS

#endif
