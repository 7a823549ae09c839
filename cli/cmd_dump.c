/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope dump TRACE [options]` (the options: dump_opts below): every
 * event, decoded fields by name; with symbols, a StackWalk's frames named
 * in a "Symbols" field (a first pass builds the image maps).
 */
#include "analyse.h"
#include "cli.h"
#include "event_filter.h"
#include "symbols_opt.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --manifest / --manifest-dir options kept per invocation. */
#define DUMP_MAX_MANIFESTS 32

struct dump_manifests {
	const char *paths[DUMP_MAX_MANIFESTS];
	bool is_dir[DUMP_MAX_MANIFESTS];
	size_t n;
};

/* The options of `dump`, where its option tables put them. */
struct dump_args {
	int format;                 /* enum alpcscope_dump_format */
	struct event_filter filter; /* --filter, --from, --to */
	uint64_t limit;
	size_t payload_bytes;
	bool file_order, csv_raw, no_builtin_manifests;
	struct dump_manifests manifests;
	struct cli_symbols symbols;
};

static const struct cli_choice formats[] = {
    {"text", ALPCSCOPE_DUMP_TEXT, false}, {"jsonl", ALPCSCOPE_DUMP_JSONL, false},
    {"json", ALPCSCOPE_DUMP_JSONL, true}, {"csv", ALPCSCOPE_DUMP_CSV, false},
    {"xml", ALPCSCOPE_DUMP_XML, false},   {NULL, 0, false},
};

static bool
take_filter(void *dest, const char *value, char *why, size_t why_size)
{
	char reason[200];

	if (event_filter_add(dest, value, reason, sizeof(reason)))
		return true;
	snprintf(why, why_size, "--filter: %s", reason);
	return false;
}

static bool
add_manifest(struct dump_manifests *m, const char *path, bool is_dir, char *why, size_t why_size)
{
	if (m->n == DUMP_MAX_MANIFESTS) {
		snprintf(why, why_size, "more than %d manifest options", DUMP_MAX_MANIFESTS);
		return false;
	}
	m->is_dir[m->n] = is_dir;
	m->paths[m->n++] = path;
	return true;
}

static bool
take_manifest(void *dest, const char *value, char *why, size_t why_size)
{
	return add_manifest(dest, value, false, why, why_size);
}

static bool
take_manifest_dir(void *dest, const char *value, char *why, size_t why_size)
{
	return add_manifest(dest, value, true, why, why_size);
}

static const struct cli_opt dump_opts[] = {
    CLI_FORMAT_OPTION(struct dump_args, format, formats,
		      "text (default), jsonl (json), csv or xml (tracerpt's\nWindows event XML)"),
    {.name = "filter",
     .kind = CLI_OPT_CALL,
     .offset = offsetof(struct dump_args, filter),
     .value_name = "EXPR",
     .take = take_filter,
     .repeatable = true,
     .help = "key=value / key!=value terms, comma separated, 'a|b'\nalternatives, 'prefix*'; "
	     "keys pid tid cpu group opcode\nid version provider event kind; repeatable (all "
	     "hold)"},
    {.name = "from",
     .kind = CLI_OPT_TIME,
     CLI_DEST(struct dump_args, filter.from),
     .value_name = "TIME"},
    {.name = "to",
     .kind = CLI_OPT_TIME,
     CLI_DEST(struct dump_args, filter.to),
     .value_name = "TIME",
     .help = "time window: ISO-8601 UTC or seconds from trace start"},
    {.name = "limit",
     .kind = CLI_OPT_UINT,
     CLI_DEST(struct dump_args, limit),
     .value_name = "N",
     .min = 1,
     .max = UINT64_MAX,
     .range = "a number of events, at least 1",
     .help = "stop after N events (N > 0)"},
    {.name = "file-order",
     .kind = CLI_OPT_FLAG,
     CLI_DEST(struct dump_args, file_order),
     .help = "events in file (buffer) order, not merged by time"},
    {.name = "manifest",
     .kind = CLI_OPT_CALL,
     .offset = offsetof(struct dump_args, manifests),
     .value_name = "FILE.man",
     .take = take_manifest,
     .repeatable = true,
     .complete = CLI_COMPLETE_FILE,
     .help = "decode that provider's events by its manifest;\nrepeatable"},
    {.name = "manifest-dir",
     .kind = CLI_OPT_CALL,
     .offset = offsetof(struct dump_args, manifests),
     .value_name = "DIR",
     .take = take_manifest_dir,
     .repeatable = true,
     .complete = CLI_COMPLETE_DIR,
     .help = "every *.man in DIR; repeatable"},
    {.name = "no-builtin-manifests",
     .kind = CLI_OPT_FLAG,
     CLI_DEST(struct dump_args, no_builtin_manifests),
     .help = "do not decode by the built-in RPC and WMI-Activity\nmanifests"},
    {.name = "payload-bytes",
     .kind = CLI_OPT_UINT,
     CLI_DEST(struct dump_args, payload_bytes),
     .value_name = "N",
     .min = 1,
     .max = SIZE_MAX,
     .range = "a number of bytes, at least 1",
     .help = "show raw payloads and byte fields up to N bytes of hex"},
    {0},
};

static const struct cli_opt_group groups[] = {
    {.opts = dump_opts},
    {.opts = cli_csv_raw_opts, .offset = offsetof(struct dump_args, csv_raw)},
    {.opts = cli_symbols_opts, .offset = offsetof(struct dump_args, symbols)},
    CLI_HELP_GROUP,
    CLI_COMMON_GROUP,
    {0},
};

struct dump_ctx {
	struct dump_args args;
	struct alpcscope_decoder *decoder;
	struct alpcscope_dump_writer *writer;
	struct alpcscope_schema_set *schemas;
	struct alpcscope_symbolizer *symbolizer; /* --symbols: StackWalk frames named */
	struct cli_analysis analysis;            /* and the image maps they need */
	uint64_t written;
	uint64_t decode_failures;
	uint64_t read;        /* events read */
	bool window_inverted; /* --from after --to once both are resolved */
};

/* Relative --from/--to values count from the trace start, known once the trace is open. */
static void
on_open(void *vctx, const struct alpcscope_reader *reader)
{
	struct dump_ctx *c = vctx;
	struct event_filter *f = &c->args.filter;

	event_filter_bind(f, alpcscope_reader_info(reader)->start_filetime);
	c->window_inverted = f->from.text && f->to.text && f->from_ft > f->to_ft;
}

static enum alpcscope_status
on_event(void *vctx, const struct alpcscope_event *ev, struct alpcscope_error *err)
{
	struct dump_ctx *c = vctx;
	const struct alpcscope_decoded *d = NULL;
	enum alpcscope_status st;

	if ((c->args.limit && c->written >= c->args.limit) || c->window_inverted)
		return ALPCSCOPE_END;
	c->read++;
	st = alpcscope_decode(c->decoder, ev, &d, NULL);
	if (st == ALPCSCOPE_E_NOMEM)
		return st;
	if (st != ALPCSCOPE_OK)
		c->decode_failures++;
	if (!event_filter_match(&c->args.filter, ev, d))
		return ALPCSCOPE_OK;
	c->written++;
	return alpcscope_dump_writer_event(c->writer, ev, d, err);
}

/* Manifests: decode their providers' events by schema (schema.h). */
static bool
load_manifests(struct dump_ctx *c, struct alpcscope_error *err)
{
	const struct dump_manifests *m = &c->args.manifests;

	for (size_t k = 0; k < m->n; k++)
		if ((!c->schemas && alpcscope_schema_set_new(&c->schemas, err) != ALPCSCOPE_OK) ||
		    (m->is_dir[k]
			 ? alpcscope_schema_set_load_manifest_dir(c->schemas, m->paths[k], err)
			 : alpcscope_schema_set_load_manifest(c->schemas, m->paths[k], err)) !=
			ALPCSCOPE_OK ||
		    alpcscope_decoder_set_schemas(c->decoder, c->schemas, err) != ALPCSCOPE_OK)
			return false;
	return true;
}

/* Decoder, writer and schemas of the options; an exit code after printing an error, or -1. */
static int
open_decoding(struct dump_ctx *c)
{
	struct alpcscope_error err;

	memset(&err, 0, sizeof(err));
	if (alpcscope_decoder_new(&c->decoder, &err) != ALPCSCOPE_OK ||
	    alpcscope_dump_writer_new(&c->writer, (enum alpcscope_dump_format)c->args.format,
				      stdout, &err) != ALPCSCOPE_OK) {
		fprintf(stderr, "alpcscope dump: %s\n", err.message);
		return EXIT_UNREADABLE;
	}
	alpcscope_dump_writer_set_payload_limit(c->writer, c->args.payload_bytes);
	/* The built-in RPC and WMI-Activity manifests, as chains uses them (schema.h). */
	if (!c->args.no_builtin_manifests &&
	    (alpcscope_schema_set_new(&c->schemas, &err) != ALPCSCOPE_OK ||
	     alpcscope_schema_set_load_builtin(c->schemas, &err) != ALPCSCOPE_OK ||
	     alpcscope_decoder_set_schemas(c->decoder, c->schemas, &err) != ALPCSCOPE_OK)) {
		fprintf(stderr, "alpcscope dump: %s\n", err.message);
		return EXIT_UNREADABLE;
	}
	alpcscope_dump_writer_set_csv_raw(c->writer, c->args.csv_raw);
	if (!load_manifests(c, &err)) {
		fprintf(stderr, "alpcscope dump: %s\n", err.message);
		return EXIT_USAGE;
	}
	return -1;
}

/* --symbols: the image maps come from the whole trace, a first pass. */
static void
open_symbols(struct dump_ctx *c, const char *path)
{
	struct alpcscope_model_options mo = ALPCSCOPE_MODEL_OPTIONS_INIT;

	c->symbolizer = cli_symbols_open(&c->args.symbols, "dump");
	if (!c->symbolizer)
		return;
	cli_analyse("dump", path, &mo, NULL, &c->analysis);
	if (c->analysis.model)
		alpcscope_dump_writer_set_symbols(c->writer, c->analysis.model, c->symbolizer);
}

/* After reading: what went wrong, what matched nothing, what could not be decoded. */
static int
report_end(struct dump_ctx *c, const char *path, int rc)
{
	struct alpcscope_error err;
	const struct event_filter *f = &c->args.filter;
	bool filtered = f->nterms || f->from.text || f->to.text;

	memset(&err, 0, sizeof(err));
	if (alpcscope_dump_writer_flush(c->writer, &err) != ALPCSCOPE_OK || fflush(stdout) != 0) {
		fprintf(stderr, "alpcscope dump: write failed\n");
		rc = EXIT_UNREADABLE;
	}
	if (c->window_inverted) {
		fprintf(stderr, "alpcscope dump: --from is after --to: the window is empty\n");
		rc = EXIT_USAGE;
	} else if (filtered && !c->written && rc != EXIT_UNREADABLE) {
		cli_warn("alpcscope dump: warning: no event of the %llu read matches the "
			 "filters\n",
			 (unsigned long long)c->read);
	}
	if (c->decode_failures)
		fprintf(stderr, "%s: %llu event(s) could not be decoded (shown with raw payload)\n",
			path, (unsigned long long)c->decode_failures);
	if (c->symbolizer)
		cli_symbols_report(&c->args.symbols, c->symbolizer, "dump");
	return rc;
}

static void
dump_free(struct dump_ctx *c)
{
	alpcscope_dump_writer_free(c->writer);
	alpcscope_symbolizer_free(c->symbolizer);
	cli_analysis_free(&c->analysis);
	alpcscope_decoder_free(c->decoder);
	alpcscope_schema_set_free(c->schemas);
}

static int
run(const struct cli_command *cmd, int argc, char **argv)
{
	const char *path = NULL;
	struct dump_ctx c;
	struct cli_read cr;
	struct alpcscope_reader *reader = NULL;
	int rc;

	memset(&c, 0, sizeof(c));
	memset(&cr, 0, sizeof(cr));
	c.args.format = ALPCSCOPE_DUMP_TEXT;
	rc = cli_parse(cmd, argc, argv, &c.args, &path);
	if (rc == CLI_PARSED)
		rc = open_decoding(&c);
	if (rc != -1) {
		dump_free(&c);
		return rc;
	}
	/* An XML dump has no open callback: absolute bounds hold, relative ones from 0. */
	event_filter_bind(&c.args.filter, 0);
	open_symbols(&c, path);
	cr.path = path;
	cr.on_open = on_open;
	cr.file_order = c.args.file_order;
	rc = cli_read_trace(&cr, on_event, &c, &reader);
	rc = report_end(&c, path, rc);
	dump_free(&c);
	alpcscope_reader_free(reader);
	return rc;
}

const struct cli_command cli_cmd_dump = {
    .name = "dump",
    .summary = "every event with its decoded fields (text, jsonl, csv, xml)",
    .operand = "TRACE.etl",
    .groups = groups,
    .run = run,
};
