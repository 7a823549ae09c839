/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope dump TRACE [--format text|jsonl|csv|xml] [--filter EXPR]... [--from T]
 * [--to T] [--limit N] [--file-order] [--manifest FILE] [--manifest-dir DIR]
 * [--symbols PATH]`: every event, decoded fields by name; with symbols, a
 * StackWalk's frames named in a "Symbols" field (a first pass builds the
 * image maps).
 */
#include "cli.h"
#include "event_filter.h"
#include "filter.h"
#include "symbols_opt.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --manifest / --manifest-dir options kept per invocation. */
#define DUMP_MAX_MANIFESTS 32

static void
usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: alpcscope dump TRACE.etl [--format text|jsonl|csv|xml] [--filter EXPR]...\n"
	    "                      [--from T] [--to T] [--limit N] [--file-order] [--csv-raw]\n"
	    "                      [--manifest FILE.man]... [--manifest-dir DIR]...\n"
	    "                      [--symbols PATH] [--symbols-verbose]\n"
	    "  -f, --format FORMAT       text (default), jsonl (json), csv or xml (tracerpt's\n"
	    "                            Windows event XML)\n"
	    "  --filter EXPR             key=value / key!=value terms, comma separated, 'a|b'\n"
	    "                            alternatives, 'prefix*'; keys pid tid cpu group opcode\n"
	    "                            id version provider event kind; repeatable (all hold)\n"
	    "  --from TIME, --to TIME    time window: ISO-8601 UTC or seconds from trace start\n"
	    "  --limit N                 stop after N events (N > 0)\n"
	    "  --file-order              events in file (buffer) order, not merged by time\n"
	    "  --manifest FILE.man       decode that provider's events by its manifest;\n"
	    "                            repeatable\n"
	    "  --manifest-dir DIR        every *.man in DIR; repeatable\n"
	    "  --csv-raw                 CSV: keep cells starting with = + - @ as they are\n"
	    "                            (default: a leading ' so spreadsheets show text)\n"
	    "%s  -h, --help                this help\n%s",
	    cli_symbols_usage, cli_common_usage);
}

struct dump_ctx {
	struct alpcscope_decoder *decoder;
	struct alpcscope_dump_writer *writer;
	struct event_filter filter;
	uint64_t limit;
	uint64_t written;
	uint64_t decode_failures;
	uint64_t read;        /* events read */
	bool window_inverted; /* --from after --to once both are resolved */
	bool filtered;        /* any --filter/--from/--to */
};

/* Relative --from/--to values count from the trace start, known once the trace is open. */
static void
on_open(void *vctx, const struct alpcscope_reader *reader)
{
	struct dump_ctx *c = vctx;

	event_filter_bind(&c->filter, alpcscope_reader_info(reader)->start_filetime);
	c->window_inverted =
	    c->filter.has_from && c->filter.has_to && c->filter.from_ft > c->filter.to_ft;
}

static enum alpcscope_status
on_event(void *vctx, const struct alpcscope_event *ev, struct alpcscope_error *err)
{
	struct dump_ctx *c = vctx;
	const struct alpcscope_decoded *d = NULL;
	enum alpcscope_status st;

	if ((c->limit && c->written >= c->limit) || c->window_inverted)
		return ALPCSCOPE_END;
	c->read++;
	st = alpcscope_decode(c->decoder, ev, &d, NULL);
	if (st == ALPCSCOPE_E_NOMEM)
		return st;
	if (st != ALPCSCOPE_OK)
		c->decode_failures++;
	if (!event_filter_match(&c->filter, ev, d))
		return ALPCSCOPE_OK;
	c->written++;
	return alpcscope_dump_writer_event(c->writer, ev, d, err);
}

int
cmd_dump(int argc, char **argv)
{
	const char *path = NULL, *format = "text";
	struct dump_ctx c;
	struct cli_read cr;
	struct alpcscope_reader *reader = NULL;
	struct alpcscope_error err;
	enum alpcscope_dump_format fmt;
	char why[200];
	int rc;
	const char *manifests[DUMP_MAX_MANIFESTS];
	bool man_is_dir[DUMP_MAX_MANIFESTS];
	size_t nman = 0;
	bool csv_raw = false;
	struct alpcscope_schema_set *schemas = NULL;
	bool builtin_manifests = true;
	size_t payload_bytes = 0;
	struct cli_symbols syms = {0};
	struct alpcscope_symbolizer *symbolizer = NULL;
	struct alpcscope_model *model = NULL;

	memset(&c, 0, sizeof(c));
	memset(&cr, 0, sizeof(cr));
	for (int i = 1; i < argc; i++) {
		const char *v;

		if (cli_opt(argv[i], "--format", &v, &i, argc, argv) ||
		    cli_opt(argv[i], "-f", &v, &i, argc, argv)) {
			format = v;
		} else if (cli_opt(argv[i], "--filter", &v, &i, argc, argv)) {
			if (!event_filter_add(&c.filter, v, why, sizeof(why))) {
				fprintf(stderr, "alpcscope dump: --filter: %s\n", why);
				return EXIT_USAGE;
			}
			c.filtered = true;
		} else if (cli_opt(argv[i], "--from", &v, &i, argc, argv) ||
			   cli_opt(argv[i], "--to", &v, &i, argc, argv)) {
			if (!event_filter_set_time(
				&c.filter,
				strncmp(argv[i], "--from", 6) == 0 ||
				    (i > 0 && strcmp(argv[i - 1], "--from") == 0),
				v)) {
				fprintf(
				    stderr,
				    "alpcscope dump: bad time '%s' (ISO-8601 UTC or seconds from "
				    "trace start)\n",
				    v);
				return EXIT_USAGE;
			}
			c.filtered = true;
		} else if (cli_opt(argv[i], "--limit", &v, &i, argc, argv)) {
			char *end;
			c.limit = strtoull(v, &end, 10);
			if (*end || !*v || *v < '0' || *v > '9' || !c.limit) {
				fprintf(stderr,
					"alpcscope dump: bad --limit '%s' (a number of events, at "
					"least 1)\n",
					v);
				return EXIT_USAGE;
			}
		} else if (cli_opt(argv[i], "--manifest", &v, &i, argc, argv) ||
			   cli_opt(argv[i], "--manifest-dir", &v, &i, argc, argv)) {
			if (nman == DUMP_MAX_MANIFESTS) {
				fprintf(stderr, "alpcscope dump: more than %d manifest options\n",
					DUMP_MAX_MANIFESTS);
				return EXIT_USAGE;
			}
			man_is_dir[nman] = strstr(argv[i], "--manifest-dir") == argv[i] ||
					   (i > 0 && strcmp(argv[i - 1], "--manifest-dir") == 0);
			manifests[nman++] = v;
		} else if (strcmp(argv[i], "--no-builtin-manifests") == 0) {
			builtin_manifests = false;
		} else if (cli_opt(argv[i], "--payload-bytes", &v, &i, argc, argv)) {
			char *end;
			unsigned long long n = strtoull(v, &end, 10);

			if (*end || *v < '0' || *v > '9' || !n || n > SIZE_MAX) {
				fprintf(
				    stderr,
				    "alpcscope dump: bad --payload-bytes '%s' (a number of bytes, "
				    "at least 1)\n",
				    v);
				return EXIT_USAGE;
			}
			payload_bytes = (size_t)n;
		} else if (strcmp(argv[i], "--file-order") == 0) {
			cr.file_order = true;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--csv-raw") == 0) {
			csv_raw = true;
		} else if (cli_symbols_parse_arg(&syms, argc, argv, &i)) {
			continue;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "alpcscope dump: unknown option '%s'\n", argv[i]);
			return EXIT_USAGE;
		} else if (!path) {
			path = argv[i];
		} else {
			fprintf(stderr, "alpcscope dump: more than one trace given\n");
			return EXIT_USAGE;
		}
	}
	if (!path) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(format, "text") == 0) {
		fmt = ALPCSCOPE_DUMP_TEXT;
	} else if (strcmp(format, "jsonl") == 0 || strcmp(format, "json") == 0) {
		fmt = ALPCSCOPE_DUMP_JSONL;
	} else if (strcmp(format, "csv") == 0) {
		fmt = ALPCSCOPE_DUMP_CSV;
	} else if (strcmp(format, "xml") == 0) {
		fmt = ALPCSCOPE_DUMP_XML;
	} else {
		fprintf(stderr, "alpcscope dump: unknown format '%s' (text, jsonl, csv, xml)\n",
			format);
		return EXIT_USAGE;
	}
	memset(&err, 0, sizeof(err));
	if (alpcscope_decoder_new(&c.decoder, &err) != ALPCSCOPE_OK ||
	    alpcscope_dump_writer_new(&c.writer, fmt, stdout, &err) != ALPCSCOPE_OK) {
		fprintf(stderr, "alpcscope dump: %s\n", err.message);
		alpcscope_decoder_free(c.decoder);
		return EXIT_UNREADABLE;
	}
	alpcscope_dump_writer_set_payload_limit(c.writer, payload_bytes);
	/* The built-in RPC and WMI-Activity manifests, as chains uses them (schema.h). */
	if (builtin_manifests &&
	    (alpcscope_schema_set_new(&schemas, &err) != ALPCSCOPE_OK ||
	     alpcscope_schema_set_load_builtin(schemas, &err) != ALPCSCOPE_OK ||
	     alpcscope_decoder_set_schemas(c.decoder, schemas, &err) != ALPCSCOPE_OK)) {
		fprintf(stderr, "alpcscope dump: %s\n", err.message);
		alpcscope_dump_writer_free(c.writer);
		alpcscope_decoder_free(c.decoder);
		alpcscope_schema_set_free(schemas);
		return EXIT_UNREADABLE;
	}
	alpcscope_dump_writer_set_csv_raw(c.writer, csv_raw);
	/* Manifests: decode their providers' events by schema (schema.h). */
	for (size_t k = 0; k < nman; k++) {
		if ((!schemas && alpcscope_schema_set_new(&schemas, &err) != ALPCSCOPE_OK) ||
		    (man_is_dir[k]
			 ? alpcscope_schema_set_load_manifest_dir(schemas, manifests[k], &err)
			 : alpcscope_schema_set_load_manifest(schemas, manifests[k], &err)) !=
			ALPCSCOPE_OK ||
		    alpcscope_decoder_set_schemas(c.decoder, schemas, &err) != ALPCSCOPE_OK) {
			fprintf(stderr, "alpcscope dump: %s\n", err.message);
			alpcscope_dump_writer_free(c.writer);
			alpcscope_decoder_free(c.decoder);
			alpcscope_schema_set_free(schemas);
			return EXIT_USAGE;
		}
	}
	symbolizer = cli_symbols_open(&syms, "dump");
	if (symbolizer) {
		struct alpcscope_model_options mo = ALPCSCOPE_MODEL_OPTIONS_INIT;
		int64_t start, end;

		/* The image maps come from the whole trace: a first pass. */
		cli_analyse("dump", path, &mo, &model, &start, &end);
		if (model)
			alpcscope_dump_writer_set_symbols(c.writer, model, symbolizer);
	}
	cr.path = path;
	cr.on_open = on_open;
	rc = cli_read_trace(&cr, on_event, &c, &reader);
	if (alpcscope_dump_writer_flush(c.writer, &err) != ALPCSCOPE_OK || fflush(stdout) != 0) {
		fprintf(stderr, "alpcscope dump: write failed\n");
		rc = EXIT_UNREADABLE;
	}
	if (c.window_inverted) {
		fprintf(stderr, "alpcscope dump: --from is after --to: the window is empty\n");
		rc = EXIT_USAGE;
	} else if (c.filtered && !c.written && rc != EXIT_UNREADABLE) {
		cli_warn("alpcscope dump: warning: no event of the %llu read matches the "
			 "filters\n",
			 (unsigned long long)c.read);
	}
	if (c.decode_failures)
		fprintf(stderr, "%s: %llu event(s) could not be decoded (shown with raw payload)\n",
			path, (unsigned long long)c.decode_failures);
	if (symbolizer)
		cli_symbols_report(&syms, symbolizer, "dump");
	alpcscope_dump_writer_free(c.writer);
	alpcscope_symbolizer_free(symbolizer);
	alpcscope_model_free(model);
	alpcscope_decoder_free(c.decoder);
	alpcscope_schema_set_free(schemas);
	alpcscope_reader_free(reader);
	return rc;
}
