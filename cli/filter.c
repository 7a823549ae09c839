/* SPDX-License-Identifier: MIT */
/* Shared subcommand filters: see filter.h and docs/analysis.md §Filters. */
#include "filter.h"

#include <alpcscope/reader.h> /* alpcscope_filetime_parse */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

const char filter_usage[] =
    "  --process NAME[,NAME...]  only rows touching these processes (image or service name);\n"
    "                            '-NAME' excludes\n"
    "  --pid N[,N...]            only rows touching these PIDs; '-N' excludes\n"
    "  --exclude NAME            same as --process -NAME\n"
    "  --from TIME, --to TIME    time window: ISO-8601 UTC (2024-05-01T10:00:02Z) or seconds\n"
    "                            from trace start (2.5)\n"
    "  --interfaces FILE         RPC interface names from FILE (alpcscope, RPCMon or Akamai\n"
    "                            JSON; repeatable; later files win; docs/interface-db.md)\n"
    "  --no-builtin-interfaces   do not load the built-in interface database\n";

/*
 * RPC interface database of this invocation (--interfaces): built by
 * cli_analyse(), lent to the model, released by filter_free() (after the
 * model). One command runs per process, so it lives at file scope.
 */
static const char *ifdb_files[FILTER_MAX_ITEMS];
static size_t n_ifdb_files;
static bool ifdb_no_builtin;
static struct alpcscope_interface_db *ifdb;

void
filter_init(struct cli_filter *f)
{
	memset(f, 0, sizeof(*f));
}

void
filter_free(struct cli_filter *f)
{
	for (size_t i = 0; i < f->n_owned; i++)
		free(f->owned[i]);
	f->n_owned = 0;
	alpcscope_interface_db_free(ifdb);
	ifdb = NULL;
}

static bool
add_name(struct cli_filter *f, const char *cmd, const char *name, bool exclude)
{
	const char **arr = exclude ? f->exclude_names : f->include_names;
	size_t *n = exclude ? &f->n_exclude_names : &f->n_include_names;

	if (!name[0]) {
		fprintf(stderr, "alpcscope %s: empty process name\n", cmd);
		return false;
	}
	if (*n >= FILTER_MAX_ITEMS) {
		fprintf(stderr, "alpcscope %s: too many process names\n", cmd);
		return false;
	}
	arr[(*n)++] = name;
	return true;
}

static bool
add_pid(struct cli_filter *f, const char *cmd, const char *text, bool exclude)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 0);
	if (errno || end == text || *end || v > UINT32_MAX) {
		fprintf(stderr, "alpcscope %s: bad PID '%s'\n", cmd, text);
		return false;
	}
	uint32_t *arr = exclude ? f->exclude_pids : f->include_pids;
	size_t *n = exclude ? &f->n_exclude_pids : &f->n_include_pids;

	if (*n >= FILTER_MAX_ITEMS) {
		fprintf(stderr, "alpcscope %s: too many PIDs\n", cmd);
		return false;
	}
	arr[(*n)++] = (uint32_t)v;
	return true;
}

/* Split a comma list (kept alive in f->owned) and add each item. */
static bool
add_list(struct cli_filter *f, const char *cmd, const char *value, bool pids, bool force_exclude)
{
	if (f->n_owned >= FILTER_MAX_ITEMS) {
		fprintf(stderr, "alpcscope %s: too many filter options\n", cmd);
		return false;
	}
	char *copy = strdup(value);

	if (!copy) {
		fprintf(stderr, "alpcscope %s: out of memory\n", cmd);
		return false;
	}
	f->owned[f->n_owned++] = copy;
	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		bool exclude = force_exclude;

		if (tok[0] == '-' && tok[1]) {
			exclude = true;
			tok++;
		}
		if (!(pids ? add_pid(f, cmd, tok, exclude) : add_name(f, cmd, tok, exclude)))
			return false;
	}
	return true;
}

