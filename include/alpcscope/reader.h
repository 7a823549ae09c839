/* SPDX-License-Identifier: MIT */
/*
 * Streaming reader over one ETL file: opens a file (mmap) or caller memory,
 * reads the log-file header, and lends out every event record in timestamp
 * order across processors, with no allocation per event. Damage is reported
 * as diagnostics with stable IDs (docs/diagnostics.md) and never stops the
 * walk: every intact buffer after a damaged one is still read.
 */
#ifndef ALPCSCOPE_READER_H
#define ALPCSCOPE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "event.h"
#include "status.h"

ALPCSCOPE_BEGIN_DECLS

/** Streaming reader over one ETL file. Not thread-safe; use one per thread. */
struct alpcscope_reader;

/** Clock types of TRACE_LOGFILE_HEADER.ReservedFlags. */
enum alpcscope_clock {
	ALPCSCOPE_CLOCK_RAW = 0,
	ALPCSCOPE_CLOCK_QPC = 1,
	ALPCSCOPE_CLOCK_SYSTEM_TIME = 2,
	ALPCSCOPE_CLOCK_CPU_CYCLES = 3,
};

/** Trace-wide facts from the log-file header (TRACE_LOGFILE_HEADER) and the buffer walk. */
struct alpcscope_trace_info {
	uint64_t file_size;
	uint32_t buffer_count;            /**< buffers found, header buffer included */
	uint32_t compressed_buffer_count; /**< buffers with BufferFlag 0x40 */
	bool header_found;                /**< false: no usable log-file header */
	bool header_is_32bit;             /**< TRACE_LOGFILE_HEADER32 form */
	uint32_t buffer_size;             /**< session buffer size in bytes */
	uint8_t version[4];               /**< major, minor, sub, subminor */
	uint32_t os_build;                /**< ProviderVersion */
	uint32_t cpu_count;
	int64_t end_filetime;
	uint32_t timer_resolution;
	uint32_t max_file_size;
	uint32_t log_file_mode;
	uint32_t buffers_written;
	uint32_t start_buffers;
	uint32_t pointer_size;
	uint32_t events_lost;
	uint32_t cpu_mhz;
	uint32_t clock_timer_source; /**< HAL_PLATFORM_TIMER_SOURCE of the clock interrupt */
	uint32_t perf_timer_source;  /**< HAL_PLATFORM_TIMER_SOURCE of the performance counter */
	int32_t timezone_bias_minutes;
	int64_t boot_filetime;
	int64_t perf_freq;
	int64_t start_filetime;
	uint32_t clock_type; /**< enum alpcscope_clock value as stored */
	uint32_t buffers_lost;
	int64_t header_timestamp_ticks; /**< raw time of the header event: the sync point */
	bool compressed; /**< LogFileMode has COMPRESSED_MODE or a buffer is compressed */
	uint32_t compression_format; /**< 2 LZNT1, 3 XPRESS, 4 XPRESS+Huffman */
	char logger_name[256];       /**< UTF-8 */
	char log_file_name[1024];    /**< UTF-8 */
};

/** Severity of a diagnostic. */
enum alpcscope_severity {
	ALPCSCOPE_SEV_INFO = 0,
	ALPCSCOPE_SEV_WARNING = 1,
	ALPCSCOPE_SEV_ERROR = 2, /**< data was lost (a buffer or record could not be read) */
};

/** One diagnostic: a survivable anomaly in the data. */
struct alpcscope_diagnostic {
	const char *id; /**< stable ID such as "ALPCSCOPE-W104"; see docs/diagnostics.md */
	enum alpcscope_severity severity;
	uint64_t file_offset;  /**< ALPCSCOPE_NO_OFFSET when none applies */
	uint32_t buffer_index; /**< UINT32_MAX when none applies */
	const char *message;   /**< one line, valid only during the callback */
};

/** Diagnostic callback. @p ctx is the options' diag_ctx. */
typedef void (*alpcscope_diag_fn)(void *ctx, const struct alpcscope_diagnostic *diag);

/** Options for opening a reader; start from ALPCSCOPE_READER_OPTIONS_INIT. */
struct alpcscope_reader_options {
	uint32_t version;       /**< ALPCSCOPE_READER_OPTIONS_VERSION */
	alpcscope_diag_fn diag; /**< optional: called for each diagnostic */
	void *diag_ctx;
	bool strict;     /**< turn damage (severity >= warning) into ALPCSCOPE_E_CORRUPT */
	bool file_order; /**< deliver records in file order instead of merged time order */
	/**
	 * Deliver each buffer's records as one run, buffers in file order (the
	 * header buffer first), without merging processors by time. For
	 * consumers that only count: every record and every counter is the
	 * same as in time order, only the order differs. Since version 2.
	 */
	bool buffer_order;
	/**
	 * Threads that decompress buffers ahead of the consumer: 0 = one per
	 * online processor, 1 (the default) = all work on the calling thread. The
	 * records, their order and every counter are the same for any value.
	 * Since version 2.
	 */
	uint32_t threads;
};

#define ALPCSCOPE_READER_OPTIONS_VERSION 2
#define ALPCSCOPE_READER_OPTIONS_INIT                                                              \
	{                                                                                          \
		ALPCSCOPE_READER_OPTIONS_VERSION, NULL, NULL, false, false, false, 1               \
	}

