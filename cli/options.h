/* SPDX-License-Identifier: MIT */
/*
 * The command line as tables (in the manner of libgit2's cli_opt): every
 * option of every command is one entry (long and short name, kind of value,
 * where the value goes, value name, help text), grouped into tables that
 * several commands share (filters, symbols, the options of every command).
 * One parser reads argv against a command's groups, with the same syntax
 * and the same usage errors (exit 2) everywhere, and the usage line and
 * --help text are printed from the same tables; the manual page and the
 * bash completion are checked against them (tests/cli/check-options.py).
 *
 * Syntax: --name VALUE, --name=VALUE, -x VALUE, -x=VALUE; a value is taken
 * as given even when it starts with '-' (--process -svchost excludes);
 * "--" ends the options; "-" alone is an operand.
 */
#ifndef ALPCSCOPE_CLI_OPTIONS_H
#define ALPCSCOPE_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum cli_opt_kind {
	CLI_OPT_FLAG,   /* no value: the bool at the destination becomes true */
	CLI_OPT_STRING, /* const char *: the value as given (the last one wins) */
	CLI_OPT_UINT,   /* uint32_t or uint64_t (by .size): decimal digits, .min to .max */
	CLI_OPT_TIME,   /* struct cli_time: ISO-8601 UTC or seconds from the trace start */
	CLI_OPT_CHOICE, /* int: the .value of the entry of .choices named by the value */
	CLI_OPT_CALL,   /* .take() checks and stores the value (lists, repeatable options) */
	CLI_OPT_HELP,   /* print the command's help on standard output and exit 0 */
};

/* What the bash completion offers for an option's value (checked by tests/cli). */
enum cli_value_completion {
	CLI_COMPLETE_NOTHING, /* a number, a name, an expression: no guess */
	CLI_COMPLETE_FILE,
	CLI_COMPLETE_DIR,
	CLI_COMPLETE_CHOICES, /* the names of .choices */
};

struct cli_choice {
	const char *name; /* NULL ends the list */
	int value;
	bool alias; /* accepted but not listed (dump's "json" for jsonl) */
};

/* A --from/--to value, checked when parsed, resolved once the trace start is known. */
struct cli_time {
	const char *text; /* as given; NULL when the option was not given */
	bool relative;    /* seconds from the trace start */
	int64_t filetime; /* when !relative: 100 ns units since 1601 (UTC) */
	double seconds;   /* when relative: 0 <= seconds < 1e9 */
};

struct cli_opt {
	const char *name; /* long name without "--"; NULL ends a table */
	char short_name;  /* 0: none */
	enum cli_opt_kind kind;
	size_t offset, size;    /* destination inside the group's struct (CLI_DEST) */
	const char *value_name; /* "N", "FILE"; NULL for FLAG and HELP */
	/* Lines separated by '\n'; NULL: listed on the line of the next option. */
	const char *help;
	const char *synopsis; /* the usage-line form, when not "[--name VALUE]" */
	bool repeatable;      /* "..." in the usage line */
	bool required;        /* no brackets in the usage line; missing is a usage error */
	/* UINT: the allowed range, and how the error says it ("a count, 0 = all"). */
	uint64_t min, max;
	const char *range;
	/* CHOICE: the names and what the error calls them ("format"). */
	const struct cli_choice *choices;
	const char *choice_what;
	/* CALL: store @p value at @p dest; false with a message in @p why. */
	bool (*take)(void *dest, const char *value, char *why, size_t why_size);
	enum cli_value_completion complete;
};

/* Destination of an option: field @p field of the group's struct @p type. */
#define CLI_DEST(type, field) .offset = offsetof(type, field), .size = sizeof(((type *)0)->field)

/* -f, --format FORMAT: one of @p format_choices into the int @p field of @p type. */
#define CLI_FORMAT_OPTION(type, field, format_choices, help_text)                                  \
	{                                                                                          \
		.name = "format", .short_name = 'f', .kind = CLI_OPT_CHOICE,                       \
		CLI_DEST(type, field), .value_name = "FORMAT", .choices = format_choices,          \
		.choice_what = "format", .complete = CLI_COMPLETE_CHOICES, .help = help_text       \
	}

/* A table of options and where its struct lies in a command's argument struct. */
struct cli_opt_group {
	const struct cli_opt *opts; /* NULL ends a command's list of groups */
	size_t offset;              /* of the group's struct in the argument struct */
	void *global;               /* instead: the group's struct is this one */
	/* The usage line: NULL lists each option, "" none, else this text ("[filters]"). */
	const char *synopsis;
};

struct cli_command {
	const char *name;
	const char *summary; /* one line of `alpcscope --help` */
	const char *operand; /* "TRACE.etl": exactly one; NULL: none */
	const struct cli_opt_group *groups;
	/* Run the command: @p cmd is this struct, argv[0] the command's name. */
	int (*run)(const struct cli_command *cmd, int argc, char **argv);
	const void *impl; /* what run() needs besides (report commands: struct report_cmd) */
	/* Optional: told of every option taken, argv[first..last] as given. */
	void (*taken)(void *args, const struct cli_opt_group *group, char **argv, int first,
		      int last);
};

/* Result of cli_parse() that means "go on": the options are in the argument struct. */
#define CLI_PARSED (-1)

/*
 * Read argv[1..argc) of @p cmd into @p args (the command's argument struct)
 * and its operand into *operand. Returns CLI_PARSED, EXIT_OK after printing
 * the help (--help), or EXIT_USAGE after printing the error, the usage line
 * and where the help is on stderr.
 */
int cli_parse(const struct cli_command *cmd, int argc, char **argv, void *args,
	      const char **operand);

/*
 * Take the options of @p group (the options every command takes, with a
 * global struct) out of argv wherever they stand, before "--". Returns the
 * new argc, or -1 after printing "alpcscope: ..." on stderr.
 */
int cli_take_global_options(const struct cli_opt_group *group, int argc, char **argv);

/* A usage error of @p cmd: "alpcscope CMD: ...", the usage line and where the help is. */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The usage line(s) of @p cmd. */
void cli_print_synopsis(const struct cli_command *cmd, FILE *out);
/* The usage line and one entry per option, in the order of the groups. */
void cli_print_help(const struct cli_command *cmd, FILE *out);
/* The option lines of one group (for `alpcscope --help`). */
void cli_print_group_help(const struct cli_opt *opts, FILE *out);

/* Parse @p text as an ISO-8601 UTC time or seconds from the trace start. */
bool cli_time_parse(const char *text, struct cli_time *out);
/* Parse decimal digits into *out (no sign, no spaces, no overflow). */
bool cli_uint_parse(const char *text, uint64_t *out);

#endif
