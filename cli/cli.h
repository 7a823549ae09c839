/* SPDX-License-Identifier: MIT */
/* Shared pieces of the alpcscope subcommands: exit codes, reading loop, progress. */
#ifndef ALPCSCOPE_CLI_H
#define ALPCSCOPE_CLI_H

#include <alpcscope/alpcscope.h>

#include <stdbool.h>

enum exit_code {
	EXIT_OK = 0,
	EXIT_DAMAGED = 1,    /* trace damaged but read; diagnostics explain */
	EXIT_USAGE = 2,      /* bad command line */
	EXIT_UNREADABLE = 3, /* cannot open or not an ETL file */
};

/* --progress / --quiet (any command, anywhere on the line; handled in main.c). */
enum cli_progress {
	CLI_PROGRESS_AUTO = 0, /* on when stderr is a terminal */
	CLI_PROGRESS_ON,
	CLI_PROGRESS_OFF,
};
extern enum cli_progress cli_progress;
/* --quiet: no progress, no warnings, no per-record diagnostics (errors still print). */
extern bool cli_quiet;
/* --threads N (any command; main.c): reader threads, 0 = one per online processor. */
extern uint32_t cli_threads;
/* Usage lines of the options every command takes. */
extern const char cli_common_usage[];

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

/* True when @p arg equals @p name or starts with "name=" (value in *value). */
bool cli_opt(const char *arg, const char *name, const char **value, int *i, int argc, char **argv);

/*
 * Diagnostic callback of both reading loops (ctx = struct cli_read): counts
 * damage, forwards to diag_sink, prints the first 20 with file and offset.
 */
void cli_on_diag(void *ctx, const struct alpcscope_diagnostic *d);

int cmd_info(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_messages(int argc, char **argv);
int cmd_chains(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_symbols(int argc, char **argv);

#endif
