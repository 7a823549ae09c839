/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope symbols TRACE [--symbols PATH] [--format text|json]`: the
 * modules on the trace's stacks, their PDB identities and store paths, and
 * what the symbol path holds for each, so a user can fetch exactly what is
 * missing on a Windows machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "filter.h"
#include "symbols_opt.h"

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: alpcscope symbols TRACE.etl [--symbols PATH] [--format text|json]\n"
		"  -f, --format FORMAT       text (default) or json\n"
		"%s  -h, --help                this help\n%s",
		cli_symbols_usage, cli_common_usage);
}

int
cmd_symbols(int argc, char **argv)
{
	const char *path = NULL, *format = "text";
	struct alpcscope_model_options mo = ALPCSCOPE_MODEL_OPTIONS_INIT;
	struct alpcscope_symbolizer_options so = ALPCSCOPE_SYMBOLIZER_OPTIONS_INIT;
	struct alpcscope_symbolizer *s = NULL;
	struct alpcscope_model *m = NULL;
	struct cli_symbols syms = {0};
	struct alpcscope_error err;
	int64_t start = 0, end = 0;
	int rc;

	for (int i = 1; i < argc; i++) {
		const char *v;

		if (cli_symbols_parse_arg(&syms, argc, argv, &i))
			continue;
		if (cli_opt(argv[i], "--format", &v, &i, argc, argv) ||
		    cli_opt(argv[i], "-f", &v, &i, argc, argv)) {
			format = v;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "alpcscope symbols: unknown option '%s'\n", argv[i]);
			return EXIT_USAGE;
		} else if (!path) {
			path = argv[i];
		} else {
			fprintf(stderr, "alpcscope symbols: more than one trace given\n");
			return EXIT_USAGE;
		}
	}
	if (!path || (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)) {
		if (path)
			fprintf(stderr, "alpcscope symbols: unknown format '%s' (text, json)\n",
				format);
		usage(stderr);
		return EXIT_USAGE;
	}
	/* An empty path still lists the modules and where their PDBs would be. */
	so.symbol_path = syms.path ? syms.path : getenv("_NT_SYMBOL_PATH");
	memset(&err, 0, sizeof(err));
	if (alpcscope_symbolizer_new(&s, &so, &err) != ALPCSCOPE_OK) {
		fprintf(stderr, "alpcscope symbols: %s\n", err.message);
		return EXIT_UNREADABLE;
	}
	rc = cli_analyse("symbols", path, &mo, &m, &start, &end);
	if (m) {
		setvbuf(stdout, NULL, _IOFBF, 1u << 20);
		if (alpcscope_symbols_report_write(m, s,
						   strcmp(format, "json") == 0
						       ? ALPCSCOPE_SYMBOLS_REPORT_JSON
						       : ALPCSCOPE_SYMBOLS_REPORT_TEXT,
						   path, stdout, &err) != ALPCSCOPE_OK) {
			fprintf(stderr, "alpcscope symbols: %s\n", err.message);
			rc = EXIT_UNREADABLE;
		}
	}
	alpcscope_model_free(m);
	alpcscope_symbolizer_free(s);
	return rc;
}
