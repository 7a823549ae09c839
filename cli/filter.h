/* SPDX-License-Identifier: MIT */
/*
 * Filters shared by the analysis subcommands, in the style analysts use with
 * other tools: --process NAME and --pid N to include (comma lists, options
 * repeatable), a leading '-' (or --exclude NAME) to exclude, and a time
 * window --from/--to given as ISO-8601 UTC or as seconds from trace start.
 * A process NAME matches its image name (with or without ".exe") or any
 * service it hosts, case-insensitively.
 */
#ifndef ALPCSCOPE_CLI_FILTER_H
#define ALPCSCOPE_CLI_FILTER_H

#include <alpcscope/model.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "options.h"

#define FILTER_MAX_ITEMS 64

struct cli_filter {
	const char *include_names[FILTER_MAX_ITEMS];
	size_t n_include_names;
	const char *exclude_names[FILTER_MAX_ITEMS];
	size_t n_exclude_names;
	uint32_t include_pids[FILTER_MAX_ITEMS];
	size_t n_include_pids;
	uint32_t exclude_pids[FILTER_MAX_ITEMS];
	size_t n_exclude_pids;
	struct cli_time from, to;           /* as given (text NULL: not given) */
	int64_t from_filetime, to_filetime; /* resolved by filter_resolve_time() */
	const char *caused_process;         /* chains --caused-process */
	/* storage for the comma-split option values */
	char *owned[FILTER_MAX_ITEMS];
	size_t n_owned;
};

void filter_init(struct cli_filter *f);
void filter_free(struct cli_filter *f);

/* The filter options (the group's struct is a struct cli_filter). */
extern const struct cli_opt cli_filter_opts[];

/*
 * Turn --from/--to into FILETIMEs; numbers are seconds after
 * @p trace_start_filetime. Returns false after printing an error.
 */
bool filter_resolve_time(struct cli_filter *f, const char *cmd, int64_t trace_start_filetime);

/* True when process @p process passes the include/exclude name and PID lists. */
bool filter_process_included(const struct cli_filter *f, const struct alpcscope_model *m,
			     uint32_t process);
bool filter_process_excluded(const struct cli_filter *f, const struct alpcscope_model *m,
			     uint32_t process);
bool filter_has_includes(const struct cli_filter *f);

/* Callbacks for struct alpcscope_write_options; ctx is the struct cli_filter. */
bool filter_message(void *ctx, const struct alpcscope_model *m, uint32_t message);
bool filter_chain(void *ctx, const struct alpcscope_model *m, uint32_t chain);
bool filter_caused_node(void *ctx, const struct alpcscope_model *m, uint32_t node);
/* chains --caused-process: processes named (or with the PID) f->caused_process. */
bool filter_caused_process(void *ctx, const struct alpcscope_model *m, uint32_t process);

/* True when @p p has image/service name @p name_or_pid, or that PID when it is a number. */
bool filter_process_matches(const struct alpcscope_process_instance *p, const char *name_or_pid);

/* True when any row filter (--process, --pid, --exclude, --from, --to) was given. */
bool filter_active(const struct cli_filter *f);

/*
 * After the model is built: an inverted --from/--to window is a usage
 * error (returns false after printing it); a --process/--pid that names no
 * process of the trace (with close names) and a window outside the trace
 * (@p trace_start .. @p trace_end; 0 = unknown) are warnings on stderr.
 * Call after filter_resolve_time().
 */
bool filter_check(const struct cli_filter *f, const char *cmd, const struct alpcscope_model *m,
		  int64_t trace_start, int64_t trace_end);

#endif
