/* SPDX-License-Identifier: MIT */
/* alpcscope: subcommand dispatch, global --help/--version, exit codes. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
    {"info", cmd_info, "trace header, record counts, processes, diagnostics, capabilities"},
    {"dump", cmd_dump, "every event with its decoded fields (text, jsonl, csv, xml)"},
    {"messages", cmd_messages, "ALPC messages paired by the state machine, with evidence"},
    {"chains", cmd_chains, "call chains across processes; --caused-process NAME"},
    {"summary", cmd_summary, "conversations and processes busiest first, latency percentiles"},
    {"graph", cmd_graph, "process graph of ALPC conversations (DOT, SVG, PNG)"},
    {"symbols", cmd_symbols, "modules on stacks, their PDBs and where they are (--symbols PATH)"},
    {"profile", cmd_profile, "write the WPR recording profile (.wprp) alpcscope needs"},
};

static void
usage(FILE *out)
{
	fprintf(out, "usage: alpcscope COMMAND TRACE.etl [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\noptions of every command:\n%s"
		"  -h, --help                the command's options (alpcscope COMMAND --help)\n"
		"  --version                 print the version\n"
		"\nexit codes: 0 ok, 1 trace damaged but read, 2 usage, 3 unreadable\n"
		"manual: man alpcscope\n",
		cli_common_usage);
}

/* --threads value: 1..1024. */
static bool
parse_threads(const char *v)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (!*v || *end || n < 1 || n > 1024 || v[0] == '-')
		return false;
	cli_threads = (uint32_t)n;
	return true;
}

/* Take the options every command accepts (--progress, --quiet, --threads) out of argv. */
static int
strip_common_options(int argc, char **argv)
{
	int n = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--threads") == 0 || strncmp(argv[i], "--threads=", 10) == 0) {
			const char *v = argv[i][9] == '=' ? argv[i] + 10
					: i + 1 < argc    ? argv[++i]
							  : "";

			if (!parse_threads(v)) {
				fprintf(stderr,
					"alpcscope: --threads needs a number from 1 to 1024\n");
				return -1;
			}
		} else if (strcmp(argv[i], "--progress") == 0)
			cli_progress = CLI_PROGRESS_ON;
		else if (strcmp(argv[i], "--no-progress") == 0)
			cli_progress = CLI_PROGRESS_OFF;
		else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0)
			cli_quiet = true;
		else
			argv[n++] = argv[i];
	}
	argv[n] = NULL;
	if (cli_quiet)
		cli_progress = CLI_PROGRESS_OFF;
	return n;
}

int
main(int argc, char **argv)
{
	argc = strip_common_options(argc, argv);
	if (argc < 0)
		return EXIT_USAGE;
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
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "alpcscope: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
