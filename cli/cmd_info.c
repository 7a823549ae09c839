/* SPDX-License-Identifier: MIT */
/* `alpcscope info TRACE [--format text|json]`: what the trace holds and what it lacks. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* The options of `info`, where its option table puts them. */
struct info_args {
	int format; /* enum alpcscope_summary_format */
};

static const struct cli_choice formats[] = {
    {"text", ALPCSCOPE_SUMMARY_TEXT, false},
    {"json", ALPCSCOPE_SUMMARY_JSON, false},
    {NULL, 0, false},
};

static const struct cli_opt info_opts[] = {
    CLI_FORMAT_OPTION(struct info_args, format, formats,
		      "text (default) or json (keys: docs/info-json.md)"),
    {0},
};

static const struct cli_opt_group groups[] = {
    {.opts = info_opts},
    CLI_HELP_GROUP,
    CLI_COMMON_GROUP,
    {0},
};

static enum alpcscope_status
add(void *ctx, const struct alpcscope_event *ev, struct alpcscope_error *err)
{
	return alpcscope_summary_add_event(ctx, ev, err);
}

static int
run(const struct cli_command *cmd, int argc, char **argv)
{
	const char *path = NULL;
	struct info_args a = {ALPCSCOPE_SUMMARY_TEXT};
	struct alpcscope_summary *summary = NULL;
	struct alpcscope_reader *reader = NULL;
	struct alpcscope_error err;
	struct cli_read cr;
	int rc = cli_parse(cmd, argc, argv, &a, &path);

	if (rc != CLI_PARSED)
		return rc;
	enum alpcscope_summary_format fmt = (enum alpcscope_summary_format)a.format;

	memset(&err, 0, sizeof(err));
	if (alpcscope_summary_new(&summary, &err) != ALPCSCOPE_OK) {
		fprintf(stderr, "alpcscope info: %s\n", err.message);
		return EXIT_UNREADABLE;
	}
	memset(&cr, 0, sizeof(cr));
	cr.path = path;
	cr.diag_sink = summary;
	cr.quiet_diagnostics = true; /* info lists them itself */
	cr.buffer_order = true;      /* info counts: time order is not needed */
	rc = cli_read_trace(&cr, add, summary, &reader);
	if (reader) {
		if (alpcscope_summary_write(summary, reader, path, fmt, stdout, &err) !=
		    ALPCSCOPE_OK) {
			fprintf(stderr, "alpcscope info: %s\n", err.message);
			rc = EXIT_UNREADABLE;
		}
	} else if (cr.is_xml && rc != EXIT_UNREADABLE) { /* XML dump (cli/read_xml.c) */
		if (alpcscope_summary_write_info(summary, &cr.xml_info, &cr.xml_stats, path, fmt,
						 stdout, &err) != ALPCSCOPE_OK) {
			fprintf(stderr, "alpcscope info: %s\n", err.message);
			rc = EXIT_UNREADABLE;
		}
	}
	alpcscope_summary_free(summary);
	alpcscope_reader_free(reader);
	return rc;
}

const struct cli_command cli_cmd_info = {
    .name = "info",
    .summary = "trace header, record counts, processes, diagnostics, capabilities",
    .operand = "TRACE.etl",
    .groups = groups,
    .run = run,
};
