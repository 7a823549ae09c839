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

static const struct cli_choice formats[] = {
    {"text", ALPCSCOPE_OUTPUT_TEXT, false},
    {"json", ALPCSCOPE_OUTPUT_JSON, false},
    {"jsonl", ALPCSCOPE_OUTPUT_JSONL, false},
    {"csv", ALPCSCOPE_OUTPUT_CSV, false},
    {"xml", ALPCSCOPE_OUTPUT_XML, false},
    {"mermaid", ALPCSCOPE_OUTPUT_MERMAID, false},
    {NULL, 0, false},
};

static bool
take_caused_process(void *dest, const char *value, char *why, size_t why_size)
{
	if (!value[0]) {
		snprintf(why, why_size, "--caused-process needs a name or PID");
		return false;
	}
	*(const char **)dest = value;
	return true;
}

static const struct cli_opt chains_opts[] = {
    {.name = "caused-process",
     .kind = CLI_OPT_CALL,
     .offset = offsetof(struct report_args, filter.caused_process),
     .value_name = "NAME|PID",
     .take = take_caused_process,
     .help = "who really created each process NAME (or PID): the call\nchain hop by hop, or "
	     "the creator when no ALPC call led\nto it, or that the trace does not have it"},
    CLI_FORMAT_OPTION(struct report_args, format, formats,
		      "text (default), json, jsonl, csv, xml, mermaid (a sequence\ndiagram per "
		      "chain)"),
    {0},
};

static const struct cli_opt_group groups[] = {
    {.opts = chains_opts},
    REPORT_STACK_GROUPS,
    REPORT_TAIL_GROUPS,
    {0},
};

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

static const struct report_cmd chains_report = {
    .write = alpcscope_chains_write,
    .bind_filter = bind_filter,
    .before_write = before_write,
};

const struct cli_command cli_cmd_chains = {
    .name = "chains",
    .summary = "call chains across processes; --caused-process NAME",
    .operand = "TRACE.etl",
    .groups = groups,
    .run = report_run,
    .impl = &chains_report,
};