/** Counters kept while reading; complete once alpcscope_reader_next() returned ALPCSCOPE_END. */
struct alpcscope_reader_stats {
	uint64_t records_total; /**< every record delivered, the header event included */
	uint64_t records_by_kind[ALPCSCOPE_RECORD_KIND_COUNT];
	uint64_t ext_items;             /**< EVENT_HEADER extended items seen */
	uint64_t ext_items_by_type[20]; /**< index = type, 19 collects unknown types */
	uint32_t buffers_read;          /**< buffers whose records were walked */
	uint32_t buffers_damaged;       /**< buffers skipped or cut short by damage */
	uint32_t buffers_undecompressible;
	uint32_t sequence_gaps; /**< missing sequence numbers within a processor stream */
	uint64_t header_records_past_saved_offset; /**< complete records between SavedOffset and
						      Offset */
	uint64_t time_inversions; /**< per-stream timestamp decreases (delivered in stream order) */
	uint64_t diagnostics;     /**< diagnostics raised */
	uint64_t diagnostics_by_severity[3];
	uint64_t bytes_decompressed;
};

/**
 * Open @p path (memory-mapped) for reading.
 *
 * @param[out] out  New reader on success; free with alpcscope_reader_free().
 * @param path      File to read.
 * @param options   Optional (NULL = defaults).
 * @param err       Optional error details.
 * @return ALPCSCOPE_OK; ALPCSCOPE_E_IO (cannot open or map); ALPCSCOPE_E_NOT_ETL
 *         (no ETL buffer at offset 0); ALPCSCOPE_E_NOMEM.
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_reader_open_file(struct alpcscope_reader **out, const char *path,
			   const struct alpcscope_reader_options *options,
			   struct alpcscope_error *err);

/**
 * Same as alpcscope_reader_open_file() over @p size bytes at @p data, which
 * the caller keeps alive and unchanged until alpcscope_reader_free().
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_reader_open_memory(struct alpcscope_reader **out, const void *data, size_t size,
			     const struct alpcscope_reader_options *options,
			     struct alpcscope_error *err);

/** Trace-wide information; borrowed, lives as long as @p reader. */
ALPCSCOPE_EXPORT const struct alpcscope_trace_info *
alpcscope_reader_info(const struct alpcscope_reader *reader);

/** Counters so far; borrowed, lives as long as @p reader. */
ALPCSCOPE_EXPORT const struct alpcscope_reader_stats *
alpcscope_reader_stats(const struct alpcscope_reader *reader);

/**
 * Advance to the next event, in timestamp order across processors (the
 * header buffer's records first).
 *
 * @param reader    The reader.
 * @param[out] out  Borrowed event, valid until the next call on @p reader.
 * @param err       Optional error details.
 * @return ALPCSCOPE_OK with *out set; ALPCSCOPE_END after the last event;
 *         ALPCSCOPE_E_CORRUPT only in strict mode; ALPCSCOPE_E_NOMEM.
 */
ALPCSCOPE_EXPORT enum alpcscope_status alpcscope_reader_next(struct alpcscope_reader *reader,
							     const struct alpcscope_event **out,
							     struct alpcscope_error *err);

/**
 * Convert a raw timestamp of this trace to UTC FILETIME (100 ns since 1601).
 * Returns the raw value unchanged when the trace has no usable time base.
 */
ALPCSCOPE_EXPORT int64_t alpcscope_reader_ticks_to_filetime(const struct alpcscope_reader *reader,
							    int64_t ticks);

/**
 * Where buffers were lost: on @c processor, between its last record before
 * a gap in the buffer sequence numbers and its first record after it.
 */
struct alpcscope_loss_window {
	int64_t start_filetime_100ns;
	int64_t end_filetime_100ns;
	uint32_t processor;
};

/**
 * Number of loss windows found so far (complete once alpcscope_reader_next()
 * returned ALPCSCOPE_END; none in file order mode).
 */
ALPCSCOPE_EXPORT uint32_t alpcscope_reader_loss_window_count(const struct alpcscope_reader *reader);
/** Loss window @p index into @p out; false when out of range. */
ALPCSCOPE_EXPORT bool alpcscope_reader_loss_window_at(const struct alpcscope_reader *reader,
						      uint32_t index,
						      struct alpcscope_loss_window *out);

/** Release @p reader and everything it lent out. Accepts NULL. */
ALPCSCOPE_EXPORT void alpcscope_reader_free(struct alpcscope_reader *reader);

/**
 * Format a FILETIME as ISO-8601 UTC with 100 ns precision,
 * "2020-07-13T09:41:12.1234567Z", into @p out (at least 32 bytes).
 */
ALPCSCOPE_EXPORT void alpcscope_filetime_format(char *out, size_t out_size, int64_t filetime_100ns);

/**
 * Parse ISO-8601 date and time into a FILETIME (100 ns since 1601-01-01
 * UTC): "YYYY-MM-DDTHH:MM:SS" with exactly 4/2/2/2/2/2 digits ('T' or one
 * space between date and time), an optional fraction ('.' or ',', any number
 * of digits, 100 ns kept) and an optional zone ("Z", "+hh:mm", "-hh:mm",
 * "+hhmm"; none means UTC); spaces around are ignored. The one parser of the
 * library and the CLI (--from/--to, XML TimeCreated).
 * @return false when @p text is malformed, a field is out of range (year
 *         before 1601, month 13, day 32, hour 24, ...) or NULL.
 */
ALPCSCOPE_EXPORT bool alpcscope_filetime_parse(const char *text, int64_t *filetime_100ns);

ALPCSCOPE_END_DECLS

#endif
