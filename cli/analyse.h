/* SPDX-License-Identifier: MIT */
/*
 * Reading a trace into a finished model for the commands that analyse
 * (messages, chains, summary, graph, symbols, dump --symbols): the RPC
 * interface database of --interfaces / --no-builtin-interfaces, the
 * pending-send expiry of --expire, and the loss the reader saw.
 */
#ifndef ALPCSCOPE_CLI_ANALYSE_H
#define ALPCSCOPE_CLI_ANALYSE_H

#include <alpcscope/model.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "options.h"

#define CLI_MAX_INTERFACE_FILES 64

/* --interfaces FILE (repeatable, later files win) and --no-builtin-interfaces. */
struct cli_interfaces {
	const char *files[CLI_MAX_INTERFACE_FILES];
	size_t n_files;
	bool no_builtin;
};

/* Their table (the group's struct is a struct cli_interfaces). */
extern const struct cli_opt cli_interface_opts[];

/* A model read from a trace, and the interface database it borrows. */
struct cli_analysis {
	struct alpcscope_model *model; /* NULL when there is no model to write */
	struct alpcscope_interface_db *interfaces;
	int64_t trace_start, trace_end; /* the trace's StartTime and EndTime (0: unknown) */
};

/*
 * Read @p path into a new finished model (diagnostics on stderr), naming RPC
 * interfaces from the built-in database and @p ifs (NULL: built-in only).
 * Returns the exit code of the read (0, 1 damaged, 2 bad interface file,
 * 3 unreadable); out->model is NULL when there is no model to write.
 */
int cli_analyse(const char *cmd, const char *path, const struct alpcscope_model_options *opt,
		const struct cli_interfaces *ifs, struct cli_analysis *out);

/* Free the model, then the database it borrowed. */
void cli_analysis_free(struct cli_analysis *a);

/* --expire SECONDS (the group's struct is a struct alpcscope_model_options). */
extern const struct cli_opt cli_expiry_opts[];

#endif
