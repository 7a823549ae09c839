/* SPDX-License-Identifier: MIT */
/* Shared subcommand filters: see filter.h and docs/analysis.md §Filters. */
#include "filter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

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
}

static bool
add_name(struct cli_filter *f, const char *name, bool exclude, char *why, size_t why_size)
{
	const char **arr = exclude ? f->exclude_names : f->include_names;
	size_t *n = exclude ? &f->n_exclude_names : &f->n_include_names;

	if (!name[0]) {
		snprintf(why, why_size, "empty process name");
		return false;
	}
	if (*n >= FILTER_MAX_ITEMS) {
		snprintf(why, why_size, "too many process names");
		return false;
	}
	arr[(*n)++] = name;
	return true;
}

static bool
add_pid(struct cli_filter *f, const char *text, bool exclude, char *why, size_t why_size)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 0);
	if (errno || end == text || *end || v > UINT32_MAX) {
		snprintf(why, why_size, "bad PID '%s'", text);
		return false;
	}
	uint32_t *arr = exclude ? f->exclude_pids : f->include_pids;
	size_t *n = exclude ? &f->n_exclude_pids : &f->n_include_pids;

	if (*n >= FILTER_MAX_ITEMS) {
		snprintf(why, why_size, "too many PIDs");
		return false;
	}
	arr[(*n)++] = (uint32_t)v;
	return true;
}

/* Split a comma list (kept alive in f->owned) and add each item; '-' before an item excludes. */
static bool
add_list(struct cli_filter *f, const char *value, bool pids, bool force_exclude, char *why,
	 size_t why_size)
{
	if (f->n_owned >= FILTER_MAX_ITEMS) {
		snprintf(why, why_size, "too many filter options");
		return false;
	}
	char *copy = strdup(value);

	if (!copy) {
		snprintf(why, why_size, "out of memory");
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
		if (!(pids ? add_pid(f, tok, exclude, why, why_size)
			   : add_name(f, tok, exclude, why, why_size)))
			return false;
	}
	return true;
}

static bool
take_process(void *dest, const char *value, char *why, size_t why_size)
{
	return add_list(dest, value, false, false, why, why_size);
}

static bool
take_pid(void *dest, const char *value, char *why, size_t why_size)
{
	return add_list(dest, value, true, false, why, why_size);
}

static bool
take_exclude(void *dest, const char *value, char *why, size_t why_size)
{
	return add_list(dest, value, false, true, why, why_size);
}

const struct cli_opt cli_filter_opts[] = {
    {.name = "process",
     .kind = CLI_OPT_CALL,
     .value_name = "NAME[,NAME...]",
     .take = take_process,
     .help = "only rows touching these processes (image or service name);\n'-NAME' excludes"},
    {.name = "pid",
     .kind = CLI_OPT_CALL,
     .value_name = "N[,N...]",
     .take = take_pid,
     .help = "only rows touching these PIDs; '-N' excludes"},
    {.name = "exclude",
     .kind = CLI_OPT_CALL,
     .value_name = "NAME",
     .take = take_exclude,
     .help = "same as --process -NAME"},
    {.name = "from", .kind = CLI_OPT_TIME, CLI_DEST(struct cli_filter, from), .value_name = "TIME"},
    {.name = "to",
     .kind = CLI_OPT_TIME,
     CLI_DEST(struct cli_filter, to),
     .value_name = "TIME",
     .help = "time window: ISO-8601 UTC (2024-05-01T10:00:02Z) or seconds\nfrom trace start "
	     "(2.5)"},
    {0},
};

/* A relative --from/--to counts from the trace start, which the trace must have. */
static bool
resolve_one(const char *cmd, const char *what, const struct cli_time *t, int64_t start,
	    int64_t *out)
{
	if (!t->relative) {
		*out = t->filetime;
		return true;
	}
	if (!start) {
		fprintf(stderr, "alpcscope %s: %s %s: the trace has no start time\n", cmd, what,
			t->text);
		return false;
	}
	*out = start + (int64_t)(t->seconds * 1e7 + 0.5);
	return true;
}

bool
filter_resolve_time(struct cli_filter *f, const char *cmd, int64_t start)
{
	if (f->from.text && !resolve_one(cmd, "--from", &f->from, start, &f->from_filetime))
		return false;
	if (f->to.text && !resolve_one(cmd, "--to", &f->to, start, &f->to_filetime))
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

/* Is process @p process of @p m one of @p pids or named by one of @p names? */
static bool
process_listed(const struct alpcscope_model *m, uint32_t process, const uint32_t *pids,
	       size_t n_pids, const char *const *names, size_t n_names)
{
	const struct alpcscope_process_instance *p = alpcscope_model_process_at(m, process);

	if (!p)
		return false;
	for (size_t i = 0; i < n_pids; i++)
		if (p->pid == pids[i])
			return true;
	for (size_t i = 0; i < n_names; i++)
		if (name_matches(p, names[i]))
			return true;
	return false;
}

bool
filter_process_included(const struct cli_filter *f, const struct alpcscope_model *m,
			uint32_t process)
{
	return process_listed(m, process, f->include_pids, f->n_include_pids, f->include_names,
			      f->n_include_names);
}

bool
filter_process_excluded(const struct cli_filter *f, const struct alpcscope_model *m,
			uint32_t process)
{
	return process_listed(m, process, f->exclude_pids, f->n_exclude_pids, f->exclude_names,
			      f->n_exclude_names);
}

static bool
in_window(const struct cli_filter *f, int64_t t)
{
	if (f->from.text && t < f->from_filetime)
		return false;
	if (f->to.text && t > f->to_filetime)
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
	       f->from.text || f->to.text;
}
