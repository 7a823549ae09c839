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

#include "analyse.h"
#include "cli.h"
#include "symbols_opt.h"

/* The options of `symbols`, where its option tables put them. */
struct symbols_args {
	int format; /* enum alpcscope_symbols_report_format */
	struct cli_symbols symbols;
};

static const struct cli_choice formats[] = {
    {"text", ALPCSCOPE_SYMBOLS_REPORT_TEXT, false},
    {"json", ALPCSCOPE_SYMBOLS_REPORT_JSON, false},
    {NULL, 0, false},
};

static const struct cli_opt symbols_cmd_opts[] = {
    CLI_FORMAT_OPTION(struct symbols_args, format, formats, "text (default) or json"),
    {0},
};

static const struct cli_opt_group groups[] = {
    {.opts = symbols_cmd_opts},
    {.opts = cli_symbols_opts, .offset = offsetof(struct symbols_args, symbols)},
    CLI_HELP_GROUP,
    CLI_COMMON_GROUP,
    {0},
};

static int
run(const struct cli_command *cmd, int argc, char **argv)
{
	const char *path = NULL;
	struct alpcscope_model_options mo = ALPCSCOPE_MODEL_OPTIONS_INIT;
	struct alpcscope_symbolizer_options so = ALPCSCOPE_SYMBOLIZER_OPTIONS_INIT;
	struct alpcscope_symbolizer *s = NULL;
	struct symbols_args a = {ALPCSCOPE_SYMBOLS_REPORT_TEXT, {NULL, false}};
	struct cli_analysis an;
	struct alpcscope_error err;
	int rc = cli_parse(cmd, argc, argv, &a, &path);

	if (rc != CLI_PARSED)
		return rc;
	/* An empty path still lists the modules and where their PDBs would be. */
	so.symbol_path = a.symbols.path ? a.symbols.path : getenv("_NT_SYMBOL_PATH");
	memset(&err, 0, sizeof(err));
	if (alpcscope_symbolizer_new(&s, &so, &err) != ALPCSCOPE_OK) {
		fprintf(stderr, "alpcscope symbols: %s\n", err.message);
		return EXIT_UNREADABLE;
	}
	rc = cli_analyse("symbols", path, &mo, NULL, &an);
	if (an.model) {
		setvbuf(stdout, NULL, _IOFBF, 1u << 20);
		if (alpcscope_symbols_report_write(an.model, s,
						   (enum alpcscope_symbols_report_format)a.format,
						   path, stdout, &err) != ALPCSCOPE_OK) {
			fprintf(stderr, "alpcscope symbols: %s\n", err.message);
			rc = EXIT_UNREADABLE;
		}
	}
	cli_analysis_free(&an);
	alpcscope_symbolizer_free(s);
	return rc;
}

const struct cli_command cli_cmd_symbols = {
    .name = "symbols",
    .summary = "modules on stacks, their PDBs and where they are (--symbols PATH)",
    .operand = "TRACE.etl",
    .groups = groups,
    .run = run,
};
