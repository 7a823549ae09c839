/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope summary TRACE`: the pivot tables an analyst reaches for first
 * (include/alpcscope/conversations.h): conversations busiest first with
 * latency percentiles, processes with the time they waited on others and
 * served others, and the chains with the most hops and what they created.
 * Same filters as messages/chains.
 */
#include <stdint.h>

#include <alpcscope/conversations.h>

#include "report.h"

/* One command runs per process: its summary options live here. */
static struct alpcscope_summary_options summary_opts = {20, 10,
							ALPCSCOPE_SUMMARY_TABLE_CONVERSATIONS};
/* --table, as the option table sets it (an int), for summary_opts.table. */
static int summary_table = ALPCSCOPE_SUMMARY_TABLE_CONVERSATIONS;

static const struct cli_choice tables[] = {
    {"conversations", ALPCSCOPE_SUMMARY_TABLE_CONVERSATIONS, false},
    {"processes", ALPCSCOPE_SUMMARY_TABLE_PROCESSES, false},
    {"chains", ALPCSCOPE_SUMMARY_TABLE_CHAINS, false},
    {NULL, 0, false},
};

static const struct cli_opt summary_count_opts[] = {
    {.name = "top",
     .kind = CLI_OPT_UINT,
     CLI_DEST(struct alpcscope_summary_options, top),
     .value_name = "N",
     .max = UINT32_MAX,
     .range = "a count, 0 = all",
     .help = "conversations and processes shown (default 20,\n0 = all), busiest first"},
    {.name = "top-chains",
     .kind = CLI_OPT_UINT,
     CLI_DEST(struct alpcscope_summary_options, top_chains),
     .value_name = "N",
     .max = UINT32_MAX,
     .range = "a count, 0 = all",
     .help = "chains shown, most messages first (default 10, 0 = all)"},
    {0},
};

static const struct cli_opt summary_table_opts[] = {
    {.name = "table",
     .kind = CLI_OPT_CHOICE,
     .size = sizeof(int),
     .value_name = "NAME",
     .choices = tables,
     .choice_what = "table",
     .complete = CLI_COMPLETE_CHOICES,
     .help = "csv: conversations (default), processes or chains"},
    {0},
};

static const struct cli_choice formats[] = {
    {"text", ALPCSCOPE_OUTPUT_TEXT, false},
    {"json", ALPCSCOPE_OUTPUT_JSON, false},
    {"csv", ALPCSCOPE_OUTPUT_CSV, false},
    {NULL, 0, false},
};

static const struct cli_opt summary_format_opts[] = {
    CLI_FORMAT_OPTION(struct report_args, format, formats, "text (default), json, csv"),
    {0},
};

static const struct cli_opt_group groups[] = {
    {.opts = summary_count_opts, .global = &summary_opts},
    {.opts = summary_table_opts, .global = &summary_table},
    {.opts = summary_format_opts},
    REPORT_EXPIRY_CSV_GROUPS,
    REPORT_TAIL_GROUPS,
    {0},
};

static void
bind_filter(struct alpcscope_write_options *wo)
{
	wo->message_filter = filter_message;
	wo->chain_filter = filter_chain;
}

static enum alpcscope_status
write_summary(const struct alpcscope_model *m, const struct alpcscope_write_options *o, FILE *out,
	      struct alpcscope_error *err)
{
	struct alpcscope_conversations *c = NULL;
	enum alpcscope_status st =
	    alpcscope_conversations_build(m, o->message_filter, o->filter_ctx, &c, err);

	summary_opts.table = (enum alpcscope_summary_table)summary_table;
	if (st == ALPCSCOPE_OK)
		st = alpcscope_summary_tables_write(m, c, o, &summary_opts, out, err);
	alpcscope_conversations_free(c);
	return st;
}

static const struct report_cmd summary_report = {
    .write = write_summary,
    .bind_filter = bind_filter,
};

const struct cli_command cli_cmd_summary = {
    .name = "summary",
    .summary = "conversations and processes busiest first, latency percentiles",
    .operand = "TRACE.etl",
    .groups = groups,
    .run = report_run,
    .impl = &summary_report,
};
