/* SPDX-License-Identifier: MIT */
/* `alpcscope info TRACE [--format text|json]`: what the trace holds and what it lacks. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: alpcscope info TRACE.etl [--format text|json]\n"
		"  -f, --format FORMAT       text (default) or json (keys: docs/info-json.md)\n"
		"  -h, --help                this help\n%s",
		cli_common_usage);
}

static enum alpcscope_status
add(void *ctx, const struct alpcscope_event *ev, struct alpcscope_error *err)
{
	return alpcscope_summary_add_event(ctx, ev, err);
}

int
cmd_info(int argc, char **argv)
{
	const char *path = NULL, *format = "text";
	struct alpcscope_summary *summary = NULL;
	struct alpcscope_reader *reader = NULL;
	struct alpcscope_error err;
	struct cli_read cr;
	int rc;

	for (int i = 1; i < argc; i++) {
		const char *v;

		if (cli_opt(argv[i], "--format", &v, &i, argc, argv) ||
		    cli_opt(argv[i], "-f", &v, &i, argc, argv)) {
			format = v;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "alpcscope info: unknown option '%s'\n", argv[i]);
			return EXIT_USAGE;
		} else if (!path) {
			path = argv[i];
		} else {
			fprintf(stderr, "alpcscope info: more than one trace given\n");
			return EXIT_USAGE;
		}
	}
	if (!path) {
		usage(stderr);
		return EXIT_USAGE;
	}
	enum alpcscope_summary_format fmt;
	if (strcmp(format, "text") == 0) {
		fmt = ALPCSCOPE_SUMMARY_TEXT;
	} else if (strcmp(format, "json") == 0) {
		fmt = ALPCSCOPE_SUMMARY_JSON;
	} else {
		fprintf(stderr, "alpcscope info: unknown format '%s' (text, json)\n", format);
		return EXIT_USAGE;
	}
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