int
filter_parse_arg(struct cli_filter *f, const char *cmd, int argc, char **argv, int *i)
{
	const char *v = NULL;
	const char *arg = argv[*i];
	static const char *const valued[] = {"--process", "--pid", "--exclude", "--from", "--to"};

	for (size_t k = 0; k < sizeof(valued) / sizeof(valued[0]); k++) {
		size_t n = strlen(valued[k]);

		if (strncmp(arg, valued[k], n) == 0 && (arg[n] == '\0' || arg[n] == '=') &&
		    !cli_opt(arg, valued[k], &v, i, argc, argv)) {
			fprintf(stderr, "alpcscope %s: %s needs a value\n", cmd, valued[k]);
			return -1;
		}
	}
	if (strcmp(arg, "--no-builtin-interfaces") == 0) {
		ifdb_no_builtin = true;
		return 1;
	}
	if (strncmp(arg, "--interfaces", 12) == 0 && (arg[12] == '\0' || arg[12] == '=')) {
		if (!cli_opt(arg, "--interfaces", &v, i, argc, argv)) {
			fprintf(stderr, "alpcscope %s: --interfaces needs a file\n", cmd);
			return -1;
		}
		if (n_ifdb_files >= FILTER_MAX_ITEMS) {
			fprintf(stderr, "alpcscope %s: too many --interfaces files\n", cmd);
			return -1;
		}
		ifdb_files[n_ifdb_files++] = v;
		return 1;
	}
	if (!v)
		return 0;
	if (strncmp(arg, "--process", 9) == 0)
		return add_list(f, cmd, v, false, false) ? 1 : -1;
	if (strncmp(arg, "--pid", 5) == 0)
		return add_list(f, cmd, v, true, false) ? 1 : -1;
	if (strncmp(arg, "--exclude", 9) == 0)
		return add_list(f, cmd, v, false, true) ? 1 : -1;
	if (strncmp(arg, "--from", 6) == 0) {
		f->from_text = v;
		f->has_from = true;
		return 1;
	}
	f->to_text = v;
	f->has_to = true;
	return 1;
}

static bool
resolve_one(const char *cmd, const char *what, const char *text, int64_t start, int64_t *out)
{
	char *end;

	if (alpcscope_filetime_parse(text, out))
		return true;
	errno = 0;
	double v = strtod(text, &end);

	if (!errno && end != text && !*end && v >= 0 && v < 1e9) {
		if (!start) {
			fprintf(stderr, "alpcscope %s: %s %s: the trace has no start time\n", cmd,
				what, text);
			return false;
		}
		*out = start + (int64_t)(v * 1e7 + 0.5);
		return true;
	}
	fprintf(stderr, "alpcscope %s: bad %s '%s' (ISO-8601 UTC or seconds from trace start)\n",
		cmd, what, text);
	return false;
}

bool
filter_resolve_time(struct cli_filter *f, const char *cmd, int64_t start)
{
	if (f->has_from && !resolve_one(cmd, "--from", f->from_text, start, &f->from_filetime))
		return false;
	if (f->has_to && !resolve_one(cmd, "--to", f->to_text, start, &f->to_filetime))
		return false;
	return true;
}

static bool
name_matches(const struct alpcscope_process_instance *p, const char *name)
{
	size_t n = strlen(name), in = strlen(p->image_name);

	if (strcasecmp(p->image_name, name) == 0)
		return true;
	if (in == n + 4 && strncasecmp(p->image_name, name, n) == 0 &&
	    strcasecmp(p->image_name + n, ".exe") == 0)
		return true;
	if (p->services) {
		const char *s = p->services;

		while (*s) {
			size_t len = strcspn(s, ",");

			if (len == n && strncasecmp(s, name, n) == 0)
				return true;
			s += len;
			while (*s == ',' || *s == ' ')
				s++;
		}
	}
	return false;
}

bool
filter_has_includes(const struct cli_filter *f)
{
	return f->n_include_names || f->n_include_pids;
}

