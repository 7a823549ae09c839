/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope chains TRACE`: call-chain trees (nested requests across
 * processes and the processes they created), each edge with its evidence;
 * --caused-process NAME explains who really created a process.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "filter.h"

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: alpcscope chains TRACE.etl [--format text|json|jsonl|csv|xml] [--stacks]\n"
		"                        [--caused-process NAME] [--expire SECONDS] [filters]\n"
		"  --caused-process NAME     explain each process NAME created inside a call\n"
		"                            chain: the full path from the client, hop by hop\n%s",
		filter_usage);
}

int
cmd_chains(int argc, char **argv)
{
	const char *path = NULL;
	struct alpcscope_write_options wo = ALPCSCOPE_WRITE_OPTIONS_INIT;
	struct alpcscope_model_options mo = ALPCSCOPE_MODEL_OPTIONS_INIT;
	struct alpcscope_model *m = NULL;
	struct alpcscope_error err;
	struct cli_filter f;
	int64_t start = 0;
	int rc;

	filter_init(&f);
	for (int i = 1; i < argc; i++) {
		const char *v;
		int r = filter_parse_arg(&f, "chains", argc, argv, &i);

		if (r < 0)
			goto usage_error;
		if (r > 0)
			continue;
		if (cli_opt(argv[i], "--format", &v, &i, argc, argv) ||
		    cli_opt(argv[i], "-f", &v, &i, argc, argv)) {
			if (!filter_parse_format("chains", v, &wo.format))
				goto usage_error;
		} else if (cli_opt(argv[i], "--expire", &v, &i, argc, argv)) {
			if (!filter_parse_expiry("chains", v, &mo))
				goto usage_error;
		} else if (cli_opt(argv[i], "--caused-process", &v, &i, argc, argv)) {
			f.caused_process = v;
			wo.caused_process_only = true;
			wo.node_filter = filter_caused_node;
		} else if (strcmp(argv[i], "--stacks") == 0) {
			wo.stacks = true;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			filter_free(&f);
			return EXIT_OK;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "alpcscope chains: unknown option '%s'\n", argv[i]);
			goto usage_error;
		} else if (!path) {
			path = argv[i];
		} else {
			fprintf(stderr, "alpcscope chains: more than one trace given\n");
			goto usage_error;
		}
	}
	if (!path)
		goto usage_error;
	rc = cli_analyse("chains", path, &mo, &m, &start);
	if (!m) {
		filter_free(&f);
		return rc;
	}
	if (!filter_resolve_time(&f, "chains", start)) {
		alpcscope_model_free(m);
		filter_free(&f);
		return EXIT_USAGE;
	}
	wo.trace_path = path;
	wo.trace_start_filetime = start;
	wo.chain_filter = filter_chain;
	wo.filter_ctx = &f;
	setvbuf(stdout, NULL, _IOFBF, 1u << 20);
	memset(&err, 0, sizeof(err));
	if (alpcscope_chains_write(m, &wo, stdout, &err) != ALPCSCOPE_OK) {
		fprintf(stderr, "alpcscope chains: %s\n", err.message);
		rc = EXIT_UNREADABLE;
	}
	alpcscope_model_free(m);
	filter_free(&f);
	return rc;

usage_error:
	usage(stderr);
	filter_free(&f);
	return EXIT_USAGE;
}
