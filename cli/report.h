/* SPDX-License-Identifier: MIT */
/*
 * The shape shared by the report commands (`messages`, `chains`): parse the
 * common options (filters, --format, --expire, --stacks, --help, one trace),
 * build the model, resolve the time window, and write the report.
 */
#ifndef ALPCSCOPE_CLI_REPORT_H
#define ALPCSCOPE_CLI_REPORT_H

#include <stdio.h>

#include "cli.h"
#include "filter.h"

struct report_cmd {
	const char *name;    /* as on the command line */
	const char *usage;   /* usage lines before the shared filter options */
	const char *formats; /* --format values for the usage line ("text (default), json") */
	bool stacks;         /* takes --stacks */
	enum alpcscope_status (*write)(const struct alpcscope_model *m,
				       const struct alpcscope_write_options *o, FILE *out,
				       struct alpcscope_error *err);
	/* Options of this command only, at argv[*i]: 1 taken, 0 not ours. May be NULL. */
	int (*extra_option)(int argc, char **argv, int *i, struct alpcscope_write_options *wo,
			    struct cli_filter *f);
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

/* Run a report command; returns the exit code. */
int report_run(const struct report_cmd *cmd, int argc, char **argv);

#endif
