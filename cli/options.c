/* SPDX-License-Identifier: MIT */
/* The option parser and the usage and help printer of every command (see options.h). */
#include "options.h"

#include <alpcscope/reader.h> /* alpcscope_filetime_parse */

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Help text starts in this column; a longer option label is followed by one space. */
#define HELP_COLUMN 28
/* The usage line wraps before this column. */
#define SYNOPSIS_WIDTH 80

bool
cli_uint_parse(const char *text, uint64_t *out)
{
	uint64_t v = 0;

	if (!*text)
		return false;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	return true;
}

bool
cli_time_parse(const char *text, struct cli_time *out)
{
	char *end;
	double v;

	memset(out, 0, sizeof(*out));
	out->text = text;
	if (alpcscope_filetime_parse(text, &out->filetime))
		return true;
	errno = 0;
	v = strtod(text, &end);
	/* NaN fails both comparisons; 1e9 seconds (31 years) is past any trace. */
	if (errno || end == text || *end || !(v >= 0 && v < 1e9))
		return false;
	out->relative = true;
	out->seconds = v;
	return true;
}

/* The struct of @p g inside the command's argument struct @p args. */
static char *
group_base(const struct cli_opt_group *g, void *args)
{
	return g->global ? g->global : (char *)args + g->offset;
}

static bool
takes_value(const struct cli_opt *o)
{
	return o->kind != CLI_OPT_FLAG && o->kind != CLI_OPT_HELP && o->value_name;
}

/*
 * Does @p arg name option @p o ("--name", "--name=V", "-x", "-x=V")? The
 * inline value, if any, goes to *inline_value.
 */
static bool
names_option(const struct cli_opt *o, const char *arg, const char **inline_value)
{
	const char *rest = NULL;
	size_t n = strlen(o->name);

	if (arg[1] == '-' && strncmp(arg + 2, o->name, n) == 0)
		rest = arg + 2 + n;
	else if (arg[1] != '-' && o->short_name && arg[1] == o->short_name)
		rest = arg + 2;
	if (!rest || (*rest && *rest != '='))
		return false;
	*inline_value = *rest == '=' ? rest + 1 : NULL;
	return true;
}

static const struct cli_opt *
find_option(const struct cli_opt_group *groups, const char *arg, const struct cli_opt_group **group,
	    const char **inline_value)
{
	for (const struct cli_opt_group *g = groups; g->opts; g++)
		for (const struct cli_opt *o = g->opts; o->name; o++)
			if (names_option(o, arg, inline_value)) {
				*group = g;
				return o;
			}
	return NULL;
}

static void
store_uint(const struct cli_opt *o, void *dest, uint64_t v)
{
	if (o->size == sizeof(uint32_t)) {
		uint32_t v32 = (uint32_t)v;

		memcpy(dest, &v32, sizeof(v32));
	} else {
		memcpy(dest, &v, sizeof(v));
	}
}

/* "text, json, csv": the listed names of a CHOICE option. */
static void
choice_list(const struct cli_opt *o, const char *sep, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (const struct cli_choice *c = o->choices; c->name; c++) {
		if (c->alias)
			continue;
		int w = snprintf(buf + len, size - len, "%s%s", len ? sep : "", c->name);

		if (w < 0 || (size_t)w >= size - len)
			return;
		len += (size_t)w;
	}
}

/* Store @p value of option @p o at @p dest; false with the reason in @p why. */
static bool
store_value(const struct cli_opt *o, void *dest, const char *value, char *why, size_t why_size)
{
	uint64_t v;
	char names[200];

	switch (o->kind) {
	case CLI_OPT_FLAG: *(bool *)dest = true; return true;
	case CLI_OPT_STRING: *(const char **)dest = value; return true;
	case CLI_OPT_UINT: {
		uint64_t max =
		    o->size == sizeof(uint32_t) && o->max > UINT32_MAX ? UINT32_MAX : o->max;

		if (cli_uint_parse(value, &v) && v >= o->min && v <= max) {
			store_uint(o, dest, v);
			return true;
		}
		snprintf(why, why_size, "bad --%s '%s' (%s)", o->name, value, o->range);
		return false;
	}
	case CLI_OPT_TIME:
		if (cli_time_parse(value, dest))
			return true;
		snprintf(why, why_size, "bad --%s '%s' (ISO-8601 UTC or seconds from trace start)",
			 o->name, value);
		return false;
	case CLI_OPT_CHOICE:
		for (const struct cli_choice *c = o->choices; c->name; c++)
			if (strcmp(value, c->name) == 0) {
				*(int *)dest = c->value;
				return true;
			}
		choice_list(o, ", ", names, sizeof(names));
		snprintf(why, why_size, "unknown %s '%s' (%s)", o->choice_what, value, names);
		return false;
	case CLI_OPT_CALL: return o->take(dest, value, why, why_size);
	case CLI_OPT_HELP: break;
	}
	return true;
}

