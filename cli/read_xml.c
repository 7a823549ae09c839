/* SPDX-License-Identifier: MIT */
/*
 * The reading loop for XML dumps (tracerpt -of XML, wevtutil, `alpcscope dump
 * --format xml`): same contract as cli_read_trace() for ETL files, with
 * *reader_out left NULL and cr->is_xml / cr->xml_info set instead.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int
cli_read_xml(struct cli_read *cr, cli_event_fn fn, void *ctx, struct alpcscope_reader **reader_out)
{
	struct alpcscope_reader_options opt = ALPCSCOPE_READER_OPTIONS_INIT;
	struct alpcscope_xml_source *src = NULL;
	struct alpcscope_error err;
	const struct alpcscope_event *ev;
	enum alpcscope_status st;
	uint64_t events = 0;

	memset(&err, 0, sizeof(err));
	*reader_out = NULL;
	cr->is_xml = true;
	opt.diag = cli_on_diag;
	opt.diag_ctx = cr;
	st = alpcscope_xml_source_open_file(&src, cr->path, &opt, &err);
	if (st != ALPCSCOPE_OK) {
		fprintf(stderr, "%s: %s: %s\n", cr->path, alpcscope_status_str(st), err.message);
		return EXIT_UNREADABLE;
	}
	while ((st = alpcscope_xml_source_next(src, &ev, &err)) == ALPCSCOPE_OK) {
		events++;
		st = fn(ctx, ev, &err);
		if (st != ALPCSCOPE_OK)
			break;
	}
	cr->xml_info = *alpcscope_xml_source_info(src);
	cr->xml_stats = *alpcscope_xml_source_stats(src);
	alpcscope_xml_source_free(src);
	if (st != ALPCSCOPE_END) {
		fprintf(stderr, "%s: %s: %s\n", cr->path, alpcscope_status_str(st), err.message);
		/* nothing usable before the damage: the file cannot be read as a trace */
		return st == ALPCSCOPE_E_NOMEM || st == ALPCSCOPE_E_IO || events == 0
			   ? EXIT_UNREADABLE
			   : EXIT_DAMAGED;
	}
	return cr->damage ? EXIT_DAMAGED : EXIT_OK;
}
