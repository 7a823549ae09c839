/* SPDX-License-Identifier: MIT */
/*
 * XML in and out: events read from a Windows event XML dump (tracerpt -of
 * XML, wevtutil, or `alpcscope dump --format xml`) as a trace source, and
 * the WPR recording profile that captures what the analysis uses.
 *
 * The XML source is streaming (libxml2 xmlTextReader, bounded memory) and
 * lends out one struct alpcscope_event per <Event>, the same view the ETL
 * reader gives: header fields from <System>, and for the kernel events the
 * analysis uses (Process, Thread, Image, ALPC, StackWalk, SystemConfig
 * Services) a payload rebuilt from the named <Data> fields, so that
 * alpcscope_decode() and alpcscope_model_add_event() run unchanged. The
 * <Data> fields themselves are available as text too. See docs/xml.md.
 */
#ifndef ALPCSCOPE_XML_H
#define ALPCSCOPE_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common.h"
#include "decode.h"
#include "event.h"
#include "reader.h"
#include "status.h"

ALPCSCOPE_BEGIN_DECLS

/** Streaming reader of an event XML dump. Not thread-safe; use one per thread. */
struct alpcscope_xml_source;

/**
 * True when @p data looks like XML: the first byte after an optional UTF-8
 * byte order mark and white space is '<'. ETL files start with a binary
 * buffer header and never match.
 */
ALPCSCOPE_EXPORT bool alpcscope_xml_sniff(const void *data, size_t size);

/** alpcscope_xml_sniff() on the first bytes of @p path; false when unreadable. */
ALPCSCOPE_EXPORT bool alpcscope_xml_sniff_file(const char *path);

/**
 * Open an XML dump for reading. Only the diagnostic callback and @c strict
 * of @p options are used (NULL = defaults); diagnostics have IDs
 * ALPCSCOPE-W6xx (docs/diagnostics.md).
 *
 * @return ALPCSCOPE_OK; ALPCSCOPE_E_IO (cannot open); ALPCSCOPE_E_NOT_ETL
 *         (does not start like XML); ALPCSCOPE_E_NOMEM.
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_xml_source_open_file(struct alpcscope_xml_source **out, const char *path,
			       const struct alpcscope_reader_options *options,
			       struct alpcscope_error *err);

/** Same over @p size bytes at @p data, kept alive by the caller until free. */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_xml_source_open_memory(struct alpcscope_xml_source **out, const void *data, size_t size,
				 const struct alpcscope_reader_options *options,
				 struct alpcscope_error *err);

/**
 * Next <Event>, in document order.
 *
 * @param[out] out  Borrowed event, valid until the next call on @p src.
 * @return ALPCSCOPE_OK; ALPCSCOPE_END after the last event;
 *         ALPCSCOPE_E_CORRUPT when the document is not well-formed or not
 *         an event document (message: "line L, column C: reason"; the
 *         offset is the byte position); ALPCSCOPE_E_NOMEM.
 */
ALPCSCOPE_EXPORT enum alpcscope_status alpcscope_xml_source_next(struct alpcscope_xml_source *src,
								 const struct alpcscope_event **out,
								 struct alpcscope_error *err);

/**
 * The <Data Name="..."> fields (or <UserData> leaves) of the event last
 * returned, as ALPCSCOPE_FIELD_STRING fields in document order. Borrowed,
 * valid until the next call on @p src. Returns the count.
 */
ALPCSCOPE_EXPORT size_t alpcscope_xml_source_fields(const struct alpcscope_xml_source *src,
						    const struct alpcscope_field **fields);

/**
 * Trace-wide facts gathered so far: from the EventTrace Header event's
 * fields when the dump has one (start time, pointer size, clock, CPU count,
 * logger name, ...), else start time = first event's time. Borrowed.
 */
ALPCSCOPE_EXPORT const struct alpcscope_trace_info *
alpcscope_xml_source_info(const struct alpcscope_xml_source *src);

/** Counters so far (records_total, records_by_kind, diagnostics). Borrowed. */
ALPCSCOPE_EXPORT const struct alpcscope_reader_stats *
alpcscope_xml_source_stats(const struct alpcscope_xml_source *src);

/** Release @p src. Accepts NULL. */
ALPCSCOPE_EXPORT void alpcscope_xml_source_free(struct alpcscope_xml_source *src);

/* ---- WPR recording profile ---------------------------------------------- */

/**
 * Name of the profile in the .wprp: `wpr -start FILE.wprp!NAME -filemode`
 * records to a file, `wpr -start FILE.wprp!NAME` to circular memory buffers.
 */
#define ALPCSCOPE_WPR_PROFILE_NAME "alpcscope"
/** Id of its file-mode version (Id = Name.DetailLevel.LoggingMode, as WPR requires). */
#define ALPCSCOPE_WPR_PROFILE_ID "alpcscope.Verbose.File"
/** Id of its memory-mode version. */
#define ALPCSCOPE_WPR_PROFILE_ID_MEMORY "alpcscope.Verbose.Memory"

/**
 * Write the WPR recording profile (.wprp) that captures everything the
 * analysis can use: kernel ProcessThread, Loader, ALPC (and CSwitch-free
 * minimum), stacks on every ALPC event and on process/thread creation and
 * image load, SystemConfig rundown, and the Microsoft-Windows-RPC and
 * Microsoft-Windows-WMI-Activity providers, in a File and a Memory version
 * (docs/xml.md). Well-formed UTF-8 XML.
 *
 * @return ALPCSCOPE_OK, ALPCSCOPE_E_IO, ALPCSCOPE_E_NOMEM.
 */
ALPCSCOPE_EXPORT enum alpcscope_status alpcscope_profile_write(FILE *out,
							       struct alpcscope_error *err);

ALPCSCOPE_END_DECLS

#endif