/*
 * Take the option at argv[*i] (and its value): 1 taken, 0 not an option of
 * @p groups, -1 with the error in @p why. *opt and *group say which.
 */
static int
take_option(const struct cli_opt_group *groups, void *args, int argc, char **argv, int *i,
	    const struct cli_opt **opt, const struct cli_opt_group **group, char *why,
	    size_t why_size)
{
	const char *value = NULL;
	const struct cli_opt *o = find_option(groups, argv[*i], group, &value);

	*opt = o;
	if (!o)
		return 0;
	if (!takes_value(o) && value) {
		snprintf(why, why_size, "--%s takes no value", o->name);
		return -1;
	}
	if (takes_value(o) && !value) {
		if (*i + 1 >= argc) {
			snprintf(why, why_size, "--%s needs a value (%s)", o->name, o->value_name);
			return -1;
		}
		value = argv[++*i];
	}
	if (o->kind == CLI_OPT_HELP)
		return 1;
	return store_value(o, group_base(*group, args) + o->offset, value, why, why_size) ? 1 : -1;
}

/* The usage-line form of option @p o: "[--name VALUE]". */
static void
synopsis_item(const struct cli_opt *o, char *item, size_t size)
{
	char names[200];
	const char *value = o->value_name;

	if (o->synopsis) {
		snprintf(item, size, "%s", o->synopsis);
		return;
	}
	if (o->kind == CLI_OPT_CHOICE) {
		choice_list(o, "|", names, sizeof(names));
		value = names;
	}
	snprintf(item, size, "%s--%s%s%s%s%s", o->required ? "" : "[", o->name,
		 takes_value(o) ? " " : "", takes_value(o) ? value : "", o->required ? "" : "]",
		 o->repeatable ? "..." : "");
}

void
cli_print_synopsis(const struct cli_command *cmd, FILE *out)
{
	char item[300];
	int indent = (int)strlen("usage: alpcscope  ") + (int)strlen(cmd->name), col;

	col = fprintf(out, "usage: alpcscope %s", cmd->name);
	if (cmd->operand)
		col += fprintf(out, " %s", cmd->operand);
	for (const struct cli_opt_group *g = cmd->groups; g->opts; g++) {
		if (g->synopsis && !g->synopsis[0])
			continue;
		for (const struct cli_opt *o = g->opts; o->name; o++) {
			if (g->synopsis)
				snprintf(item, sizeof(item), "%s", g->synopsis);
			else if (o->kind == CLI_OPT_HELP)
				continue;
			else
				synopsis_item(o, item, sizeof(item));
			if (col + 1 + (int)strlen(item) > SYNOPSIS_WIDTH && col > indent) {
				fprintf(out, "\n%*s", indent - 1, "");
				col = indent - 1;
			}
			col += fprintf(out, " %s", item);
			if (g->synopsis)
				break; /* the group's text stands for all its options */
		}
	}
	fputc('\n', out);
}

/* "-f, --format FORMAT" appended to @p label (of @p size, holding @p len bytes). */
static size_t
append_label(const struct cli_opt *o, char *label, size_t len, size_t size)
{
	char flag[4] = "";
	int w;

	if (o->short_name)
		snprintf(flag, sizeof(flag), "-%c,", o->short_name);
	w = snprintf(label + len, size - len, "%s%s%s--%s%s%s", len ? ", " : "  ", flag,
		     o->short_name ? " " : "", o->name, takes_value(o) ? " " : "",
		     takes_value(o) ? o->value_name : "");
	return w < 0 || (size_t)w >= size - len ? size - 1 : len + (size_t)w;
}

