/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope symbols`: the modules on a trace's stacks and their symbol
 * files (docs/symbols.md §The symbols command). Every frame is symbolized
 * first, so each module's counts say how many of its frames got names.
 */
#include <alpcscope/model.h>
#include <alpcscope/symbols.h>
#include <alpcscope/text.h>

#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"

static enum alpcscope_status
symbolize_all(const struct alpcscope_model *m, struct alpcscope_symbolizer *s, uint64_t *frames,
	      uint64_t *unmapped, struct alpcscope_error *err)
{
	uint32_t n = alpcscope_model_stack_count(m);

	for (uint32_t i = 0; i < n; i++) {
		const struct alpcscope_stack *st = alpcscope_model_stack_at(m, i);

		for (uint32_t f = 0; f < st->frame_count; f++) {
			struct alpcscope_frame_symbol fs;
			enum alpcscope_status rc = alpcscope_symbolize(
			    s, m, st->process, st->frames[f], st->filetime_100ns, &fs, err);

			if (rc != ALPCSCOPE_OK)
				return rc;
			(*frames)++;
			*unmapped += fs.module == NULL;
		}
	}
	return ALPCSCOPE_OK;
}

static void
guid_text(char out[ALPCSCOPE_GUID_STR_SIZE], const struct alpcscope_module_symbol_info *mi)
{
	alpcscope_guid_format(out, &mi->pdb_guid);
}

static void
write_text(const struct alpcscope_symbolizer *s, const char *trace_path, uint64_t frames,
	   uint64_t unmapped, FILE *out)
{
	size_t n = alpcscope_symbolizer_module_count(s);
	size_t missing = 0;

	fprintf(out,
		"# alpcscope symbols%s%s: %zu modules on stacks, %" PRIu64 " frames (%" PRIu64
		" outside every image)\n",
		trace_path ? " " : "", trace_path ? trace_path : "", n, frames, unmapped);
	for (size_t i = 0; i < n; i++) {
		struct alpcscope_module_symbol_info mi;
		char g[ALPCSCOPE_GUID_STR_SIZE];

		if (alpcscope_symbolizer_module_at(s, i, &mi) != ALPCSCOPE_OK)
			continue;
		char t1[512], t2[512];

		/* Module and PDB names come from the trace: shown as safe text. */
		fprintf(out, "\n%s: %s\n", alpcscope_safe_text(t1, sizeof(t1), mi.module),
			alpcscope_module_symbols_name(mi.status));
		if (mi.has_pdb_id) {
			guid_text(g, &mi);
			fprintf(out, "  pdb:        %s  guid %s  age %" PRIu32 "\n",
				alpcscope_safe_text(t1, sizeof(t1), mi.pdb_name), g, mi.pdb_age);
			fprintf(out, "  store path: %s\n",
				alpcscope_safe_text(t2, sizeof(t2), mi.store_path));
		} else {
			fprintf(out, "  pdb:        unknown (no DbgID record in the trace)\n");
		}
		if (mi.file)
			fprintf(out, "  file:       %s\n",
				alpcscope_safe_text(t1, sizeof(t1), mi.file));
		if (mi.detail)
			fprintf(out, "  detail:     %s\n",
				alpcscope_safe_text(t2, sizeof(t2), mi.detail));
		fprintf(out, "  frames:     %" PRIu64 " (%" PRIu64 " named)\n", mi.frames,
			mi.frames_named);
		missing += mi.status != ALPCSCOPE_MODSYM_FOUND && mi.has_pdb_id;
	}
	if (!missing)
		return;
	fprintf(out, "\n# PDBs to fetch (symbol-store paths):\n");
	for (size_t i = 0; i < n; i++) {
		struct alpcscope_module_symbol_info mi;

		if (alpcscope_symbolizer_module_at(s, i, &mi) == ALPCSCOPE_OK && mi.has_pdb_id &&
		    mi.status != ALPCSCOPE_MODSYM_FOUND) {
			char t[512];

			fprintf(out, "%s\n", alpcscope_safe_text(t, sizeof(t), mi.store_path));
		}
	}
}

static json_object *
jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static bool
write_json(const struct alpcscope_symbolizer *s, const char *trace_path, uint64_t frames,
	   uint64_t unmapped, FILE *out)
{
	json_object *root = json_object_new_object(), *mods = json_object_new_array();
	size_t n = alpcscope_symbolizer_module_count(s);

	json_object_object_add(root, "trace", jstr(trace_path));
	json_object_object_add(root, "frames", json_object_new_int64((int64_t)frames));
	json_object_object_add(root, "frames_outside_images",
			       json_object_new_int64((int64_t)unmapped));
	for (size_t i = 0; i < n; i++) {
		struct alpcscope_module_symbol_info mi;
		json_object *o;
		char g[ALPCSCOPE_GUID_STR_SIZE];

		if (alpcscope_symbolizer_module_at(s, i, &mi) != ALPCSCOPE_OK)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "module", jstr(mi.module));
		json_object_object_add(
		    o, "status", json_object_new_string(alpcscope_module_symbols_name(mi.status)));
		if (mi.has_pdb_id) {
			guid_text(g, &mi);
			json_object_object_add(o, "pdb_name", jstr(mi.pdb_name));
			json_object_object_add(o, "pdb_guid", json_object_new_string(g));
			json_object_object_add(o, "pdb_age", json_object_new_int64(mi.pdb_age));
			json_object_object_add(o, "store_path", jstr(mi.store_path));
		} else {
			json_object_object_add(o, "pdb_name", NULL);
			json_object_object_add(o, "pdb_guid", NULL);
			json_object_object_add(o, "pdb_age", NULL);
			json_object_object_add(o, "store_path", NULL);
		}
		json_object_object_add(o, "file", jstr(mi.file));
		json_object_object_add(o, "detail", jstr(mi.detail));
		json_object_object_add(o, "frames", json_object_new_int64((int64_t)mi.frames));
		json_object_object_add(o, "frames_named",
				       json_object_new_int64((int64_t)mi.frames_named));
		json_object_array_add(mods, o);
	}
	json_object_object_add(root, "modules", mods);
	const char *text =
	    json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						     JSON_C_TO_STRING_NOSLASHESCAPE);
	bool ok = text && fputs(text, out) >= 0 && fputc('\n', out) != EOF;

	json_object_put(root);
	return ok;
}

enum alpcscope_status
alpcscope_symbols_report_write(const struct alpcscope_model *m, struct alpcscope_symbolizer *s,
			       enum alpcscope_symbols_report_format format, const char *trace_path,
			       FILE *out, struct alpcscope_error *err)
{
	uint64_t frames = 0, unmapped = 0;

	if (!m || !s || !out)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "NULL argument");
	enum alpcscope_status st = symbolize_all(m, s, &frames, &unmapped, err);

	if (st != ALPCSCOPE_OK)
		return st;
	if (format == ALPCSCOPE_SYMBOLS_REPORT_JSON) {
		if (!write_json(s, trace_path, frames, unmapped, out))
			return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "write failed");
	} else {
		write_text(s, trace_path, frames, unmapped, out);
	}
	if (ferror(out))
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "write failed");
	return ALPCSCOPE_OK;
}
