/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope profile [-o FILE.wprp]`: write the WPR recording profile that
 * captures everything the analysis uses, and print how to record with it.
 */
#include "cli.h"
#include "outfile.h"

#include <stdio.h>
#include <string.h>

/* The options of `profile`, where its option table puts them. */
struct profile_args {
	const char *output;
};

static const struct cli_opt profile_opts[] = {
    {.name = "output",
     .short_name = 'o',
     .kind = CLI_OPT_STRING,
     CLI_DEST(struct profile_args, output),
     .value_name = "FILE",
     .synopsis = "[-o FILE.wprp]",
     .complete = CLI_COMPLETE_FILE,
     .help = "write the profile to FILE ('-' or none: stdout)"},
    {0},
};

static const struct cli_opt_group groups[] = {
    {.opts = profile_opts},
    CLI_HELP_GROUP,
    {0},
};

static int
run(const struct cli_command *cmd, int argc, char **argv)
{
	struct profile_args a = {NULL};
	const char *operand, *path;
	struct alpcscope_error err;
	struct outfile of;
	int rc = cli_parse(cmd, argc, argv, &a, &operand);

	if (rc != CLI_PARSED)
		return rc;
	path = a.output;
	rc = EXIT_OK;
	/* A temporary beside a regular target, renamed when complete (outfile.h). */
	if (!outfile_open(&of, "profile", path ? path : "-"))
		return EXIT_UNREADABLE;
	memset(&err, 0, sizeof(err));
	if (alpcscope_profile_write(of.f, &err) != ALPCSCOPE_OK) {
		fprintf(stderr, "alpcscope profile: cannot write %s: %s\n",
			of.f == stdout ? "standard output" : path, err.message);
		rc = EXIT_UNREADABLE;
	}
	if (!outfile_close(&of, "profile", rc == EXIT_OK))
		rc = EXIT_UNREADABLE;
	if (rc == EXIT_OK && path && strcmp(path, "-") != 0)
		fprintf(stderr,
			"Record (elevated):  wpr -start %s!%s -filemode\n"
			"                    ... reproduce ...\n"
			"                    wpr -stop trace.etl\n"
			"Or keep the last minutes in memory (circular buffers):\n"
			"                    wpr -start %s!%s\n"
			"                    ... when it happened ...\n"
			"                    wpr -stop trace.etl\n"
			"Analyse:            alpcscope info trace.etl\n",
			path, ALPCSCOPE_WPR_PROFILE_NAME, path, ALPCSCOPE_WPR_PROFILE_NAME);
	return rc;
}

const struct cli_command cli_cmd_profile = {
    .name = "profile",
    .summary = "write the WPR recording profile (.wprp) alpcscope needs",
    .operand = NULL,
    .groups = groups,
    .run = run,
};
