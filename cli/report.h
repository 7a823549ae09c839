/* SPDX-License-Identifier: MIT */
/*
 * The shape shared by the report commands (`messages`, `chains`,
 * `summary`): their options (report_args, filled by the option tables),
 * build the model, resolve the time window, and write the report.
 */
#ifndef ALPCSCOPE_CLI_REPORT_H
#define ALPCSCOPE_CLI_REPORT_H

#include <stdio.h>

#include "analyse.h"
#include "cli.h"
#include "filter.h"
#include "symbols_opt.h"

/* The options of a report command, where its option tables put them. */
struct report_args {
	int format; /* enum alpcscope_output_format */
	bool stacks, csv_raw;
	struct alpcscope_model_options model; /* --expire */
	struct cli_filter filter;             /* and chains --caused-process */
	struct cli_interfaces interfaces;
	struct cli_symbols symbols;
};

/* --stacks (messages, chains). */
extern const struct cli_opt report_stacks_opts[];

/* --expire and --csv-raw (every report command). */
#define REPORT_EXPIRY_CSV_GROUPS                                                                   \
	{.opts = cli_expiry_opts, .offset = offsetof(struct report_args, model)},                  \
	{                                                                                          \
		.opts = cli_csv_raw_opts, .offset = offsetof(struct report_args, csv_raw)          \
	}

/* --stacks, --expire, --csv-raw and the symbols options (the commands that print stacks). */
#define REPORT_STACK_GROUPS                                                                        \
	{.opts = report_stacks_opts}, REPORT_EXPIRY_CSV_GROUPS,                                    \
	{                                                                                          \
		.opts = cli_symbols_opts, .offset = offsetof(struct report_args, symbols)          \
	}

/* The groups every report command ends with: --help, the filters, the common options. */
#define REPORT_TAIL_GROUPS                                                                         \
	CLI_HELP_GROUP,                                                                            \
	    {.opts = cli_filter_opts,                                                              \
	     .offset = offsetof(struct report_args, filter),                                       \
	     .synopsis = "[filters]"},                                                             \
	    {.opts = cli_interface_opts,                                                           \
	     .offset = offsetof(struct report_args, interfaces),                                   \
	     .synopsis = ""},                                                                      \
	    CLI_COMMON_GROUP

/* What a report command adds to the shared pipeline (the cli_command's impl). */
struct report_cmd {
	enum alpcscope_status (*write)(const struct alpcscope_model *m,
				       const struct alpcscope_write_options *o, FILE *out,
				       struct alpcscope_error *err);
	/* Install the command's row/tree filter on the write options (only when a filter is given).
	 */
	void (*bind_filter)(struct alpcscope_write_options *wo);
	/*
	 * Optional: called with the finished model before writing; may print an
	 * answer itself. Returns true when the writer is still to run.
	 */
	bool (*before_write)(const struct alpcscope_model *m, const struct cli_filter *f,
			     const struct alpcscope_write_options *wo);
};

/* The run() of the report commands (cmd->impl is their struct report_cmd). */
int report_run(const struct cli_command *cmd, int argc, char **argv);

#endif