bool
filter_process_included(const struct cli_filter *f, const struct alpcscope_model *m,
			uint32_t process)
{
	const struct alpcscope_process_instance *p = alpcscope_model_process_at(m, process);

	if (!p)
		return false;
	for (size_t i = 0; i < f->n_include_pids; i++)
		if (p->pid == f->include_pids[i])
			return true;
	for (size_t i = 0; i < f->n_include_names; i++)
		if (name_matches(p, f->include_names[i]))
			return true;
	return false;
}

bool
filter_process_excluded(const struct cli_filter *f, const struct alpcscope_model *m,
			uint32_t process)
{
	const struct alpcscope_process_instance *p = alpcscope_model_process_at(m, process);

	if (!p)
		return false;
	for (size_t i = 0; i < f->n_exclude_pids; i++)
		if (p->pid == f->exclude_pids[i])
			return true;
	for (size_t i = 0; i < f->n_exclude_names; i++)
		if (name_matches(p, f->exclude_names[i]))
			return true;
	return false;
}

static bool
in_window(const struct cli_filter *f, int64_t t)
{
	if (f->has_from && t < f->from_filetime)
		return false;
	if (f->has_to && t > f->to_filetime)
		return false;
	return true;
}

static int64_t
message_time(const struct alpcscope_message *msg)
{
	return msg->send.thread != ALPCSCOPE_NONE ? msg->send.filetime_100ns
						  : msg->receive.filetime_100ns;
}

bool
filter_message(void *ctx, const struct alpcscope_model *m, uint32_t index)
{
	const struct cli_filter *f = ctx;
	const struct alpcscope_message *msg = alpcscope_model_message_at(m, index);
	uint32_t a = alpcscope_model_event_process(m, &msg->send);
	uint32_t b = alpcscope_model_event_process(m, &msg->receive);

	if (!in_window(f, message_time(msg)))
		return false;
	if (filter_process_excluded(f, m, a) || filter_process_excluded(f, m, b))
		return false;
	if (filter_has_includes(f) && !filter_process_included(f, m, a) &&
	    !filter_process_included(f, m, b))
		return false;
	return true;
}

static bool
node_touches(const struct cli_filter *f, const struct alpcscope_model *m, uint32_t node)
{
	const struct alpcscope_chain_node *n = alpcscope_model_chain_node_at(m, node);

	if (n->kind == ALPCSCOPE_NODE_PROCESS)
		return filter_process_included(f, m, n->process);
	const struct alpcscope_message *msg = alpcscope_model_message_at(m, n->message);

	return filter_process_included(f, m, alpcscope_model_event_process(m, &msg->send)) ||
	       filter_process_included(f, m, alpcscope_model_event_process(m, &msg->receive));
}

/* Does any node of chain @p ci touch an included process? (pre-order walk) */
static bool
chain_touches(const struct cli_filter *f, const struct alpcscope_model *m, uint32_t ci)
{
	uint32_t root = alpcscope_model_chain_at(m, ci)->root_node, n = root;

	while (n != ALPCSCOPE_NONE) {
		const struct alpcscope_chain_node *c = alpcscope_model_chain_node_at(m, n);

		if (node_touches(f, m, n))
			return true;
		if (c->first_child != ALPCSCOPE_NONE) {
			n = c->first_child;
			continue;
		}
		while (n != root &&
		       alpcscope_model_chain_node_at(m, n)->next_sibling == ALPCSCOPE_NONE)
			n = alpcscope_model_chain_node_at(m, n)->parent;
		n = n == root ? ALPCSCOPE_NONE : alpcscope_model_chain_node_at(m, n)->next_sibling;
	}
	return false;
}

