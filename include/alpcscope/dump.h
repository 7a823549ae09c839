/* SPDX-License-Identifier: MIT */
/*
 * Event dump writers for `alpcscope dump`: one line per event with its header
 * fields and decoded payload fields by name, as text, JSON Lines or CSV.
 */
#ifndef ALPCSCOPE_DUMP_H
#define ALPCSCOPE_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common.h"
#include "decode.h"
#include "event.h"
#include "status.h"

ALPCSCOPE_BEGIN_DECLS

/** Output formats of the dump writer. */
enum alpcscope_dump_format {
	ALPCSCOPE_DUMP_TEXT = 0,
	ALPCSCOPE_DUMP_JSONL = 1,
	ALPCSCOPE_DUMP_CSV = 2,
	ALPCSCOPE_DUMP_XML = 3, /**< Windows event XML (tracerpt -of XML shape); docs/xml.md */
};

/** Streaming writer of events; holds a reusable line buffer. */
struct alpcscope_dump_writer;

/**
 * Create a writer to @p out (which the caller keeps open).
 * CSV writes its header line here.
 * @param[out] w  New writer; free with alpcscope_dump_writer_free().
 * @return ALPCSCOPE_OK, ALPCSCOPE_E_NOMEM, ALPCSCOPE_E_INVALID_ARG.
 */
ALPCSCOPE_EXPORT enum alpcscope_status alpcscope_dump_writer_new(struct alpcscope_dump_writer **w,
								 enum alpcscope_dump_format fmt,
								 FILE *out,
								 struct alpcscope_error *err);

/**
 * Cut raw payloads and byte fields to their first @p max_bytes bytes of hex
 * (0, the default: whole). The payload size is always written; a cut
 * payload ends in "..." (text, csv) or carries "payload_truncated": true
 * (jsonl). XML always carries the whole payload.
 */
ALPCSCOPE_EXPORT void alpcscope_dump_writer_set_payload_limit(struct alpcscope_dump_writer *w,
							      size_t max_bytes);

/**
 * Write one event. @p decoded may be NULL (header fields and raw payload
 * only). Strings are written as valid UTF-8 whatever the input bytes.
 * @return ALPCSCOPE_OK, ALPCSCOPE_E_IO (write failed), ALPCSCOPE_E_NOMEM.
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_dump_writer_event(struct alpcscope_dump_writer *w, const struct alpcscope_event *ev,
			    const struct alpcscope_decoded *decoded, struct alpcscope_error *err);

/**
 * Write the rows collected so far (rows are written in batches). Call it
 * before flushing or closing @p out; alpcscope_dump_writer_free() also
 * writes them, without reporting an error.
 * @return ALPCSCOPE_OK, ALPCSCOPE_E_IO (a write failed), ALPCSCOPE_E_INVALID_ARG.
 */
ALPCSCOPE_EXPORT enum alpcscope_status alpcscope_dump_writer_flush(struct alpcscope_dump_writer *w,
								   struct alpcscope_error *err);

/**
 * CSV: keep cells that start with = + - @ as they are. By default such a
 * cell gets a leading ' so spreadsheets do not run it as a formula.
 */
ALPCSCOPE_EXPORT void alpcscope_dump_writer_set_csv_raw(struct alpcscope_dump_writer *w, bool raw);

struct alpcscope_model;
struct alpcscope_symbolizer;

/**
 * Name the frames of StackWalk events from now on: each gets one more field,
 * "Symbols", its frames as module!function+0xoff joined by " | ", resolved
 * through the image maps of @p model (a finished model of the same trace)
 * and @p symbolizer (include/alpcscope/symbols.h). Both are borrowed and
 * must outlive the writer's use; NULL turns it off.
 */
ALPCSCOPE_EXPORT void alpcscope_dump_writer_set_symbols(struct alpcscope_dump_writer *w,
							const struct alpcscope_model *model,
							struct alpcscope_symbolizer *symbolizer);

/** Release @p w (writes the rows still collected, ends an XML document). Accepts NULL. */
ALPCSCOPE_EXPORT void alpcscope_dump_writer_free(struct alpcscope_dump_writer *w);

ALPCSCOPE_END_DECLS

#endif
