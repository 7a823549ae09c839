/* SPDX-License-Identifier: MIT */
/*
 * Frames to names (docs/symbols.md §Matching): each image of a model maps
 * to one cached module entry, keyed by its PDB identity (GUID, age, PDB
 * name) or, without one, by module name, time stamp and size. An entry is
 * searched for on the symbol path once, on first use: a PDB is taken only
 * when its GUID and age match; failing that, the PE binary's exports. The
 * PDB's tables are built on the first frame in that module and evicted
 * least-recently-used first when the tables outgrow the memory budget.
 */
#include <alpcscope/model.h>
#include <alpcscope/symbols.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis/symbol_path.h"
#include "decode/pdb.h"
#include "decode/pe_image.h"
#include "util/error.h"

#define DEFAULT_MEMORY_LIMIT ((size_t)1 << 30)

struct sym_module {
	/* key */
	bool has_id;
	struct alpcscope_guid guid;
	uint32_t age;
	char *pdb_name; /* base name of the PDB */
	char *module;
	uint32_t stamp;
	uint64_t size;
	/* search result */
	bool searched;
	enum alpcscope_module_symbols status;
	char *file;     /* the PDB used, else the binary */
	char *pdb_file; /* the PDB used, for re-opening after eviction */
	char *detail;
	char store_path[512];
	bool mismatch_seen, damaged_seen;
	struct pdb_file *pdb;
	bool pdb_loaded;
	struct pe_image pe;
	bool has_pe;
	uint64_t last_use;
	size_t memory;
	uint64_t frames, frames_named;
};

/*
 * An image's module. The image's own base, size and process are kept to see
 * that the entry still describes it: another model can reuse the address of
 * a freed one.
 */
struct image_mod {
	uint32_t mod1; /* module index + 1; 0 = not mapped yet */
	uint32_t process;
	uint64_t base, size;
};

struct alpcscope_symbolizer {
	struct symbol_path path;
	size_t limit, used;
	uint64_t clock;
	bool publics_only;
	struct sym_module **mods;
	size_t nmods, cap_mods;
	const struct alpcscope_model *model;
	struct image_mod *image_mod; /* per image of @c model */
	uint32_t nimage_mod;
};

const char *
alpcscope_symbol_source_name(enum alpcscope_symbol_source source)
{
	switch (source) {
	case ALPCSCOPE_SYMBOL_NONE: return "none";
	case ALPCSCOPE_SYMBOL_PDB_PROCEDURE: return "pdb-procedure";
	case ALPCSCOPE_SYMBOL_PDB_PUBLIC: return "pdb-public";
	case ALPCSCOPE_SYMBOL_EXPORT: return "export";
	}
	return "none";
}

const char *
alpcscope_module_symbols_name(enum alpcscope_module_symbols status)
{
	switch (status) {
	case ALPCSCOPE_MODSYM_FOUND: return "found";
	case ALPCSCOPE_MODSYM_EXPORTS: return "exports";
	case ALPCSCOPE_MODSYM_MISSING: return "missing";
	case ALPCSCOPE_MODSYM_MISMATCH: return "mismatch";
	case ALPCSCOPE_MODSYM_DAMAGED: return "damaged";
	case ALPCSCOPE_MODSYM_NO_IDENTITY: return "no-identity";
	case ALPCSCOPE_MODSYM_COUNT: break;
	}
	return "unknown";
}

enum alpcscope_status
alpcscope_symbolizer_new(struct alpcscope_symbolizer **out,
			 const struct alpcscope_symbolizer_options *options,
			 struct alpcscope_error *err)
{
	if (!out || (options && options->version != ALPCSCOPE_SYMBOLIZER_OPTIONS_VERSION))
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 out ? "unknown symbolizer options version" : "NULL argument");
	struct alpcscope_symbolizer *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s || !symbol_path_parse(&s->path, options ? options->symbol_path : NULL)) {
		free(s);
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	}
	s->limit = options && options->memory_limit ? options->memory_limit : DEFAULT_MEMORY_LIMIT;
	s->publics_only = options && options->publics_only;
	*out = s;
	return ALPCSCOPE_OK;
}

