/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope profile [-o FILE.wprp]`: write the WPR recording profile that
 * captures everything the analysis uses, and print how to record with it.
 */
#include "cli.h"
#include "outfile.h"

#include <stdio.h>
#include <string.h>

static void
usage(FILE *out)
{
	fprintf(out, "usage: alpcscope profile [-o FILE.wprp]\n"
		     "  -o, --output FILE         write the profile to FILE ('-' or none: stdout)\n"
		     "  -h, --help                this help\n");
}

int
cmd_profile(int argc, char **argv)
{
	const char *path = NULL;
	struct alpcscope_error err;
	struct outfile of;
	int rc = EXIT_OK;

	for (int i = 1; i < argc; i++) {
		const char *v;

		if (cli_opt(argv[i], "--output", &v, &i, argc, argv) ||
		    cli_opt(argv[i], "-o", &v, &i, argc, argv)) {
			path = v;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else {
			fprintf(stderr, "alpcscope profile: unknown argument '%s'\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
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
