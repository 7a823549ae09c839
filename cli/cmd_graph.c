/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope graph TRACE -o OUT.dot|OUT.svg|OUT.png|-`: the process graph
 * of the ALPC conversations (one node per process instance, aggregated
 * client -> server edges, processes created inside chains), with chains
 * highlighted and the shared filters. Folded processes are listed on
 * stderr as well as in the graph. See docs/graph.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <alpcscope/graph.h>

#include "analyse.h"
#include "cli.h"
#include "filter.h"
#include "outfile.h"
#include "suggest.h"

#define MAX_HIGHLIGHT 64

struct graph_cli {
	struct cli_filter f;
	struct cli_interfaces interfaces;
	struct alpcscope_model_options model; /* --expire */
	const char *output;
	int format; /* enum alpcscope_graph_format; -1: from the output's name */
	uint32_t max_nodes, max_edges;
	uint32_t chains[MAX_HIGHLIGHT];
	uint32_t nchains;
	const char *caused[MAX_HIGHLIGHT];
	uint32_t ncaused;
	bool no_highlight, parents, all;
	char filter_text[512];
	size_t filter_len;
	/* --chain/--caused-process without --all: the processes drawn */
	const struct alpcscope_model *focus_model;
	uint8_t *in_focus; /* by process index: 1 on a focused chain, 2 a direct neighbour */
};

static const struct cli_choice formats[] = {
    {"dot", ALPCSCOPE_GRAPH_DOT, false},
    {"svg", ALPCSCOPE_GRAPH_SVG, false},
    {"png", ALPCSCOPE_GRAPH_PNG, false},
    {NULL, 0, false},
};

static bool
take_max_nodes(void *dest, const char *value, char *why, size_t why_size)
{
	uint64_t v;

	if (cli_uint_parse(value, &v) && v <= UINT32_MAX && v != 1) {
		*(uint32_t *)dest = (uint32_t)v;
		return true;
	}
	snprintf(why, why_size, "bad --max-nodes '%s' (0 = no limit, or at least 2)", value);
	return false;
}

static bool
take_chain(void *dest, const char *value, char *why, size_t why_size)
{
	struct graph_cli *g = dest;
	uint64_t v;

	if (g->nchains < MAX_HIGHLIGHT && cli_uint_parse(value, &v) && v <= UINT32_MAX) {
		g->chains[g->nchains++] = (uint32_t)v;
		return true;
	}
	snprintf(why, why_size, "bad or too many --chain '%s'", value);
	return false;
}

static bool
take_caused_process(void *dest, const char *value, char *why, size_t why_size)
{
	struct graph_cli *g = dest;

	if (g->ncaused < MAX_HIGHLIGHT && value[0]) {
		g->caused[g->ncaused++] = value;
		return true;
	}
	snprintf(why, why_size, "bad or too many --caused-process");
	return false;
}

static const struct cli_opt graph_opts[] = {
    {.name = "output",
     .short_name = 'o',
     .kind = CLI_OPT_STRING,
     CLI_DEST(struct graph_cli, output),
     .value_name = "PATH",
     .synopsis = "-o OUT.dot|OUT.svg|OUT.png|-",
     .required = true,
     .complete = CLI_COMPLETE_FILE,
     .help = "format from the extension; '-' writes DOT to stdout"},
    {.name = "format",
     .short_name = 'f',
     .kind = CLI_OPT_CHOICE,
     CLI_DEST(struct graph_cli, format),
     .value_name = "dot|svg|png",
     .choices = formats,
     .choice_what = "format",
     .complete = CLI_COMPLETE_CHOICES,
     .help = "override the extension"},
    {.name = "max-nodes",
     .kind = CLI_OPT_CALL,
     .offset = offsetof(struct graph_cli, max_nodes),
     .value_name = "N",
     .take = take_max_nodes,
     .help = "fold the least active processes beyond N nodes\n(default 60, 0 = no limit); "
	     "folded ones are listed"},
    {.name = "max-edges",
     .kind = CLI_OPT_UINT,
     CLI_DEST(struct graph_cli, max_edges),
     .value_name = "N",
     .max = UINT32_MAX,
     .range = "0 = no limit",
     .help = "fold the least active conversations beyond N edges\n(default 300, 0 = no "
	     "limit: layout may take long)"},
    {.name = "chain",
     .kind = CLI_OPT_CALL,
     .value_name = "N",
     .take = take_chain,
     .repeatable = true,
     .help = "highlight chain N (as numbered by 'chains'); repeatable"},
    {.name = "caused-process",
     .kind = CLI_OPT_CALL,
     .value_name = "NAME|PID",
     .take = take_caused_process,
     .repeatable = true,
     .help = "highlight the path to each process NAME created inside\na call chain; "
	     "repeatable"},
    {.name = "no-highlight",
     .kind = CLI_OPT_FLAG,
     CLI_DEST(struct graph_cli, no_highlight),
     .help = "highlight nothing (default: every chain that created\na process)"},
    {.name = "parents",
     .kind = CLI_OPT_FLAG,
     CLI_DEST(struct graph_cli, parents),
     .help = "also draw OS parent and logical parent edges"},
    {.name = "all",
     .kind = CLI_OPT_FLAG,
     CLI_DEST(struct graph_cli, all),
     .help = "with --chain/--caused-process, draw the whole trace\n(default: those chains' "
	     "processes and their direct\nALPC neighbours only)"},
    {0},
};

static const struct cli_opt_group groups[] = {
    {.opts = graph_opts},
    {.opts = cli_expiry_opts, .offset = offsetof(struct graph_cli, model)},
    CLI_HELP_GROUP,
    {.opts = cli_filter_opts, .offset = offsetof(struct graph_cli, f), .synopsis = "[filters]"},
    {.opts = cli_interface_opts, .offset = offsetof(struct graph_cli, interfaces), .synopsis = ""},
    CLI_COMMON_GROUP,
    {0},
};

/* Append @p text to the graph label's filter line. */
static void
note_filter_text(struct graph_cli *g, const char *text)
{
	int w = snprintf(g->filter_text + g->filter_len, sizeof(g->filter_text) - g->filter_len,
			 "%s%s", g->filter_len ? " " : "", text);

	if (w < 0 || (size_t)w >= sizeof(g->filter_text) - g->filter_len)
		g->filter_len = sizeof(g->filter_text) - 1;
	else
		g->filter_len += (size_t)w;
}

/* Record the filter options as given, for the graph label. */
static void
note_filter(void *args, const struct cli_opt_group *group, char **argv, int first, int last)
{
	struct graph_cli *g = args;

	if (group->opts != cli_filter_opts && group->opts != cli_interface_opts)
		return;
	for (int k = first; k <= last; k++)
		note_filter_text(g, argv[k]);
}

static void
on_fold(void *ctx, const struct alpcscope_model *m, uint32_t process, uint64_t messages)
{
	const struct alpcscope_process_instance *p = alpcscope_model_process_at(m, process);
	char label[256];

	(void)ctx;
	char shown[512];

	alpcscope_model_process_label(m, process, label, sizeof(label));
	alpcscope_safe_text(shown, sizeof(shown), label); /* a name from the trace */
	fprintf(stderr, "alpcscope graph: folded %s (PID %u): %llu messages\n", shown, p->pid,
		(unsigned long long)messages);
}

static bool
not_excluded(void *ctx, const struct alpcscope_model *m, uint32_t process)
{
	return !filter_process_excluded(ctx, m, process);
}

/*
 * Focus (the default with --chain/--caused-process): a message is drawn
 * when one endpoint is on a focused chain, a process when it is on one or
 * talks to one directly. ctx is the struct graph_cli (its filter first).
 */
static bool
focus_message(void *ctx, const struct alpcscope_model *m, uint32_t index)
{
	struct graph_cli *g = ctx;
	const struct alpcscope_message *msg = alpcscope_model_message_at(m, index);
	uint32_t a = alpcscope_model_event_process(m, &msg->send);
	uint32_t b = alpcscope_model_event_process(m, &msg->receive);
	uint32_t n = alpcscope_model_process_count(m);

	if (!filter_message(&g->f, m, index))
		return false;
	return (a < n && g->in_focus[a] == 1) || (b < n && g->in_focus[b] == 1);
}

static bool
focus_process(void *ctx, const struct alpcscope_model *m, uint32_t process)
{
	struct graph_cli *g = ctx;

	return process < alpcscope_model_process_count(m) && g->in_focus[process] &&
	       !filter_process_excluded(&g->f, m, process);
}

static bool
focus_chain(void *ctx, const struct alpcscope_model *m, uint32_t chain)
{
	return filter_chain(&((struct graph_cli *)ctx)->f, m, chain);
}

/* Mark every process of chain @p ci as focused. */
static void
focus_on_chain(struct graph_cli *g, const struct alpcscope_model *m, uint32_t ci)
{
	uint32_t nn = alpcscope_model_chain_node_count(m), np = alpcscope_model_process_count(m);
	const struct alpcscope_chain *c = alpcscope_model_chain_at(m, ci);

	if (!c)
		return;
	for (uint32_t i = c->root_node; i < nn; i++) {
		const struct alpcscope_chain_node *nd = alpcscope_model_chain_node_at(m, i);
		uint32_t p[2] = {nd->process, ALPCSCOPE_NONE};

		if (nd->chain != ci)
			continue;
		if (nd->kind == ALPCSCOPE_NODE_MESSAGE) {
			const struct alpcscope_message *msg =
			    alpcscope_model_message_at(m, nd->message);

			p[0] = alpcscope_model_event_process(m, &msg->send);
			p[1] = alpcscope_model_event_process(m, &msg->receive);
		}
		for (int k = 0; k < 2; k++)
			if (p[k] < np)
				g->in_focus[p[k]] = 1;
	}
}

/*
 * The focus set of --chain and --caused-process: the chains' processes (1)
 * and every process that exchanged a message with one of them (2). False
 * when there is nothing to focus on (the whole graph is drawn).
 */
static bool
build_focus(struct graph_cli *g, const struct alpcscope_model *m, const uint32_t *nodes,
	    uint32_t nnodes)
{
	uint32_t np = alpcscope_model_process_count(m), nm = alpcscope_model_message_count(m);
	bool any = false;

	if (g->all || (!g->nchains && !nnodes) || !np)
		return false;
	g->in_focus = calloc(np, 1);
	if (!g->in_focus)
		return false;
	for (uint32_t i = 0; i < g->nchains; i++)
		focus_on_chain(g, m, g->chains[i]);
	for (uint32_t i = 0; i < nnodes; i++)
		focus_on_chain(g, m, alpcscope_model_chain_node_at(m, nodes[i])->chain);
	for (uint32_t i = 0; i < nm; i++) {
		const struct alpcscope_message *msg = alpcscope_model_message_at(m, i);
		uint32_t a = alpcscope_model_event_process(m, &msg->send);
		uint32_t b = alpcscope_model_event_process(m, &msg->receive);

		if (a < np && b < np && g->in_focus[a] == 1 && !g->in_focus[b])
			g->in_focus[b] = 2;
		else if (a < np && b < np && g->in_focus[b] == 1 && !g->in_focus[a])
			g->in_focus[a] = 2;
	}
	for (uint32_t p = 0; p < np; p++)
		any |= g->in_focus[p] == 1;
	if (!any) {
		free(g->in_focus);
		g->in_focus = NULL;
	}
	return any;
}

/* Why --caused-process @p name highlights nothing: the processes it names, or close names. */
static void
explain_unhighlighted(const struct alpcscope_model *m, const char *name)
{
	uint32_t nproc = alpcscope_model_process_count(m), named = 0;
	char label[256], creator[256], close[400];

	for (uint32_t p = 0; p < nproc; p++) {
		const struct alpcscope_process_instance *pi = alpcscope_model_process_at(m, p);
		const struct alpcscope_thread_instance *t =
		    alpcscope_model_thread_at(m, pi->creator_thread);

		if (!filter_process_matches(pi, name))
			continue;
		named++;
		alpcscope_model_process_label(m, p, label, sizeof(label));
		if (!pi->started_in_trace) {
			cli_warn(
			    "alpcscope graph: %s (pid %u) was running before the trace started; "
			    "nothing to highlight\n",
			    label, pi->pid);
			continue;
		}
		alpcscope_model_process_label(m, t ? t->process : ALPCSCOPE_NONE, creator,
					      sizeof(creator));
		cli_warn(
		    "alpcscope graph: %s (pid %u) was created directly by %s, outside any ALPC "
		    "call; nothing to highlight\n",
		    label, pi->pid, creator);
	}
	if (named)
		return;
	if (suggest_process_names(m, name, close, sizeof(close)))
		cli_warn("alpcscope graph: no process named '%s' in this trace (close names: %s); "
			 "nothing highlighted for it\n",
			 name, close);
	else
		cli_warn(
		    "alpcscope graph: no process named '%s' in this trace; nothing highlighted "
		    "for it\n",
		    name);
}

/* Chain nodes of processes matching --caused-process (name or PID); 0 when none. */
static uint32_t
caused_nodes(struct graph_cli *g, const struct alpcscope_model *m, uint32_t *nodes, uint32_t cap)
{
	uint32_t n = 0, nproc = alpcscope_model_process_count(m);

	for (uint32_t c = 0; c < g->ncaused; c++) {
		uint32_t found = 0;

		for (uint32_t p = 0; p < nproc; p++) {
			const struct alpcscope_process_instance *pi =
			    alpcscope_model_process_at(m, p);

			if (pi->chain_node == ALPCSCOPE_NONE ||
			    !filter_process_matches(pi, g->caused[c]))
				continue;
			found++;
			if (n < cap)
				nodes[n++] = pi->chain_node;
		}
		if (!found)
			explain_unhighlighted(m, g->caused[c]);
		else if (n == cap)
			fprintf(stderr,
				"alpcscope graph: --caused-process '%s' matches %u processes; "
				"highlighting the paths to the first %u matches in all\n",
				g->caused[c], found, cap);
	}
	return n;
}

static int
write_graph(struct graph_cli *g, const struct alpcscope_model *m, const char *path)
{
	struct alpcscope_graph_options go = ALPCSCOPE_GRAPH_OPTIONS_INIT;
	struct alpcscope_graph_stats st;
	struct alpcscope_error err;
	uint32_t nodes[MAX_HIGHLIGHT * 4];
	const char *base = strrchr(path, '/');
	char title[512];
	struct outfile of;
	int rc = EXIT_OK;

	snprintf(title, sizeof(title), "alpcscope graph %s", base ? base + 1 : path);
	go.format = (enum alpcscope_graph_format)g->format;
	go.max_nodes = g->max_nodes;
	go.max_edges = g->max_edges;
	go.message_filter = filter_message;
	go.process_filter = not_excluded;
	go.filter_ctx = &g->f;
	go.highlight_chains = g->chains;
	go.highlight_chain_count = g->nchains;
	go.highlight_nodes = nodes;
	go.highlight_node_count = caused_nodes(g, m, nodes, MAX_HIGHLIGHT * 4);
	if (build_focus(g, m, nodes, go.highlight_node_count)) {
		go.message_filter = focus_message;
		go.process_filter = focus_process;
		go.chain_filter = focus_chain;
		go.filter_ctx = g;
		note_filter_text(g, "(chain processes and their direct neighbours; --all for the "
				    "whole trace)");
	}
	go.highlight_default = !g->no_highlight && !g->nchains && !g->ncaused;
	if (!g->in_focus)
		go.chain_filter = filter_chain;
	go.parents = g->parents;
	go.title = title;
	go.filter_description = g->filter_len ? g->filter_text : NULL;
	go.on_fold = on_fold;

	/* A temporary beside a regular target, renamed when complete (outfile.h). */
	if (!outfile_open(&of, "graph", g->output))
		return EXIT_UNREADABLE;
	memset(&err, 0, sizeof(err));
	enum alpcscope_status s = alpcscope_graph_write(m, &go, of.f, &st, &err);

	if (s != ALPCSCOPE_OK && s != ALPCSCOPE_E_IO)
		fprintf(stderr, "alpcscope graph: %s\n",
			err.message[0] ? err.message : alpcscope_status_str(s));
	else if (s == ALPCSCOPE_E_IO)
		fprintf(stderr, "alpcscope graph: cannot write %s: %s\n",
			strcmp(g->output, "-") == 0 ? "standard output" : g->output,
			err.message[0] ? err.message : alpcscope_status_str(s));
	if (!outfile_close(&of, "graph", s == ALPCSCOPE_OK) && s == ALPCSCOPE_OK)
		s = ALPCSCOPE_E_IO;
	if (s != ALPCSCOPE_OK) {
		rc = s == ALPCSCOPE_E_INVALID_ARG ? EXIT_USAGE : EXIT_UNREADABLE;
	} else {
		if (st.folded_processes)
			fprintf(stderr,
				"alpcscope graph: folded %u processes (%llu messages) into one "
				"node (--max-nodes %u)\n",
				st.folded_processes, (unsigned long long)st.folded_messages,
				g->max_nodes);
		if (st.folded_edges)
			fprintf(stderr,
				"alpcscope graph: folded %u conversations (%llu messages) into one "
				"node (--max-edges %u)\n",
				st.folded_edges, (unsigned long long)st.folded_edge_messages,
				g->max_edges);
	}
	return rc;
}

/* The output format: --format, else from the output's name ('-': DOT). */
static int
choose_format(const struct cli_command *cmd, struct graph_cli *g)
{
	const char *dot = strrchr(g->output, '.');

	if (g->format >= 0)
		return CLI_PARSED;
	g->format = ALPCSCOPE_GRAPH_DOT;
	if (strcmp(g->output, "-") == 0)
		return CLI_PARSED;
	for (const struct cli_choice *c = formats; dot && c->name; c++)
		if (strcmp(dot + 1, c->name) == 0) {
			g->format = c->value;
			return CLI_PARSED;
		}
	return cli_usage_error(
	    cmd, "cannot tell the format of '%s' (.dot, .svg, .png, or --format)", g->output);
}

static int
run(const struct cli_command *cmd, int argc, char **argv)
{
	struct alpcscope_model_options mo = ALPCSCOPE_MODEL_OPTIONS_INIT;
	struct cli_analysis an;
	struct graph_cli g;
	const char *path = NULL;
	int rc;

	memset(&g, 0, sizeof(g));
	filter_init(&g.f);
	g.model = mo;
	g.format = -1;
	g.max_nodes = 60;
	g.max_edges = ALPCSCOPE_GRAPH_DEFAULT_MAX_EDGES;
	rc = cli_parse(cmd, argc, argv, &g, &path);
	if (rc == CLI_PARSED)
		rc = choose_format(cmd, &g);
	if (rc != CLI_PARSED) {
		filter_free(&g.f);
		return rc;
	}
	rc = cli_analyse("graph", path, &g.model, &g.interfaces, &an);
	if (!an.model) {
		filter_free(&g.f);
		return rc;
	}
	if (!filter_resolve_time(&g.f, "graph", an.trace_start) ||
	    !filter_check(&g.f, "graph", an.model, an.trace_start, an.trace_end)) {
		rc = EXIT_USAGE;
	} else {
		int wrc = write_graph(&g, an.model, path);

		if (wrc != EXIT_OK)
			rc = wrc;
	}
	cli_analysis_free(&an);
	filter_free(&g.f);
	free(g.in_focus);
	return rc;
}

const struct cli_command cli_cmd_graph = {
    .name = "graph",
    .summary = "process graph of ALPC conversations (DOT, SVG, PNG)",
    .operand = "TRACE.etl",
    .groups = groups,
    .run = run,
    .taken = note_filter,
};