static void
module_free(struct sym_module *mod)
{
	pdb_close(mod->pdb);
	if (mod->has_pe)
		pe_image_free(&mod->pe);
	free(mod->pdb_name);
	free(mod->module);
	free(mod->file);
	free(mod->pdb_file);
	free(mod->detail);
	free(mod);
}

void
alpcscope_symbolizer_free(struct alpcscope_symbolizer *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nmods; i++)
		module_free(s->mods[i]);
	free(s->mods);
	free(s->image_mod);
	symbol_path_free(&s->path);
	free(s);
}

/* The last component of a Windows or POSIX path. */
static const char *
base_name(const char *path)
{
	const char *b = path;

	for (const char *p = path; *p; p++)
		if (*p == '\\' || *p == '/')
			b = p + 1;
	return b;
}

static void set_detail(struct sym_module *mod, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_detail(struct sym_module *mod, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(mod->detail);
	mod->detail = strdup(buf);
}

static void
format_guid_age(char *out, size_t size, const struct alpcscope_guid *g, uint32_t age)
{
	snprintf(out, size, "%08" PRIX32 "%04X%04X%02X%02X%02X%02X%02X%02X%02X%02X%" PRIX32,
		 g->data1, g->data2, g->data3, g->data4[0], g->data4[1], g->data4[2], g->data4[3],
		 g->data4[4], g->data4[5], g->data4[6], g->data4[7], age);
}

static bool
visit_pdb(void *ctx, const char *path)
{
	struct sym_module *mod = ctx;
	struct pdb_file *p = NULL;
	struct alpcscope_error err;

	if (pdb_open(&p, path, &err) != ALPCSCOPE_OK) {
		if (err.offset == ALPCSCOPE_NO_OFFSET)
			set_detail(mod, "%s", err.message);
		else
			set_detail(mod, "%s (at file offset 0x%" PRIx64 ")", err.message,
				   err.offset);
		mod->damaged_seen = true;
		return true;
	}
	const struct pdb_identity *id = pdb_identity(p);

	if (!alpcscope_guid_equal(&id->guid, &mod->guid) || id->age != mod->age) {
		char want[64], got[64];

		format_guid_age(want, sizeof(want), &mod->guid, mod->age);
		format_guid_age(got, sizeof(got), &id->guid, id->age);
		set_detail(mod, "%s has GUID+age %s, the image needs %s", path, got, want);
		mod->mismatch_seen = true;
		pdb_close(p);
		return true;
	}
	mod->pdb = p;
	mod->pdb_file = strdup(path);
	return false;
}

static bool
visit_pe(void *ctx, const char *path)
{
	struct sym_module *mod = ctx;
	struct alpcscope_error err;
	struct pe_image pe;

	if (pe_image_open(&pe, path, &err) != ALPCSCOPE_OK) {
		if (!mod->detail)
			set_detail(mod, "%s", err.message);
		mod->damaged_seen = true;
		return true;
	}
	if ((mod->stamp && pe.time_date_stamp != mod->stamp) ||
	    (mod->size && pe.size_of_image != mod->size) ||
	    (mod->has_id && pe.has_rsds &&
	     (!alpcscope_guid_equal(&pe.pdb_guid, &mod->guid) || pe.pdb_age != mod->age))) {
		set_detail(mod,
			   "%s is another build (time stamp 0x%" PRIx32 ", size 0x%" PRIx32 ")",
			   path, pe.time_date_stamp, pe.size_of_image);
		mod->mismatch_seen = true;
		pe_image_free(&pe);
		return true;
	}
	mod->pe = pe;
	mod->has_pe = true;
	free(mod->file);
	mod->file = strdup(path);
	return false;
}

static void
search_pdb(struct alpcscope_symbolizer *s, struct sym_module *mod)
{
	char key[64];

	format_guid_age(key, sizeof(key), &mod->guid, mod->age);
	snprintf(mod->store_path, sizeof(mod->store_path), "%s/%s/%s", mod->pdb_name, key,
		 mod->pdb_name);
	symbol_path_find(&s->path, mod->pdb_name, key, visit_pdb, mod);
}

static void
search(struct alpcscope_symbolizer *s, struct sym_module *mod)
{
	mod->searched = true;
	if (mod->has_id)
		search_pdb(s, mod);
	if (!mod->pdb) {
		char key[64] = "";

		if (mod->stamp && mod->size)
			snprintf(key, sizeof(key), "%08" PRIX32 "%" PRIx64, mod->stamp, mod->size);
		symbol_path_find(&s->path, mod->module, key[0] ? key : NULL, visit_pe, mod);
		if (mod->has_pe && !mod->has_id && mod->pe.has_rsds) {
			/* The binary names its PDB: look for that. */
			const char *pn = base_name(mod->pe.pdb_name);

			if (pn[0] && (mod->pdb_name = strdup(pn)) != NULL) {
				mod->has_id = true;
				mod->guid = mod->pe.pdb_guid;
				mod->age = mod->pe.pdb_age;
				search_pdb(s, mod);
			}
		}
	}
	if (mod->pdb) {
		mod->status = ALPCSCOPE_MODSYM_FOUND;
		free(mod->file);
		mod->file = strdup(mod->pdb_file);
		free(mod->detail);
		mod->detail = NULL;
	} else if (mod->has_pe) {
		mod->status = ALPCSCOPE_MODSYM_EXPORTS;
	} else if (mod->mismatch_seen) {
		mod->status = ALPCSCOPE_MODSYM_MISMATCH;
	} else if (mod->damaged_seen) {
		mod->status = ALPCSCOPE_MODSYM_DAMAGED;
	} else {
		mod->status = mod->has_id ? ALPCSCOPE_MODSYM_MISSING : ALPCSCOPE_MODSYM_NO_IDENTITY;
	}
}

static struct sym_module *
module_for_image(struct alpcscope_symbolizer *s, const struct alpcscope_model *m, uint32_t image)
{
	const struct alpcscope_image_entry *im = alpcscope_model_image_at(m, image);

	if (!im)
		return NULL;
	if (s->model != m || s->nimage_mod != alpcscope_model_image_count(m)) {
		free(s->image_mod);
		s->nimage_mod = alpcscope_model_image_count(m);
		s->image_mod = calloc(s->nimage_mod ? s->nimage_mod : 1, sizeof(*s->image_mod));
		s->model = s->image_mod ? m : NULL;
		if (!s->image_mod)
			return NULL;
	}
	struct image_mod *slot = &s->image_mod[image];

	if (slot->mod1 && slot->base == im->base && slot->size == im->size &&
	    slot->process == im->process)
		return s->mods[slot->mod1 - 1];
	slot->mod1 = 0;
	slot->base = im->base;
	slot->size = im->size;
	slot->process = im->process;
	const char *pdb = im->has_pdb_id && im->pdb_name ? base_name(im->pdb_name) : NULL;
	bool has_id = pdb && pdb[0];

	for (size_t i = 0; i < s->nmods; i++) {
		struct sym_module *x = s->mods[i];
		bool same = has_id
				? x->has_id && alpcscope_guid_equal(&x->guid, &im->pdb_guid) &&
				      x->age == im->pdb_age && strcasecmp(x->pdb_name, pdb) == 0 &&
				      strcasecmp(x->module, im->module) == 0
				: strcasecmp(x->module, im->module) == 0 &&
				      x->stamp == im->time_date_stamp && x->size == im->size;

		if (same) {
			slot->mod1 = (uint32_t)i + 1;
			return x;
		}
	}
	if (s->nmods == s->cap_mods) {
		size_t cap = s->cap_mods ? s->cap_mods * 2 : 16;
		struct sym_module **g = realloc(s->mods, cap * sizeof(*g));

		if (!g)
			return NULL;
		s->mods = g;
		s->cap_mods = cap;
	}
	struct sym_module *mod = calloc(1, sizeof(*mod));

	if (!mod)
		return NULL;
	mod->module = strdup(im->module ? im->module : "");
	mod->pdb_name = has_id ? strdup(pdb) : NULL;
	if (!mod->module || (has_id && !mod->pdb_name)) {
		module_free(mod);
		return NULL;
	}
	mod->has_id = has_id;
	mod->guid = im->pdb_guid;
	mod->age = im->pdb_age;
	mod->stamp = im->time_date_stamp;
	mod->size = im->size;
	s->mods[s->nmods++] = mod;
	s->image_mod[image].mod1 = (uint32_t)s->nmods;
	return mod;
}

/* Drop the least recently used tables until the budget holds (never @p keep's). */
static void
evict(struct alpcscope_symbolizer *s, const struct sym_module *keep)
{
	while (s->used > s->limit) {
		struct sym_module *lru = NULL;

		for (size_t i = 0; i < s->nmods; i++) {
			struct sym_module *x = s->mods[i];

			if (x != keep && x->pdb_loaded && (!lru || x->last_use < lru->last_use))
				lru = x;
		}
		if (!lru)
			return;
		s->used -= lru->memory;
		lru->memory = 0;
		pdb_close(lru->pdb);
		lru->pdb = NULL;
		lru->pdb_loaded = false;
	}
}

/* The PDB tables of @p mod, opened and loaded on demand; NULL when unusable. */
static struct pdb_file *
tables(struct alpcscope_symbolizer *s, struct sym_module *mod)
{
	struct alpcscope_error err;

	if (mod->status != ALPCSCOPE_MODSYM_FOUND)
		return NULL;
	if (!mod->pdb && pdb_open(&mod->pdb, mod->pdb_file, &err) != ALPCSCOPE_OK) {
		set_detail(mod, "%s", err.message);
		mod->status = mod->has_pe ? ALPCSCOPE_MODSYM_EXPORTS : ALPCSCOPE_MODSYM_DAMAGED;
		return NULL;
	}
	if (!mod->pdb_loaded) {
		if (pdb_load_symbols(mod->pdb, &err) != ALPCSCOPE_OK) {
			if (err.offset != ALPCSCOPE_NO_OFFSET)
				set_detail(mod, "%s (at file offset 0x%" PRIx64 ")", err.message,
					   err.offset);
			else
				set_detail(mod, "%s", err.message);
			pdb_close(mod->pdb);
			mod->pdb = NULL;
			mod->status =
			    mod->has_pe ? ALPCSCOPE_MODSYM_EXPORTS : ALPCSCOPE_MODSYM_DAMAGED;
			return NULL;
		}
		mod->pdb_loaded = true;
		mod->memory = pdb_memory_size(mod->pdb);
		s->used += mod->memory;
		evict(s, mod);
	}
	return mod->pdb;
}

enum alpcscope_status
alpcscope_symbolize(struct alpcscope_symbolizer *s, const struct alpcscope_model *m,
		    uint32_t process, uint64_t address, int64_t filetime_100ns,
		    struct alpcscope_frame_symbol *out, struct alpcscope_error *err)
{
	uint64_t off = 0;

	if (!m || !out)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "NULL argument");
	memset(out, 0, sizeof(*out));
	out->address = address;
	out->image = alpcscope_model_resolve_address(m, process, address, filetime_100ns, &off);
	const struct alpcscope_image_entry *im = alpcscope_model_image_at(m, out->image);

	if (!im)
		return ALPCSCOPE_OK;
	out->module = im->module;
	out->module_offset = off;
	if (!s)
		return ALPCSCOPE_OK;
	struct sym_module *mod = module_for_image(s, m, out->image);

	if (!mod)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	if (!mod->searched)
		search(s, mod);
	mod->frames++;
	mod->last_use = ++s->clock;
	if (off > UINT32_MAX)
		return ALPCSCOPE_OK;
	struct pdb_file *p = tables(s, mod);
	struct pdb_match pm;
	unsigned flags = s->publics_only ? PDB_USE_PUBLICS : PDB_USE_PROCEDURES | PDB_USE_PUBLICS;

	if (p && pdb_lookup(p, (uint32_t)off, flags, &pm)) {
		out->function = pm.display;
		out->decorated = pm.name;
		out->function_offset = pm.offset;
		out->source =
		    pm.procedure ? ALPCSCOPE_SYMBOL_PDB_PROCEDURE : ALPCSCOPE_SYMBOL_PDB_PUBLIC;
		out->shared_names = pm.shared_count;
	} else if (!p && mod->has_pe) {
		const struct pe_export *x = pe_image_export_at(&mod->pe, (uint32_t)off);

		if (x && x->name[0]) {
			out->function = x->display;
			out->decorated = x->name;
			out->function_offset = off - x->rva;
			out->source = ALPCSCOPE_SYMBOL_EXPORT;
		}
	}
	if (out->function)
		mod->frames_named++;
	return ALPCSCOPE_OK;
}

