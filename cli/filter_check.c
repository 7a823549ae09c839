/* SPDX-License-Identifier: MIT */
/*
 * Filters that cannot match: say so instead of printing an empty result.
 * An inverted time window is a usage error; a process name or PID the
 * trace does not have, and a window outside the trace, are warnings that
 * name the value and, for names, the close names the trace does have.
 */
#include <stdio.h>

#include <alpcscope/reader.h>

#include "cli.h"
#include "filter.h"
#include "suggest.h"

static bool
name_in_trace(const struct alpcscope_model *m, const char *name)
{
	uint32_t n = alpcscope_model_process_count(m);

	for (uint32_t i = 0; i < n; i++)
		if (filter_process_matches(alpcscope_model_process_at(m, i), name))
			return true;
	return false;
}

static bool
pid_in_trace(const struct alpcscope_model *m, uint32_t pid)
{
	uint32_t n = alpcscope_model_process_count(m);

	for (uint32_t i = 0; i < n; i++)
		if (alpcscope_model_process_at(m, i)->pid == pid)
			return true;
	return false;
}

static void
warn_name(const char *cmd, const struct alpcscope_model *m, const char *option, const char *name)
{
	char close[400];

	if (suggest_process_names(m, name, close, sizeof(close)))
		cli_warn("alpcscope %s: warning: %s %s matches no process in this trace (close "
			 "names: %s)\n",
			 cmd, option, name, close);
	else
		cli_warn("alpcscope %s: warning: %s %s matches no process in this trace\n", cmd,
			 option, name);
}

bool
filter_check(const struct cli_filter *f, const char *cmd, const struct alpcscope_model *m,
	     int64_t trace_start, int64_t trace_end)
{
	char a[64], b[64];

	if (f->from.text && f->to.text && f->from_filetime > f->to_filetime) {
		fprintf(stderr, "alpcscope %s: --from %s is after --to %s: the window is empty\n",
			cmd, f->from.text, f->to.text);
		return false;
	}
	for (size_t i = 0; i < f->n_include_names; i++)
		if (!name_in_trace(m, f->include_names[i]))
			warn_name(cmd, m, "--process", f->include_names[i]);
	for (size_t i = 0; i < f->n_exclude_names; i++)
		if (!name_in_trace(m, f->exclude_names[i]))
			warn_name(cmd, m, "--exclude", f->exclude_names[i]);
	for (size_t i = 0; i < f->n_include_pids; i++)
		if (!pid_in_trace(m, f->include_pids[i]))
			cli_warn(
			    "alpcscope %s: warning: --pid %u matches no process in this trace\n",
			    cmd, f->include_pids[i]);
	for (size_t i = 0; i < f->n_exclude_pids; i++)
		if (!pid_in_trace(m, f->exclude_pids[i]))
			cli_warn(
			    "alpcscope %s: warning: --pid -%u matches no process in this trace\n",
			    cmd, f->exclude_pids[i]);
	if (!trace_start || !trace_end)
		return true;
	alpcscope_filetime_format(a, sizeof(a), trace_start);
	alpcscope_filetime_format(b, sizeof(b), trace_end);
	if (f->from.text && f->from_filetime > trace_end)
		cli_warn(
		    "alpcscope %s: warning: --from %s is after the trace ends (trace: %s .. %s)\n",
		    cmd, f->from.text, a, b);
	if (f->to.text && f->to_filetime < trace_start)
		cli_warn(
		    "alpcscope %s: warning: --to %s is before the trace starts (trace: %s .. %s)\n",
		    cmd, f->to.text, a, b);
	return true;
}
