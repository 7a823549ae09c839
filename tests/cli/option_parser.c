/* SPDX-License-Identifier: MIT */
/*
 * The option parser of every command (cli/options.h) on a table of its own:
 * each kind of value, both spellings of a value, short names, "--", the
 * usage errors (exit 2) and what they say, the generated usage line and help.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

struct args {
	bool flag;
	const char *text;
	uint32_t small;
	uint64_t big;
	int choice;
	struct cli_time when;
	const char *list[4];
	size_t n_list;
};

static bool
take_item(void *dest, const char *value, char *why, size_t why_size)
{
	struct args *a = dest;

	if (a->n_list == 4 || !value[0]) {
		snprintf(why, why_size, "bad or too many --item '%s'", value);
		return false;
	}
	a->list[a->n_list++] = value;
	return true;
}

static const struct cli_choice colours[] = {
    {"red", 1, false}, {"green", 2, false}, {"verde", 2, true}, {NULL, 0, false}};

static const struct cli_opt opts[] = {
    {.name = "flag", .kind = CLI_OPT_FLAG, CLI_DEST(struct args, flag), .help = "a flag"},
    {.name = "text",
     .short_name = 't',
     .kind = CLI_OPT_STRING,
     CLI_DEST(struct args, text),
     .value_name = "TEXT",
     .required = true,
     .help = "some text\nover two lines"},
    {.name = "small",
     .kind = CLI_OPT_UINT,
     CLI_DEST(struct args, small),
     .value_name = "N",
     .min = 2,
     .max = UINT64_MAX,
     .range = "2 or more",
     .help = "a 32-bit number"},
    {.name = "big",
     .kind = CLI_OPT_UINT,
     CLI_DEST(struct args, big),
     .value_name = "N",
     .max = UINT64_MAX,
     .range = "any",
     .help = "a 64-bit number"},
    {.name = "colour",
     .short_name = 'c',
     .kind = CLI_OPT_CHOICE,
     CLI_DEST(struct args, choice),
     .value_name = "C",
     .choices = colours,
     .choice_what = "colour",
     .help = "a colour"},
    {.name = "when",
     .kind = CLI_OPT_TIME,
     CLI_DEST(struct args, when),
     .value_name = "T",
     .help = "a time"},
    {.name = "item",
     .kind = CLI_OPT_CALL,
     .value_name = "X",
     .take = take_item,
     .repeatable = true,
     .help = "an item; repeatable"},
    {0},
};

static const struct cli_opt_group groups[] = {{.opts = opts}, CLI_HELP_GROUP, {0}};

static const struct cli_command cmd = {
    .name = "demo", .summary = "", .operand = "TRACE.etl", .groups = groups};

static int failures;

/* Parse the words of @p line; stderr goes to @p err (of @p err_size), stdout to out_bytes. */
static long out_bytes;

