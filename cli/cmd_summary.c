/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope summary TRACE`: the pivot tables an analyst reaches for first
 * (include/alpcscope/conversations.h): conversations busiest first with
 * latency percentiles, processes with the time they waited on others and
 * served others, and the chains with the most hops and what they created.
 * Same filters as messages/chains.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <alpcscope/conversations.h>

#include "report.h"

/* One command runs per process: its summary options live here. */
static struct alpcscope_summary_options summary_opts = {20, 10,
							ALPCSCOPE_SUMMARY_TABLE_CONVERSATIONS};

static bool
parse_count(const char *opt, const char *text, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v > UINT32_MAX) {
		fprintf(stderr, "alpcscope summary: bad %s '%s' (a count, 0 = all)\n", opt, text);
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

static int
extra_option(int argc, char **argv, int *i, struct alpcscope_write_options *wo,
	     struct cli_filter *f)
{
	static const char *const tables[] = {"conversations", "processes", "chains"};
	const char *v;

	(void)f;
	if (cli_opt(argv[*i], "--format", &v, i, argc, argv) ||
	    cli_opt(argv[*i], "-f", &v, i, argc, argv)) {
		if (strcmp(v, "text") == 0)
			wo->format = ALPCSCOPE_OUTPUT_TEXT;
		else if (strcmp(v, "json") == 0)
			wo->format = ALPCSCOPE_OUTPUT_JSON;
		else if (strcmp(v, "csv") == 0)
			wo->format = ALPCSCOPE_OUTPUT_CSV;
		else {
			fprintf(stderr,
				"alpcscope summary: unknown format '%s' (text, json, csv)\n", v);
			return -1;
		}
		return 1;
	}
	if (cli_opt(argv[*i], "--top", &v, i, argc, argv))
		return parse_count("--top", v, &summary_opts.top) ? 1 : -1;
	if (cli_opt(argv[*i], "--top-chains", &v, i, argc, argv))
		return parse_count("--top-chains", v, &summary_opts.top_chains) ? 1 : -1;
	if (cli_opt(argv[*i], "--table", &v, i, argc, argv)) {
		for (size_t k = 0; k < sizeof(tables) / sizeof(tables[0]); k++)
			if (strcmp(v, tables[k]) == 0) {
				summary_opts.table = (enum alpcscope_summary_table)k;
				return 1;
			}
		fprintf(
		    stderr,
		    "alpcscope summary: unknown table '%s' (conversations, processes, chains)\n",
		    v);
		return -1;
	}
	return 0;
}

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

	if (st == ALPCSCOPE_OK)
		st = alpcscope_summary_tables_write(m, c, o, &summary_opts, out, err);
	alpcscope_conversations_free(c);
	return st;
}

static const struct report_cmd summary_cmd = {
    .name = "summary",
    .usage = "usage: alpcscope summary TRACE.etl [--format text|json|csv] [--top N]\n"
	     "                         [--top-chains N] [--table NAME] [filters]\n"
	     "  --top N                   conversations and processes shown (default 20,\n"
	     "                            0 = all), busiest first\n"
	     "  --top-chains N            chains shown, most messages first (default 10, 0 = all)\n"
	     "  --table NAME              csv: conversations (default), processes or chains\n",
    .formats = "text (default), json, csv",
    .stacks = false,
    .write = write_summary,
    .extra_option = extra_option,
    .bind_filter = bind_filter,
    .before_write = NULL,
};

int
cmd_summary(int argc, char **argv)
{
	return report_run(&summary_cmd, argc, argv);
}
