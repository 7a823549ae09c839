/* SPDX-License-Identifier: MIT */
/* The options and pipeline shared by the report commands (see report.h). */
#include "report.h"

#include <string.h>

const struct cli_opt report_stacks_opts[] = {
    {.name = "stacks",
     .kind = CLI_OPT_FLAG,
     CLI_DEST(struct report_args, stacks),
     .help = "include the resolved call stacks of sends and receives"},
    {0},
};

/* The write options of the parsed @p a; the filter's callbacks only when a filter is given. */
static void
write_options(const struct report_cmd *cmd, struct report_args *a, const char *path,
	      int64_t trace_start, struct alpcscope_write_options *wo)
{
	wo->format = (enum alpcscope_output_format)a->format;
	wo->stacks = a->stacks;
	wo->csv_raw = a->csv_raw;
	if (a->filter.caused_process) { /* chains --caused-process */
		wo->caused_process_only = true;
		wo->process_filter = filter_caused_process;
	}
	wo->trace_path = path;
	wo->trace_start_filetime = trace_start;
	wo->filter_ctx = &a->filter;
	if (filter_active(&a->filter))
		cmd->bind_filter(wo);
}

/* Write the report of @p m (or let before_write answer); returns the exit code. */
static int
write_report(const struct report_cmd *cmd, const char *name, const struct alpcscope_model *m,
	     const struct cli_filter *f, const struct alpcscope_write_options *wo, int rc)
{
	struct alpcscope_error err;

	setvbuf(stdout, NULL, _IOFBF, 1u << 20);
	memset(&err, 0, sizeof(err));
	if (cmd->before_write && !cmd->before_write(m, f, wo)) {
		if (fflush(stdout) != 0)
			rc = EXIT_UNREADABLE;
	} else {
		enum alpcscope_status st = cmd->write(m, wo, stdout, &err);

		if (st != ALPCSCOPE_OK) {
			fprintf(stderr, "alpcscope %s: %s\n", name, err.message);
			/* options the writer refuses together are a usage error */
			rc = st == ALPCSCOPE_E_INVALID_ARG ? EXIT_USAGE : EXIT_UNREADABLE;
		}
	}
	fflush(stdout);
	return rc;
}

int
report_run(const struct cli_command *cmd, int argc, char **argv)
{
	const struct report_cmd *r = cmd->impl;
	const char *name = cmd->name, *path = NULL;
	struct alpcscope_write_options wo = ALPCSCOPE_WRITE_OPTIONS_INIT;
	struct alpcscope_model_options mo = ALPCSCOPE_MODEL_OPTIONS_INIT;
	struct report_args a;
	struct cli_analysis an;
	int rc;

	memset(&a, 0, sizeof(a));
	a.format = wo.format;
	a.model = mo;
	filter_init(&a.filter);
	rc = cli_parse(cmd, argc, argv, &a, &path);
	if (rc != CLI_PARSED) {
		filter_free(&a.filter);
		return rc;
	}
	rc = cli_analyse(name, path, &a.model, &a.interfaces, &an);
	if (!an.model) {
		filter_free(&a.filter);
		return rc;
	}
	if (!filter_resolve_time(&a.filter, name, an.trace_start) ||
	    !filter_check(&a.filter, name, an.model, an.trace_start, an.trace_end)) {
		cli_analysis_free(&an);
		filter_free(&a.filter);
		return EXIT_USAGE;
	}
	write_options(r, &a, path, an.trace_start, &wo);
	wo.symbolizer = cli_symbols_open(&a.symbols, name);
	rc = write_report(r, name, an.model, &a.filter, &wo, rc);
	if (wo.symbolizer)
		cli_symbols_report(&a.symbols, wo.symbolizer, name);
	alpcscope_symbolizer_free(wo.symbolizer);
	cli_analysis_free(&an);
	filter_free(&a.filter);
	return rc;
}
