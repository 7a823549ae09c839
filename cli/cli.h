/* SPDX-License-Identifier: MIT */
/* Shared pieces of the alpcscope subcommands: exit codes, reading loop, progress. */
#ifndef ALPCSCOPE_CLI_H
#define ALPCSCOPE_CLI_H

#include <alpcscope/alpcscope.h>

#include <stdbool.h>

#include "options.h"

enum exit_code {
	EXIT_OK = 0,
	EXIT_DAMAGED = 1,    /* trace damaged but read; diagnostics explain */
	EXIT_USAGE = 2,      /* bad command line */
	EXIT_UNREADABLE = 3, /* cannot open or not an ETL file */
};

/* --progress / --no-progress. */
enum cli_progress {
	CLI_PROGRESS_AUTO = 0, /* on when stderr is a terminal */
	CLI_PROGRESS_ON,
	CLI_PROGRESS_OFF,
};

/* The options every command takes, anywhere on the line (taken out of argv by main.c). */
struct cli_common_options {
	enum cli_progress progress;
	/* --quiet: no progress, no warnings, no per-record diagnostics (errors still print). */
	bool quiet;
	/* --threads N: reader threads, 0 = one per online processor. */
	uint32_t threads;
};
extern struct cli_common_options cli_common;
/* Their table (the group's struct is cli_common), and -h/--help of every command. */
extern const struct cli_opt cli_common_opts[];
extern const struct cli_opt cli_help_opts[];
/* --csv-raw of the commands that write CSV (the group's struct is a bool). */
extern const struct cli_opt cli_csv_raw_opts[];
#define CLI_COMMON_GROUP                                                                           \
	{                                                                                          \
		.opts = cli_common_opts, .global = &cli_common, .synopsis = ""                     \
	}
#define CLI_HELP_GROUP                                                                             \
	{                                                                                          \
		.opts = cli_help_opts                                                              \
	}

/* The commands, in the order `alpcscope --help` lists them; NULL ends the list. */
extern const struct cli_command *const cli_commands[];
extern const struct cli_command cli_cmd_info, cli_cmd_dump, cli_cmd_messages, cli_cmd_chains,
    cli_cmd_summary, cli_cmd_graph, cli_cmd_symbols, cli_cmd_profile;

/* A warning on stderr ("alpcscope CMD: warning: ..." is the caller's text), unless --quiet. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Called for every event; return non-OK to stop. */
typedef enum alpcscope_status (*cli_event_fn)(void *ctx, const struct alpcscope_event *ev,
					      struct alpcscope_error *err);

struct cli_read {
	const char *path;
	struct alpcscope_summary *diag_sink; /* optional: diagnostics also go here */
	bool quiet_diagnostics;              /* do not print diagnostics to stderr */
	bool file_order;
	bool buffer_order; /* counting only: no merge by time (reader option) */
	/* optional: called once the trace is open, before the first event */
	void (*on_open)(void *ctx, const struct alpcscope_reader *reader);
	uint64_t damage; /* diagnostics of severity >= warning */
	uint64_t printed;
	bool is_xml;                             /* input was an XML dump (cli/read_xml.c) */
	struct alpcscope_trace_info xml_info;    /* its trace info, when is_xml */
	struct alpcscope_reader_stats xml_stats; /* and its counters */
};

/*
 * Open cr->path, call @p fn for every event, and show progress on a terminal.
 * *reader_out receives the reader (caller frees). Returns an exit code.
 */
int cli_read_trace(struct cli_read *cr, cli_event_fn fn, void *ctx,
		   struct alpcscope_reader **reader_out);

/* cli_read_trace() for XML dumps (cli/read_xml.c): *reader_out stays NULL. */
int cli_read_xml(struct cli_read *cr, cli_event_fn fn, void *ctx,
		 struct alpcscope_reader **reader_out);

/*
 * Diagnostic callback of both reading loops (ctx = struct cli_read): counts
 * damage, forwards to diag_sink, prints the first 20 with file and offset.
 */
void cli_on_diag(void *ctx, const struct alpcscope_diagnostic *d);

#endif
