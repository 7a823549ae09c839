/* SPDX-License-Identifier: MIT */
/*
 * The reading loop shared by the subcommands: open, iterate, report
 * diagnostics on stderr (first few per ID), progress on a terminal, and the
 * exit code (1 when any damage was seen, 3 when the file cannot be read).
 */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DIAG_PRINT_LIMIT 20

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	if (cli_common.quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void
cli_on_diag(void *ctx, const struct alpcscope_diagnostic *d)
{
	struct cli_read *cr = ctx;

	if (d->severity >= ALPCSCOPE_SEV_WARNING)
		cr->damage++;
	if (cr->diag_sink)
		alpcscope_summary_add_diagnostic(cr->diag_sink, d);
	if (cr->quiet_diagnostics || cli_common.quiet || cr->printed >= DIAG_PRINT_LIMIT)
		return;
	cr->printed++;
	/* Messages may quote names from the trace: shown as safe text (alpcscope/text.h). */
	char msg[1024], path[512];

	alpcscope_safe_text(msg, sizeof(msg), d->message);
	alpcscope_safe_text(path, sizeof(path), cr->path);
	if (d->file_offset != ALPCSCOPE_NO_OFFSET && cr->is_xml)
		fprintf(stderr, "%s: %s near byte %llu: %s\n", path, d->id,
			(unsigned long long)d->file_offset, msg);
	else if (d->file_offset != ALPCSCOPE_NO_OFFSET)
		fprintf(stderr, "%s: %s at offset 0x%llx: %s\n", path, d->id,
			(unsigned long long)d->file_offset, msg);
	else
		fprintf(stderr, "%s: %s: %s\n", path, d->id, msg);
	if (cr->printed == DIAG_PRINT_LIMIT)
		fprintf(stderr, "%s: further diagnostics are counted, not printed\n", cr->path);
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
cli_read_trace(struct cli_read *cr, cli_event_fn fn, void *ctx,
	       struct alpcscope_reader **reader_out)
{
	struct alpcscope_reader_options opt = ALPCSCOPE_READER_OPTIONS_INIT;
	struct alpcscope_reader *reader = NULL;
	struct alpcscope_error err;
	const struct alpcscope_event *ev;
	enum alpcscope_status st;
	bool tty = isatty(STDERR_FILENO) != 0;
	bool progress = cli_common.progress == CLI_PROGRESS_ON ||
			(cli_common.progress == CLI_PROGRESS_AUTO && tty);
	/* on a terminal one line rewritten in place; elsewhere (--progress into a log) lines */
	const char *lead = tty ? "\r" : "", *tail = tty ? "" : "\n";
	double start = now_seconds(), last = start;
	bool shown = false;

	memset(&err, 0, sizeof(err));
	opt.diag = cli_on_diag;
	opt.diag_ctx = cr;
	opt.file_order = cr->file_order;
	opt.buffer_order = cr->buffer_order;
	opt.threads = cli_common.threads;
	*reader_out = NULL;
	if (alpcscope_xml_sniff_file(cr->path)) /* XML dump instead of .etl: cli/read_xml.c */
		return cli_read_xml(cr, fn, ctx, reader_out);
	st = alpcscope_reader_open_file(&reader, cr->path, &opt, &err);
	if (st != ALPCSCOPE_OK) {
		if (err.offset != ALPCSCOPE_NO_OFFSET)
			fprintf(stderr, "%s: %s at offset 0x%llx: %s\n", cr->path,
				alpcscope_status_str(st), (unsigned long long)err.offset,
				err.message);
		else
			fprintf(stderr, "%s: %s: %s\n", cr->path, alpcscope_status_str(st),
				err.message);
		return EXIT_UNREADABLE;
	}
	*reader_out = reader;
	if (cr->on_open)
		cr->on_open(ctx, reader);
	const struct alpcscope_trace_info *info = alpcscope_reader_info(reader);
	const struct alpcscope_reader_stats *stats = alpcscope_reader_stats(reader);
	while ((st = alpcscope_reader_next(reader, &ev, &err)) == ALPCSCOPE_OK) {
		st = fn(ctx, ev, &err);
		if (st != ALPCSCOPE_OK)
			break;
		if (progress && (ev->ordinal & 0xFFFF) == 0) {
			double t = now_seconds();

			if (t - start > 1.0 && t - last > (tty ? 0.25 : 5.0)) {
				fprintf(stderr, "%s%s: %u/%u buffers, %llu events%s", lead,
					cr->path, stats->buffers_read, info->buffer_count,
					(unsigned long long)stats->records_total, tail);
				last = t;
				shown = true;
			}
		}
	}
	if (shown && tty)
		fprintf(stderr, "\r%*s\r", 70, "");
	if (cli_common.progress == CLI_PROGRESS_ON) /* asked for: say where reading ended */
		fprintf(stderr, "%s: read %u/%u buffers, %llu events\n", cr->path,
			stats->buffers_read, info->buffer_count,
			(unsigned long long)stats->records_total);
	if (st != ALPCSCOPE_END) {
		fprintf(stderr, "%s: %s: %s\n", cr->path, alpcscope_status_str(st), err.message);
		return st == ALPCSCOPE_E_NOMEM || st == ALPCSCOPE_E_IO ? EXIT_UNREADABLE
								       : EXIT_DAMAGED;
	}
	return cr->damage ? EXIT_DAMAGED : EXIT_OK;
}