static int
parse(const char *line, struct args *a, const char **operand, char *err, size_t err_size)
{
	static char buf[512], empty[1];
	char *argv[32];
	int argc = 0, saved = dup(2), saved_out = dup(1);
	FILE *tmp = tmpfile(), *out = tmpfile();

	snprintf(buf, sizeof(buf), "demo %s", line);
	for (char *save = NULL, *w = strtok_r(buf, " ", &save); w && argc < 31;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = strcmp(w, "''") == 0 ? empty : w;
	argv[argc] = NULL;
	memset(a, 0, sizeof(*a));
	fflush(stderr);
	fflush(stdout);
	dup2(fileno(tmp), 2);
	dup2(fileno(out), 1);
	int rc = cli_parse(&cmd, argc, argv, a, operand);

	fflush(stderr);
	fflush(stdout);
	dup2(saved, 2);
	dup2(saved_out, 1);
	close(saved);
	close(saved_out);
	fseek(out, 0, SEEK_END);
	out_bytes = ftell(out);
	fclose(out);
	rewind(tmp);
	size_t n = fread(err, 1, err_size - 1, tmp);
	err[n] = '\0';
	fclose(tmp);
	return rc;
}

static void
expect_error(const char *line, const char *first_line)
{
	struct args a;
	const char *op;
	char err[2000];
	int rc = parse(line, &a, &op, err, sizeof(err));
	size_t n = strcspn(err, "\n");

	if (rc != EXIT_USAGE || strlen(first_line) != n || strncmp(err, first_line, n) != 0 ||
	    !strstr(err, "\nusage: alpcscope demo TRACE.etl [--flag] --text TEXT") ||
	    !strstr(err, "'alpcscope demo --help' lists every option\n")) {
		printf("FAIL %s: rc %d, stderr:\n%s(wanted: %s)\n", line, rc, err, first_line);
		failures++;
	}
}

static void
check(bool ok, const char *what)
{
	if (!ok) {
		printf("FAIL %s\n", what);
		failures++;
	}
}

int
main(void)
{
	struct args a;
	const char *op;
	char err[2000];

	check(parse("x.etl --text=hi --flag -c green --small 4294967295 --big 18446744073709551615 "
		    "--when 2.5 --item a --item=-b",
		    &a, &op, err, sizeof(err)) == CLI_PARSED &&
		  !err[0],
	      "every kind parses");
	check(strcmp(op, "x.etl") == 0 && strcmp(a.text, "hi") == 0 && a.flag && a.choice == 2 &&
		  a.small == UINT32_MAX && a.big == UINT64_MAX && a.when.relative &&
		  a.when.seconds == 2.5 && a.n_list == 2 && strcmp(a.list[1], "-b") == 0,
	      "every kind stores its value");
	check(parse("-t=x -c=verde -- -x.etl", &a, &op, err, sizeof(err)) == CLI_PARSED &&
		  strcmp(a.text, "x") == 0 && a.choice == 2 && strcmp(op, "-x.etl") == 0,
	      "-x=VALUE, an alias, and an operand after --");
	check(parse("x.etl -t - --when 2024-05-01T10:00:02Z", &a, &op, err, sizeof(err)) ==
		      CLI_PARSED &&
		  strcmp(a.text, "-") == 0 && !a.when.relative && a.when.filetime > 0,
	      "a value '-' and an ISO-8601 time");
	check(parse("x.etl --help --bogus", &a, &op, err, sizeof(err)) == EXIT_OK && !err[0] &&
		  out_bytes > 0,
	      "--help before a bad option: the help on stdout");
	expect_error("x.etl -t a --bogus", "alpcscope demo: unknown option '--bogus'");
	expect_error("x.etl -t a --flag=1", "alpcscope demo: --flag takes no value");
	expect_error("x.etl -t", "alpcscope demo: --text needs a value (TEXT)");
	expect_error("x.etl -t a --small 1", "alpcscope demo: bad --small '1' (2 or more)");
	expect_error("x.etl -t a --small 4294967296",
		     "alpcscope demo: bad --small '4294967296' (2 or more)");
	expect_error("x.etl -t a --big 18446744073709551616",
		     "alpcscope demo: bad --big '18446744073709551616' (any)");
	expect_error("x.etl -t a --big +1", "alpcscope demo: bad --big '+1' (any)");
	expect_error("x.etl -t a --big ''", "alpcscope demo: bad --big '' (any)");
	expect_error("x.etl -t a -c blue", "alpcscope demo: unknown colour 'blue' (red, green)");
	expect_error("x.etl -t a --when 2024-5-1T10:00:02Z",
		     "alpcscope demo: bad --when '2024-5-1T10:00:02Z' (ISO-8601 UTC or seconds "
		     "from trace start)");
	expect_error("x.etl -t a --when nan",
		     "alpcscope demo: bad --when 'nan' (ISO-8601 UTC or seconds from trace start)");
	expect_error("x.etl -t a --when 1e9",
		     "alpcscope demo: bad --when '1e9' (ISO-8601 UTC or seconds from trace start)");
	expect_error("x.etl -t a --item ''", "alpcscope demo: bad or too many --item ''");
	expect_error("x.etl y.etl -t a", "alpcscope demo: more than one trace given");
	expect_error("-t a", "alpcscope demo: no trace given");
	expect_error("x.etl", "alpcscope demo: --text TEXT is required");

	/* The help: the usage line, then one entry per option, continuation lines aligned. */
	FILE *h = tmpfile();
	char help[2000];

	cli_print_help(&cmd, h);
	rewind(h);
	help[fread(help, 1, sizeof(help) - 1, h)] = '\0';
	fclose(h);
	check(strcmp(help,
		     "usage: alpcscope demo TRACE.etl [--flag] --text TEXT [--small N] [--big N]\n"
		     "                      [--colour red|green] [--when T] [--item X]...\n"
		     "  --flag                    a flag\n"
		     "  -t, --text TEXT           some text\n"
		     "                            over two lines\n"
		     "  --small N                 a 32-bit number\n"
		     "  --big N                   a 64-bit number\n"
		     "  -c, --colour C            a colour\n"
		     "  --when T                  a time\n"
		     "  --item X                  an item; repeatable\n"
		     "  -h, --help                this help\n") == 0,
	      "the help text");
	if (failures)
		printf("%s", help);
	printf("%d failed\n", failures);
	return failures ? 1 : 0;
}