void
cli_print_group_help(const struct cli_opt *opts, FILE *out)
{
	char label[200];
	size_t len = 0;

	for (const struct cli_opt *o = opts; o->name; o++) {
		len = append_label(o, label, len, sizeof(label));
		if (!o->help)
			continue; /* shares the next option's line */
		fprintf(out, "%-*s", HELP_COLUMN - 1, label);
		for (const char *line = o->help; *line;) {
			size_t n = strcspn(line, "\n");

			fprintf(out, " %.*s\n", (int)n, line);
			line += n + (line[n] == '\n');
			if (*line)
				fprintf(out, "%*s", HELP_COLUMN - 1, "");
		}
		len = 0;
	}
}

void
cli_print_help(const struct cli_command *cmd, FILE *out)
{
	cli_print_synopsis(cmd, out);
	for (const struct cli_opt_group *g = cmd->groups; g->opts; g++)
		cli_print_group_help(g->opts, out);
}

int
cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "alpcscope %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cli_print_synopsis(cmd, stderr);
	fprintf(stderr, "'alpcscope %s --help' lists every option\n", cmd->name);
	return EXIT_USAGE;
}

/* Every required option of @p cmd given? (A required option is a STRING.) */
static int
check_required(const struct cli_command *cmd, void *args)
{
	for (const struct cli_opt_group *g = cmd->groups; g->opts; g++)
		for (const struct cli_opt *o = g->opts; o->name; o++) {
			char item[300];

			if (!o->required || *(const char **)(group_base(g, args) + o->offset))
				continue;
			synopsis_item(o, item, sizeof(item));
			return cli_usage_error(cmd, "%s is required", item);
		}
	return CLI_PARSED;
}

/* A word that is not an option: the command's operand. */
static int
take_operand(const struct cli_command *cmd, const char *arg, const char **operand)
{
	if (!cmd->operand)
		return cli_usage_error(cmd, "unknown argument '%s'", arg);
	if (*operand)
		return cli_usage_error(cmd, "more than one trace given");
	*operand = arg;
	return CLI_PARSED;
}

int
cli_parse(const struct cli_command *cmd, int argc, char **argv, void *args, const char **operand)
{
	bool options_end = false;
	char why[600];

	*operand = NULL;
	for (int i = 1; i < argc; i++) {
		const struct cli_opt *o;
		const struct cli_opt_group *g;
		int first = i, r;

		if (!options_end && strcmp(argv[i], "--") == 0) {
			options_end = true;
			continue;
		}
		if (options_end || argv[i][0] != '-' || !argv[i][1]) {
			if (take_operand(cmd, argv[i], operand) != CLI_PARSED)
				return EXIT_USAGE;
			continue;
		}
		r = take_option(cmd->groups, args, argc, argv, &i, &o, &g, why, sizeof(why));
		if (r == 0)
			return cli_usage_error(cmd, "unknown option '%s'", argv[i]);
		if (r < 0)
			return cli_usage_error(cmd, "%s", why);
		if (o->kind == CLI_OPT_HELP) {
			cli_print_help(cmd, stdout);
			return EXIT_OK;
		}
		if (cmd->taken)
			cmd->taken(args, g, argv, first, i);
	}
	if (cmd->operand && !*operand)
		return cli_usage_error(cmd, "no trace given");
	return check_required(cmd, args);
}

int
cli_take_global_options(const struct cli_opt_group *group, int argc, char **argv)
{
	const struct cli_opt_group groups[2] = {*group, {0}};
	int n = 1, i = 1;
	char why[600];

	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const struct cli_opt *o;
		const struct cli_opt_group *g;
		int r = argv[i][0] == '-'
			    ? take_option(groups, NULL, argc, argv, &i, &o, &g, why, sizeof(why))
			    : 0;

		if (r < 0) {
			fprintf(stderr, "alpcscope: %s\n", why);
			return -1;
		}
		if (r == 0)
			argv[n++] = argv[i];
	}
	for (; i < argc; i++)
		argv[n++] = argv[i];
	argv[n] = NULL;
	return n;
}
