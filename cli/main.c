/* SPDX-License-Identifier: MIT */
/* alpcscope: subcommand dispatch, global --help/--version, exit codes. */
#include "cli.h"

#include <stdio.h>
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
    {"graph", cmd_graph, "process graph of ALPC conversations (DOT, SVG, PNG)"},
    {"profile", cmd_profile, "write the WPR recording profile (.wprp) alpcscope needs"},
};

static void
usage(FILE *out)
{
	fprintf(out, "usage: alpcscope COMMAND TRACE.etl [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nexit codes: 0 ok, 1 trace damaged but read, 2 usage, 3 unreadable\n");
}

int
main(int argc, char **argv)
{
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
