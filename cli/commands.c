/* SPDX-License-Identifier: MIT */
/* The list of commands and the options every command takes (see cli.h and options.h). */
#include "cli.h"

struct cli_common_options cli_common = {CLI_PROGRESS_AUTO, false, 0};

static bool
progress_on(void *dest, const char *value, char *why, size_t why_size)
{
	(void)value, (void)why, (void)why_size;
	*(enum cli_progress *)dest = CLI_PROGRESS_ON;
	return true;
}

static bool
progress_off(void *dest, const char *value, char *why, size_t why_size)
{
	(void)value, (void)why, (void)why_size;
	*(enum cli_progress *)dest = CLI_PROGRESS_OFF;
	return true;
}

const struct cli_opt cli_common_opts[] = {
    {.name = "progress",
     .kind = CLI_OPT_CALL,
     CLI_DEST(struct cli_common_options, progress),
     .take = progress_on},
    {.name = "no-progress",
     .kind = CLI_OPT_CALL,
     CLI_DEST(struct cli_common_options, progress),
     .take = progress_off,
     .help = "show reading progress on stderr or not (default: only on a\nterminal)"},
    {.name = "quiet",
     .short_name = 'q',
     .kind = CLI_OPT_FLAG,
     CLI_DEST(struct cli_common_options, quiet),
     .help = "no progress, warnings or per-record diagnostics (errors and\nthe exit code "
	     "still tell)"},
    {.name = "threads",
     .kind = CLI_OPT_UINT,
     CLI_DEST(struct cli_common_options, threads),
     .value_name = "N",
     .min = 1,
     .max = 1024,
     .range = "a number from 1 to 1024",
     .help = "threads decompressing buffers (default: one per processor;\n1 = none); the "
	     "output is the same for any N"},
    {0},
};

const struct cli_opt cli_help_opts[] = {
    {.name = "help", .short_name = 'h', .kind = CLI_OPT_HELP, .help = "this help"},
    {0},
};

const struct cli_opt cli_csv_raw_opts[] = {
    {.name = "csv-raw",
     .kind = CLI_OPT_FLAG,
     .size = sizeof(bool),
     .help = "CSV: keep cells starting with = + - @ as they are\n(default: a leading ' so "
	     "spreadsheets show text)"},
    {0},
};

const struct cli_command *const cli_commands[] = {
    &cli_cmd_info,    &cli_cmd_dump,    &cli_cmd_messages,
    &cli_cmd_chains,  &cli_cmd_summary, &cli_cmd_graph,
    &cli_cmd_symbols, &cli_cmd_profile, NULL,
};
