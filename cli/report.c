/* SPDX-License-Identifier: MIT */
/* The common option loop and pipeline of the report commands (see report.h). */
#include "report.h"

#include <string.h>

#include "symbols_opt.h"

static void
usage(const struct report_cmd *cmd, FILE *out)
{
	fprintf(out, "%s  -f, --format FORMAT       %s\n", cmd->usage, cmd->formats);
	if (cmd->stacks)
		fprintf(out, "  --stacks                  include the resolved call stacks of "
			     "sends and receives\n");
	fprintf(out,
		"  --expire SECONDS          pending-send expiry window (default 60, 0 = never)\n"
		"  --csv-raw                 CSV: keep cells starting with = + - @ as they are\n"
		"                            (default: a leading ' so spreadsheets show text)\n"
		"%s  -h, --help                this help\n%s%s",
		cmd->stacks ? cli_symbols_usage : "", filter_usage, cli_common_usage);
}

int
report_run(const struct report_cmd *cmd, int argc, char **argv)
{
	const char *path = NULL;
	struct alpcscope_write_options wo = ALPCSCOPE_WRITE_OPTIONS_INIT;
	struct alpcscope_model_options mo = ALPCSCOPE_MODEL_OPTIONS_INIT;
	struct alpcscope_model *m = NULL;
	struct alpcscope_error err;
	struct cli_filter f;
	struct cli_symbols syms = {0};
	int64_t start = 0, end = 0;
	int rc;

	filter_init(&f);
	for (int i = 1; i < argc; i++) {
		const char *v;
		int r = filter_parse_arg(&f, cmd->name, argc, argv, &i);

		if (r < 0)
			goto usage_error;
		if (r > 0)
			continue;
		r = cmd->extra_option ? cmd->extra_option(argc, argv, &i, &wo, &f) : 0;
		if (r < 0)
			goto usage_error;
		if (r > 0)
			continue;
		if (cmd->stacks && cli_symbols_parse_arg(&syms, argc, argv, &i))
			continue;
		if (cli_opt(argv[i], "--format", &v, &i, argc, argv) ||
		    cli_opt(argv[i], "-f", &v, &i, argc, argv)) {
			if (!filter_parse_format(cmd->name, v, &wo.format))
				goto usage_error;
		} else if (cli_opt(argv[i], "--expire", &v, &i, argc, argv)) {
			if (!filter_parse_expiry(cmd->name, v, &mo))
				goto usage_error;
		} else if (cmd->stacks && strcmp(argv[i], "--stacks") == 0) {
			wo.stacks = true;
		} else if (strcmp(argv[i], "--csv-raw") == 0) {
			wo.csv_raw = true;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(cmd, stdout);
			filter_free(&f);
			return EXIT_OK;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "alpcscope %s: unknown option '%s'\n", cmd->name, argv[i]);
			goto usage_error;
		} else if (!path) {
			path = argv[i];
		} else {
			fprintf(stderr, "alpcscope %s: more than one trace given\n", cmd->name);
			goto usage_error;
		}
	}
	if (!path)
		goto usage_error;
	rc = cli_analyse(cmd->name, path, &mo, &m, &start, &end);
	if (!m) {
		filter_free(&f);
		return rc;
	}
	if (!filter_resolve_time(&f, cmd->name, start) ||
	    !filter_check(&f, cmd->name, m, start, end)) {
		alpcscope_model_free(m);
		filter_free(&f);
		return EXIT_USAGE;
	}
	wo.trace_path = path;
	wo.trace_start_filetime = start;
	wo.filter_ctx = &f;
	if (filter_active(&f))
		cmd->bind_filter(&wo);
	wo.symbolizer = cli_symbols_open(&syms, cmd->name);
	setvbuf(stdout, NULL, _IOFBF, 1u << 20);
	memset(&err, 0, sizeof(err));
	if (cmd->before_write && !cmd->before_write(m, &f, &wo)) {
		if (fflush(stdout) != 0)
			rc = EXIT_UNREADABLE;
	} else {
		enum alpcscope_status st = cmd->write(m, &wo, stdout, &err);

		if (st != ALPCSCOPE_OK) {
			fprintf(stderr, "alpcscope %s: %s\n", cmd->name, err.message);
			/* options the writer refuses together are a usage error */
			rc = st == ALPCSCOPE_E_INVALID_ARG ? EXIT_USAGE : EXIT_UNREADABLE;
		}
	}
	fflush(stdout);
	if (wo.symbolizer)
		cli_symbols_report(&syms, wo.symbolizer, cmd->name);
	alpcscope_symbolizer_free(wo.symbolizer);
	alpcscope_model_free(m);
	filter_free(&f);
	return rc;

usage_error:
	usage(cmd, stderr);
	filter_free(&f);
	return EXIT_USAGE;
}