const char *
alpcscope_symbolizer_format_frame(struct alpcscope_symbolizer *s, const struct alpcscope_model *m,
				  const struct alpcscope_stack *stack, uint32_t frame,
				  struct alpcscope_frame_symbol *sym, char *out, size_t size)
{
	struct alpcscope_frame_symbol local;

	if (!sym)
		sym = &local;
	memset(sym, 0, sizeof(*sym));
	if (!out || !size)
		return out;
	if (!stack || frame >= stack->frame_count) {
		snprintf(out, size, "?");
		return out;
	}
	sym->image = ALPCSCOPE_NONE;
	if (alpcscope_symbolize(s, m, stack->process, stack->frames[frame], stack->filetime_100ns,
				sym, NULL) != ALPCSCOPE_OK) {
		sym->function = NULL;
	}
	char offset[24] = "", note[40] = "";

	if (sym->function && sym->function_offset)
		snprintf(offset, sizeof(offset), "+0x%" PRIx64, sym->function_offset);
	/* Say when the name is a guess, or one of several the linker folded together. */
	if (sym->source == ALPCSCOPE_SYMBOL_EXPORT)
		snprintf(note, sizeof(note), " [export]");
	else if (sym->shared_names)
		snprintf(note, sizeof(note), " [+%" PRIu32 " folded]", sym->shared_names);
	if (!sym->module)
		snprintf(out, size, "0x%" PRIx64, stack->frames[frame]);
	else if (!sym->function)
		snprintf(out, size, "%s!+0x%" PRIx64, sym->module, sym->module_offset);
	else
		snprintf(out, size, "%s!%s%s%s", sym->module, sym->function, offset, note);
	return out;
}

