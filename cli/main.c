/* SPDX-License-Identifier: MIT */
/* alpcscope: subcommand dispatch, global --help/--version, exit codes. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* Only listed: `alpcscope --help` and `--version` are read as the first word. */
static const struct cli_opt main_opts[] = {
    {.name = "help",
     .short_name = 'h',
     .kind = CLI_OPT_HELP,
     .help = "the command's options (alpcscope COMMAND --help)"},
    {.name = "version", .kind = CLI_OPT_FLAG, .help = "print the version"},
    {0},
};

static const struct cli_opt_group common_group = CLI_COMMON_GROUP;

static void
usage(FILE *out)
{
	fprintf(out, "usage: alpcscope COMMAND TRACE.etl [options]\n\ncommands:\n");
	for (const struct cli_command *const *c = cli_commands; *c; c++)
		fprintf(out, "  %-10s %s\n", (*c)->name, (*c)->summary);
	fprintf(out, "\noptions of every command:\n");
	cli_print_group_help(cli_common_opts, out);
	cli_print_group_help(main_opts, out);
	fprintf(out, "\nexit codes: 0 ok, 1 trace damaged but read, 2 usage, 3 unreadable\n"
		     "manual: man alpcscope\n");
}

int
main(int argc, char **argv)
{
	argc = cli_take_global_options(&common_group, argc, argv);
	if (argc < 0)
		return EXIT_USAGE;
	if (cli_common.quiet)
		cli_common.progress = CLI_PROGRESS_OFF;
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("alpcscope %s\n", alpcscope_version());
		return EXIT_OK;
	}
	for (const struct cli_command *const *c = cli_commands; *c; c++)
		if (strcmp(argv[1], (*c)->name) == 0)
			return (*c)->run(*c, argc - 1, argv + 1);
	fprintf(stderr, "alpcscope: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
