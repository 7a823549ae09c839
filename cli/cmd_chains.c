/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope chains TRACE`: call-chain trees (nested requests across
 * processes and the processes they created), each edge with its evidence;
 * --caused-process NAME|PID answers who really created a process: inside a
 * call chain (the path), directly by a thread serving no request, running
 * before the trace, or not in the trace at all (with close names).
 */
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "suggest.h"

static int
extra_option(int argc, char **argv, int *i, struct alpcscope_write_options *wo,
	     struct cli_filter *f)
{
	const char *v;

	if ((cli_opt(argv[*i], "--format", &v, i, argc, argv) ||
	     cli_opt(argv[*i], "-f", &v, i, argc, argv))) {
		if (strcmp(v, "mermaid") == 0) {
			wo->format = ALPCSCOPE_OUTPUT_MERMAID;
			return 1;
		}
		return filter_parse_format("chains", v, &wo->format) ? 1 : -1;
	}
	if (!cli_opt(argv[*i], "--caused-process", &v, i, argc, argv))
		return 0;
	if (!v[0]) {
		fprintf(stderr, "alpcscope chains: --caused-process needs a name or PID\n");
		return -1;
	}
	f->caused_process = v;
	wo->caused_process_only = true;
	wo->process_filter = filter_caused_process;
	return 1;
}

static void
bind_filter(struct alpcscope_write_options *wo)
{
	wo->chain_filter = filter_chain;
}

/* --caused-process naming no process of the trace: say so, with close names. */
static bool
before_write(const struct alpcscope_model *m, const struct cli_filter *f,
	     const struct alpcscope_write_options *wo)
{
	uint32_t n = alpcscope_model_process_count(m);
	char close[400];
	bool text = wo->format == ALPCSCOPE_OUTPUT_TEXT;

	if (!f->caused_process)
		return true;
	for (uint32_t i = 0; i < n; i++)
		if (filter_process_matches(alpcscope_model_process_at(m, i), f->caused_process))
			return true;
	if (text)
		printf("no process named '%s' was created in this trace\n", f->caused_process);
	else
		cli_warn("alpcscope chains: no process named '%s' was created in this trace\n",
			 f->caused_process);
	if (suggest_process_names(m, f->caused_process, close, sizeof(close))) {
		if (text)
			printf("close names in this trace: %s\n", close);
		else
			cli_warn("alpcscope chains: close names in this trace: %s\n", close);
	}
	return !text; /* other formats still write their (empty) document */
}

static const struct report_cmd chains_cmd = {
    .name = "chains",
    .usage =
	"usage: alpcscope chains TRACE.etl [--format text|json|jsonl|csv|xml|mermaid] [--stacks]\n"
	"                        [--caused-process NAME|PID] [--expire SECONDS] [filters]\n"
	"  --caused-process NAME|PID who really created each process NAME (or PID): the call\n"
	"                            chain hop by hop, or the creator when no ALPC call led\n"
	"                            to it, or that the trace does not have it\n",
    .formats = "text (default), json, jsonl, csv, xml, mermaid (a sequence diagram per chain)",
    .stacks = true,
    .write = alpcscope_chains_write,
    .extra_option = extra_option,
    .bind_filter = bind_filter,
    .before_write = before_write,
};

int
cmd_chains(int argc, char **argv)
{
	return report_run(&chains_cmd, argc, argv);
}