bool
filter_chain(void *ctx, const struct alpcscope_model *m, uint32_t ci)
{
	const struct cli_filter *f = ctx;
	const struct alpcscope_chain *c = alpcscope_model_chain_at(m, ci);
	const struct alpcscope_chain_node *root = alpcscope_model_chain_node_at(m, c->root_node);
	const struct alpcscope_message *msg = alpcscope_model_message_at(m, root->message);

	if (!in_window(f, message_time(msg)))
		return false;
	if (filter_process_excluded(f, m, c->root_process))
		return false;
	if (filter_has_includes(f) && !chain_touches(f, m, ci))
		return false;
	return true;
}

bool
filter_process_matches(const struct alpcscope_process_instance *p, const char *name_or_pid)
{
	char *end;
	unsigned long pid;

	if (name_or_pid[0] >= '0' && name_or_pid[0] <= '9') {
		errno = 0;
		pid = strtoul(name_or_pid, &end, 0);
		if (!errno && !*end)
			return p->pid == pid;
	}
	return name_matches(p, name_or_pid);
}

bool
filter_caused_node(void *ctx, const struct alpcscope_model *m, uint32_t node)
{
	const struct cli_filter *f = ctx;
	const struct alpcscope_chain_node *n = alpcscope_model_chain_node_at(m, node);
	const struct alpcscope_process_instance *p = alpcscope_model_process_at(m, n->process);

	if (!p || !f->caused_process)
		return p != NULL;
	return filter_process_matches(p, f->caused_process);
}

bool
filter_caused_process(void *ctx, const struct alpcscope_model *m, uint32_t process)
{
	const struct cli_filter *f = ctx;
	const struct alpcscope_process_instance *p = alpcscope_model_process_at(m, process);

	if (!p)
		return false;
	return f->caused_process ? filter_process_matches(p, f->caused_process)
				 : p->started_in_trace;
}

bool
filter_active(const struct cli_filter *f)
{
	return f->n_include_names || f->n_include_pids || f->n_exclude_names || f->n_exclude_pids ||
	       f->has_from || f->has_to;
}

static enum alpcscope_status
add_to_model(void *ctx, const struct alpcscope_event *ev, struct alpcscope_error *err)
{
	return alpcscope_model_add_event(ctx, ev, err);
}

/* Build the interface database (built-in, then --interfaces files) and lend it to @p m. */
static bool
load_interfaces(const char *cmd, struct alpcscope_model *m)
{
	struct alpcscope_error err;

	memset(&err, 0, sizeof(err));
	alpcscope_interface_db_free(ifdb);
	ifdb = NULL;
	if (alpcscope_interface_db_new(&ifdb, &err) != ALPCSCOPE_OK ||
	    (!ifdb_no_builtin && alpcscope_interface_db_load_builtin(ifdb, &err) != ALPCSCOPE_OK)) {
		fprintf(stderr, "alpcscope %s: %s\n", cmd, err.message);
		return false;
	}
	for (size_t k = 0; k < n_ifdb_files; k++)
		if (alpcscope_interface_db_load_file(ifdb, ifdb_files[k], ALPCSCOPE_IFDB_AUTO,
						     &err) != ALPCSCOPE_OK) {
			fprintf(stderr, "alpcscope %s: interface database %s\n", cmd, err.message);
			return false;
		}
	alpcscope_model_set_interfaces(m, ifdb);
	return true;
}

/* What the trace lost, and where, for the model's statistics and near-loss evidence. */
static bool
note_loss(struct alpcscope_model *m, const struct alpcscope_reader *reader)
{
	const struct alpcscope_trace_info *info = alpcscope_reader_info(reader);
	struct alpcscope_loss_window w;

	alpcscope_model_set_loss(m, info->events_lost, info->buffers_lost,
				 alpcscope_reader_stats(reader)->sequence_gaps);
	for (uint32_t i = 0; alpcscope_reader_loss_window_at(reader, i, &w); i++)
		if (alpcscope_model_add_loss_window(m, w.start_filetime_100ns,
						    w.end_filetime_100ns) == ALPCSCOPE_E_NOMEM)
			return false;
	return true;
}

