/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope chains TRACE`: call-chain trees (nested requests across
 * processes and the processes they created), each edge with its evidence;
 * --caused-process NAME explains who really created a process.
 */
#include "report.h"

static int
extra_option(int argc, char **argv, int *i, struct alpcscope_write_options *wo,
	     struct cli_filter *f)
{
	const char *v;

	if (!cli_opt(argv[*i], "--caused-process", &v, i, argc, argv))
		return 0;
	f->caused_process = v;
	wo->caused_process_only = true;
	wo->node_filter = filter_caused_node;
	return 1;
}

static void
bind_filter(struct alpcscope_write_options *wo)
{
	wo->chain_filter = filter_chain;
}

static const struct report_cmd chains_cmd = {
    .name = "chains",
    .usage = "usage: alpcscope chains TRACE.etl [--format text|json|jsonl|csv|xml] [--stacks]\n"
	     "                        [--caused-process NAME] [--expire SECONDS] [filters]\n"
	     "  --caused-process NAME     explain each process NAME created inside a call\n"
	     "                            chain: the full path from the client, hop by hop\n",
    .write = alpcscope_chains_write,
    .extra_option = extra_option,
    .bind_filter = bind_filter,
};

int
cmd_chains(int argc, char **argv)
{
	return report_run(&chains_cmd, argc, argv);
}