static void
describe(const struct sym_module *mod, struct alpcscope_module_symbol_info *out)
{
	memset(out, 0, sizeof(*out));
	out->module = mod->module;
	out->has_pdb_id = mod->has_id;
	out->pdb_guid = mod->guid;
	out->pdb_age = mod->age;
	out->pdb_name = mod->pdb_name;
	out->store_path = mod->has_id ? mod->store_path : NULL;
	out->status = mod->status;
	out->file = mod->file;
	out->detail = mod->detail;
	out->frames = mod->frames;
	out->frames_named = mod->frames_named;
}

enum alpcscope_status
alpcscope_symbolizer_module(struct alpcscope_symbolizer *s, const struct alpcscope_model *m,
			    uint32_t image, struct alpcscope_module_symbol_info *out,
			    struct alpcscope_error *err)
{
	if (!s || !m || !out || image >= alpcscope_model_image_count(m))
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "NULL argument or image out of range");
	struct sym_module *mod = module_for_image(s, m, image);

	if (!mod)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	if (!mod->searched)
		search(s, mod);
	describe(mod, out);
	return ALPCSCOPE_OK;
}

size_t
alpcscope_symbolizer_module_count(const struct alpcscope_symbolizer *s)
{
	return s ? s->nmods : 0;
}

enum alpcscope_status
alpcscope_symbolizer_module_at(const struct alpcscope_symbolizer *s, size_t index,
			       struct alpcscope_module_symbol_info *out)
{
	if (!s || !out || index >= s->nmods)
		return ALPCSCOPE_E_INVALID_ARG;
	describe(s->mods[index], out);
	return ALPCSCOPE_OK;
}