int
cli_analyse(const char *cmd, const char *path, const struct alpcscope_model_options *opt,
	    struct alpcscope_model **model_out, int64_t *trace_start_out, int64_t *trace_end_out)
{
	struct alpcscope_model *m = NULL;
	struct alpcscope_reader *reader = NULL;
	struct alpcscope_error err;
	struct cli_read cr;
	int rc;

	*model_out = NULL;
	*trace_start_out = 0;
	*trace_end_out = 0;
	memset(&err, 0, sizeof(err));
	if (alpcscope_model_new(&m, opt, &err) != ALPCSCOPE_OK) {
		fprintf(stderr, "alpcscope %s: %s\n", cmd, err.message);
		return EXIT_UNREADABLE;
	}
	if (!load_interfaces(cmd, m)) {
		alpcscope_model_free(m);
		return EXIT_USAGE;
	}
	memset(&cr, 0, sizeof(cr));
	cr.path = path;
	rc = cli_read_trace(&cr, add_to_model, m, &reader);
	if (!reader && (!cr.is_xml || rc == EXIT_UNREADABLE)) {
		alpcscope_model_free(m);
		return rc;
	}
	*trace_start_out =
	    reader ? alpcscope_reader_info(reader)->start_filetime : cr.xml_info.start_filetime;
	*trace_end_out =
	    reader ? alpcscope_reader_info(reader)->end_filetime : cr.xml_info.end_filetime;
	if (reader && !note_loss(m, reader)) {
		fprintf(stderr, "alpcscope %s: out of memory\n", cmd);
		alpcscope_reader_free(reader);
		alpcscope_model_free(m);
		return EXIT_UNREADABLE;
	}
	alpcscope_reader_free(reader);
	if (alpcscope_model_finish(m, &err) != ALPCSCOPE_OK) {
		fprintf(stderr, "alpcscope %s: %s\n", cmd, err.message);
		alpcscope_model_free(m);
		return EXIT_UNREADABLE;
	}
	const struct alpcscope_model_stats *ms = alpcscope_model_stats(m);
	if (ms->alpc_sends + ms->alpc_receives + ms->alpc_wait_for_reply +
		ms->alpc_wait_for_new_message + ms->alpc_unwaits + ms->alpc_other ==
	    0)
		/* Say why the result is empty rather than leave an analyst guessing. */
		cli_warn(
		    "%s: the trace has no ALPC events (recorded without the kernel ALPC flag); "
		    "`alpcscope info` shows what it has, `alpcscope profile` writes a WPR "
		    "profile that records them\n",
		    path);
	*model_out = m;
	return rc;
}

bool
filter_parse_format(const char *cmd, const char *text, enum alpcscope_output_format *out)
{
	static const struct {
		const char *name;
		enum alpcscope_output_format fmt;
	} formats[] = {{"text", ALPCSCOPE_OUTPUT_TEXT},
		       {"json", ALPCSCOPE_OUTPUT_JSON},
		       {"jsonl", ALPCSCOPE_OUTPUT_JSONL},
		       {"csv", ALPCSCOPE_OUTPUT_CSV},
		       {"xml", ALPCSCOPE_OUTPUT_XML}};

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(text, formats[i].name) == 0) {
			*out = formats[i].fmt;
			return true;
		}
	fprintf(stderr, "alpcscope %s: unknown format '%s' (text, json, jsonl, csv, xml)\n", cmd,
		text);
	return false;
}

bool
filter_parse_expiry(const char *cmd, const char *text, struct alpcscope_model_options *opt)
{
	char *end;

	errno = 0;
	double v = strtod(text, &end);

	if (errno || end == text || *end || v < 0 || v > 1e6) {
		fprintf(stderr, "alpcscope %s: bad --expire '%s' (seconds, 0 = never)\n", cmd,
			text);
		return false;
	}
	opt->pending_expiry_100ns = (int64_t)(v * 1e7);
	return true;
}
