/* SPDX-License-Identifier: MIT */
/* A trace read into a finished model, with its interface database (see analyse.h). */
#include "analyse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static bool
take_interface_file(void *dest, const char *value, char *why, size_t why_size)
{
	struct cli_interfaces *ifs = dest;

	if (ifs->n_files >= CLI_MAX_INTERFACE_FILES) {
		snprintf(why, why_size, "too many --interfaces files");
		return false;
	}
	ifs->files[ifs->n_files++] = value;
	return true;
}

const struct cli_opt cli_interface_opts[] = {
    {.name = "interfaces",
     .kind = CLI_OPT_CALL,
     .value_name = "FILE",
     .take = take_interface_file,
     .repeatable = true,
     .complete = CLI_COMPLETE_FILE,
     .help = "RPC interface names from FILE (alpcscope, RPCMon or Akamai\nJSON; repeatable; "
	     "later files win; docs/interface-db.md)"},
    {.name = "no-builtin-interfaces",
     .kind = CLI_OPT_FLAG,
     CLI_DEST(struct cli_interfaces, no_builtin),
     .help = "do not load the built-in interface database"},
    {0},
};

static bool
take_expiry(void *dest, const char *value, char *why, size_t why_size)
{
	struct alpcscope_model_options *opt = dest;
	char *end;

	errno = 0;
	double v = strtod(value, &end);

	if (errno || end == value || *end || v < 0 || v > 1e6) {
		snprintf(why, why_size, "bad --expire '%s' (seconds, 0 = never)", value);
		return false;
	}
	opt->pending_expiry_100ns = (int64_t)(v * 1e7);
	return true;
}

const struct cli_opt cli_expiry_opts[] = {
    {.name = "expire",
     .kind = CLI_OPT_CALL,
     .value_name = "SECONDS",
     .take = take_expiry,
     .help = "pending-send expiry window (default 60, 0 = never)"},
    {0},
};

static enum alpcscope_status
add_to_model(void *ctx, const struct alpcscope_event *ev, struct alpcscope_error *err)
{
	return alpcscope_model_add_event(ctx, ev, err);
}

/* The interface database: built-in (unless --no-builtin-interfaces), then --interfaces files. */
static bool
load_interfaces(const char *cmd, const struct cli_interfaces *ifs,
		struct alpcscope_interface_db **out)
{
	struct alpcscope_error err;

	memset(&err, 0, sizeof(err));
	if (alpcscope_interface_db_new(out, &err) != ALPCSCOPE_OK ||
	    ((!ifs || !ifs->no_builtin) &&
	     alpcscope_interface_db_load_builtin(*out, &err) != ALPCSCOPE_OK)) {
		fprintf(stderr, "alpcscope %s: %s\n", cmd, err.message);
		return false;
	}
	for (size_t k = 0; ifs && k < ifs->n_files; k++)
		if (alpcscope_interface_db_load_file(*out, ifs->files[k], ALPCSCOPE_IFDB_AUTO,
						     &err) != ALPCSCOPE_OK) {
			fprintf(stderr, "alpcscope %s: interface database %s\n", cmd, err.message);
			return false;
		}
	return true;
}

/* What the trace lost, and where, for the model's statistics and near-loss evidence. */
static bool
note_loss(struct alpcscope_model *m, const struct alpcscope_reader *reader)
{
	const struct alpcscope_trace_info *info = alpcscope_reader_info(reader);
	struct alpcscope_loss_window w;

	alpcscope_model_set_loss(m, info->events_lost, info->buffers_lost,
				 alpcscope_reader_stats(reader)->sequence_gaps);
	for (uint32_t i = 0; alpcscope_reader_loss_window_at(reader, i, &w); i++)
		if (alpcscope_model_add_loss_window(m, w.start_filetime_100ns,
						    w.end_filetime_100ns) == ALPCSCOPE_E_NOMEM)
			return false;
	return true;
}

/* Say why the result is empty rather than leave an analyst guessing. */
static void
warn_without_alpc(const struct alpcscope_model *m, const char *path)
{
	const struct alpcscope_model_stats *ms = alpcscope_model_stats(m);

	if (ms->alpc_sends + ms->alpc_receives + ms->alpc_wait_for_reply +
		ms->alpc_wait_for_new_message + ms->alpc_unwaits + ms->alpc_other ==
	    0)
		cli_warn(
		    "%s: the trace has no ALPC events (recorded without the kernel ALPC flag); "
		    "`alpcscope info` shows what it has, `alpcscope profile` writes a WPR "
		    "profile that records them\n",
		    path);
}

void
cli_analysis_free(struct cli_analysis *a)
{
	alpcscope_model_free(a->model);
	a->model = NULL;
	alpcscope_interface_db_free(a->interfaces);
	a->interfaces = NULL;
}

int
cli_analyse(const char *cmd, const char *path, const struct alpcscope_model_options *opt,
	    const struct cli_interfaces *ifs, struct cli_analysis *out)
{
	struct alpcscope_model *m = NULL;
	struct alpcscope_reader *reader = NULL;
	struct alpcscope_error err;
	struct cli_read cr;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&err, 0, sizeof(err));
	if (alpcscope_model_new(&m, opt, &err) != ALPCSCOPE_OK) {
		fprintf(stderr, "alpcscope %s: %s\n", cmd, err.message);
		return EXIT_UNREADABLE;
	}
	if (!load_interfaces(cmd, ifs, &out->interfaces)) {
		alpcscope_model_free(m);
		cli_analysis_free(out);
		return EXIT_USAGE;
	}
	alpcscope_model_set_interfaces(m, out->interfaces);
	memset(&cr, 0, sizeof(cr));
	cr.path = path;
	rc = cli_read_trace(&cr, add_to_model, m, &reader);
	if (!reader && (!cr.is_xml || rc == EXIT_UNREADABLE)) {
		alpcscope_model_free(m);
		cli_analysis_free(out);
		return rc;
	}
	out->trace_start =
	    reader ? alpcscope_reader_info(reader)->start_filetime : cr.xml_info.start_filetime;
	out->trace_end =
	    reader ? alpcscope_reader_info(reader)->end_filetime : cr.xml_info.end_filetime;
	bool lost_noted = !reader || note_loss(m, reader);

	alpcscope_reader_free(reader);
	if (!lost_noted) {
		fprintf(stderr, "alpcscope %s: out of memory\n", cmd);
		rc = EXIT_UNREADABLE;
	} else if (alpcscope_model_finish(m, &err) != ALPCSCOPE_OK) {
		fprintf(stderr, "alpcscope %s: %s\n", cmd, err.message);
		rc = EXIT_UNREADABLE;
	} else {
		warn_without_alpc(m, path);
		out->model = m;
		m = NULL;
	}
	alpcscope_model_free(m);
	if (!out->model)
		cli_analysis_free(out);
	return rc;
}
