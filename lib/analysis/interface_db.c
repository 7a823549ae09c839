/* SPDX-License-Identifier: MIT */
/*
 * RPC interface databases (include/alpcscope/interfaces.h): JSON loading for
 * the alpcscope, RPCMon and Akamai shapes (docs/interface-db.md) and the
 * no-guess lookup. Entries are kept in one array sorted by (UUID, version,
 * load order); every string is owned by the database.
 */
#include <alpcscope/interfaces.h>

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/interface_db.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/utf8.h"

#define IFDB_MAX_FILE (32u << 20) /* 32 MiB: the largest public databases are a few MiB */
/*
 * json-c builds a DOM of about 780 bytes per object and 100 per string:
 * 9.9 MB of "{}," took 2.57 GB. Real databases hold one object per
 * interface or procedure with names inside, far below these counts
 * (docs/interface-db.md); beyond them the file is refused before json-c
 * sees it, so the DOM stays below about 200 MB.
 */
#define IFDB_MAX_CONTAINERS 100000u
#define IFDB_MAX_SCALARS    1000000u
#define IFDB_MAX_OPNUMS     65536u

struct ifdb_entry {
	struct alpcscope_guid uuid;
	uint32_t version; /* ALPCSCOPE_IFACE_VERSION_ANY when the file does not say */
	uint32_t load;    /* load sequence number (file) */
	uint32_t order;   /* position in the file */
	const char *name, *module, *source, *reference;
	const char **procs; /* opnum -> name (NULL = not named) */
	uint32_t nprocs;
	bool dead; /* replaced by a later file */
};

struct alpcscope_interface_db {
	struct ifdb_entry *entries;
	size_t n, cap;
	char **strings; /* owned strings */
	size_t nstrings, capstrings;
	const char ***proc_arrays; /* owned opnum arrays */
	size_t narrays, caparrays;
	uint32_t loads;
};

/* ---- ownership helpers ---- */

static bool
grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 16;

	if (ncap > SIZE_MAX / elem)
		return false;
	void *p = realloc(*arr, ncap * elem);

	if (!p)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

/* A copy of @p s owned by @p db, with invalid UTF-8 replaced by U+FFFD (names reach every output).
 */
static const char *
own_str(struct alpcscope_interface_db *db, const char *s)
{
	if (!s)
		return NULL;
	if (!grow((void **)&db->strings, &db->capstrings, db->nstrings, sizeof(char *)))
		return NULL;
	char *c;
	size_t n = strlen(s);

	if (utf8_valid(s, n)) {
		c = strdup(s);
	} else {
		struct strbuf v = {0};

		utf8_add_valid(&v, s, n);
		c = v.oom ? NULL : v.data;
		if (!c)
			strbuf_free(&v);
	}

	if (c)
		db->strings[db->nstrings++] = c;
	return c;
}

enum alpcscope_status
alpcscope_interface_db_new(struct alpcscope_interface_db **out, struct alpcscope_error *err)
{
	if (!out)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET, "NULL out");
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	return ALPCSCOPE_OK;
}

void
alpcscope_interface_db_free(struct alpcscope_interface_db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->nstrings; i++)
		free(db->strings[i]);
	for (size_t i = 0; i < db->narrays; i++)
		free((void *)db->proc_arrays[i]);
	free(db->strings);
	free(db->proc_arrays);
	free(db->entries);
	free(db);
}

size_t
alpcscope_interface_db_count(const struct alpcscope_interface_db *db)
{
	size_t n = 0;

	if (!db)
		return 0;
	for (size_t i = 0; i < db->n; i++)
		n += !db->entries[i].dead;
	return n;
}

const char *
alpcscope_interface_db_format_name(enum alpcscope_interface_db_format format)
{
	switch (format) {
	case ALPCSCOPE_IFDB_AUTO: return "auto";
	case ALPCSCOPE_IFDB_ALPCSCOPE: return "alpcscope";
	case ALPCSCOPE_IFDB_RPCMON: return "rpcmon";
	case ALPCSCOPE_IFDB_AKAMAI: return "akamai";
	}
	return "unknown";
}

/* ---- one load: entries are staged, then committed only when the file is valid ---- */

struct load {
	struct alpcscope_interface_db *db;
	const char *source; /* owned copy */
	struct ifdb_entry *staged;
	size_t n, cap;
	struct alpcscope_error *err;
	enum alpcscope_status st;
	/* Opnum slots this load may still allocate: procedure tables are dense
	 * (opnum -> name), so a hostile file naming opnum 65535 in every entry
	 * must not turn a few bytes each into 512 KiB each. */
	uint64_t slot_budget;
};

static bool
fail(struct load *l, enum alpcscope_status st, const char *fmt, const char *a, const char *b)
{
	char msg[200];

	snprintf(msg, sizeof(msg), fmt, a ? a : "", b ? b : "");
	l->st = error_set(l->err, st, ALPCSCOPE_NO_OFFSET, "%s: %s", l->source, msg);
	return false;
}

static bool
oom(struct load *l)
{
	return fail(l, ALPCSCOPE_E_NOMEM, "out of memory%s%s", NULL, NULL);
}

static struct ifdb_entry *
stage(struct load *l, const struct alpcscope_guid *uuid, uint32_t version)
{
	if (!grow((void **)&l->staged, &l->cap, l->n, sizeof(*l->staged))) {
		oom(l);
		return NULL;
	}
	struct ifdb_entry *e = &l->staged[l->n];

	memset(e, 0, sizeof(*e));
	e->uuid = *uuid;
	e->version = version;
	e->order = (uint32_t)l->n++;
	e->source = l->source;
	return e;
}

/* Set opnum @p opnum of @p e to @p name (copied). */
static bool
set_proc(struct load *l, struct ifdb_entry *e, uint32_t opnum, const char *name)
{
	struct alpcscope_interface_db *db = l->db;

	if (opnum >= IFDB_MAX_OPNUMS)
		return fail(l, ALPCSCOPE_E_CORRUPT, "opnum out of range (0..65535)%s%s", NULL,
			    NULL);
	if (opnum >= e->nprocs) {
		uint32_t nn = opnum + 1;

		if (nn - e->nprocs > l->slot_budget)
			return fail(l, ALPCSCOPE_E_CORRUPT,
				    "procedure tables too large for the file's size (sparse opnums "
				    "up to 65535 in many interfaces)%s%s",
				    NULL, NULL);
		l->slot_budget -= nn - e->nprocs;
		const char **p = realloc((void *)e->procs, (size_t)nn * sizeof(*p));

		if (!p)
			return oom(l);
		for (uint32_t i = e->nprocs; i < nn; i++)
			p[i] = NULL;
		e->procs = p;
		e->nprocs = nn;
	}
	if (!name || !name[0]) {
		e->procs[opnum] = NULL;
		return true;
	}
	const char *c = own_str(db, name);

	if (!c)
		return oom(l);
	e->procs[opnum] = c;
	return true;
}

static bool
parse_uuid(const char *key, struct alpcscope_guid *out)
{
	/* Exactly 36 characters (8-4-4-4-12); alpcscope_guid_parse checks the digits. */
	return key && strlen(key) == 36 && alpcscope_guid_parse(out, key);
}

/* "MAJOR.MINOR" (each 0..65535) -> version value. */
static bool
parse_version(const char *s, uint32_t *out)
{
	unsigned long v[2];
	const char *p = s;

	for (int i = 0; i < 2; i++) {
		char *end;

		if (*p < '0' || *p > '9')
			return false;
		errno = 0;
		v[i] = strtoul(p, &end, 10);
		if (errno || v[i] > 65535 || end - p > 5)
			return false;
		p = end;
		if (i == 0 && *p++ != '.')
			return false;
	}
	if (*p)
		return false;
	*out = ALPCSCOPE_IFACE_VERSION(v[0], v[1]);
	return true;
}

static const char *
opt_string(json_object *o, const char *key, bool *bad)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	if (!json_object_is_type(v, json_type_string)) {
		*bad = true;
		return NULL;
	}
	return json_object_get_string(v);
}

/* A JSON array of procedure names, index = opnum (RPCMon, Akamai). */
static bool
load_name_array(struct load *l, struct ifdb_entry *e, json_object *arr, const char *what,
		const char *key)
{
	size_t n = json_object_array_length(arr);

	if (n > IFDB_MAX_OPNUMS)
		return fail(l, ALPCSCOPE_E_CORRUPT, "%s: more than 65536 procedures in \"%s\"",
			    what, key);
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);

		if (json_object_is_type(v, json_type_null))
			continue;
		if (!json_object_is_type(v, json_type_string))
			return fail(l, ALPCSCOPE_E_CORRUPT, "%s: \"%s\" holds a non-string", what,
				    key);
		if (!set_proc(l, e, (uint32_t)i, json_object_get_string(v)))
			return false;
	}
	return true;
}

/* ---- alpcscope format ---- */

static bool
load_own_interface(struct load *l, json_object *it, size_t index)
{
	char where[48];
	json_object *v, *procs;
	struct alpcscope_guid uuid;
	uint32_t version;
	bool bad = false;

	snprintf(where, sizeof(where), "interfaces[%zu]", index);
	if (!json_object_is_type(it, json_type_object))
		return fail(l, ALPCSCOPE_E_CORRUPT, "%s is not an object%s", where, NULL);
	const char *u = opt_string(it, "uuid", &bad);

	if (bad || !u || !parse_uuid(u, &uuid))
		return fail(l, ALPCSCOPE_E_CORRUPT, "%s: \"uuid\" missing or not 8-4-4-4-12 hex%s",
			    where, NULL);
	const char *ver = opt_string(it, "version", &bad);

	if (bad || !ver || !parse_version(ver, &version))
		return fail(l, ALPCSCOPE_E_CORRUPT,
			    "%s: \"version\" missing or not \"MAJOR.MINOR\"%s", where, NULL);
	const char *name = opt_string(it, "name", &bad);
	const char *module = opt_string(it, "module", &bad);
	const char *ref = opt_string(it, "reference", &bad);

	if (bad)
		return fail(l, ALPCSCOPE_E_CORRUPT,
			    "%s: \"name\", \"module\" and \"reference\" must be strings%s", where,
			    NULL);
	struct ifdb_entry *e = stage(l, &uuid, version);

	if (!e)
		return false;
	if ((name && !(e->name = own_str(l->db, name))) ||
	    (module && !(e->module = own_str(l->db, module))) ||
	    (ref && !(e->reference = own_str(l->db, ref))))
		return oom(l);
	if (!json_object_object_get_ex(it, "procedures", &procs) ||
	    json_object_is_type(procs, json_type_null))
		return true;
	if (!json_object_is_type(procs, json_type_array))
		return fail(l, ALPCSCOPE_E_CORRUPT, "%s: \"procedures\" is not an array%s", where,
			    NULL);
	size_t n = json_object_array_length(procs);

	for (size_t i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(procs, i);
		int64_t opnum;

		if (!json_object_is_type(p, json_type_object) ||
		    !json_object_object_get_ex(p, "opnum", &v) ||
		    !json_object_is_type(v, json_type_int))
			return fail(l, ALPCSCOPE_E_CORRUPT,
				    "%s: each procedure needs an integer \"opnum\"%s", where, NULL);
		opnum = json_object_get_int64(v);
		const char *pn = opt_string(p, "name", &bad);

		if (bad || !pn || !pn[0])
			return fail(l, ALPCSCOPE_E_CORRUPT,
				    "%s: each procedure needs a non-empty \"name\"%s", where, NULL);
		if (opnum < 0 || opnum >= (int64_t)IFDB_MAX_OPNUMS)
			return fail(l, ALPCSCOPE_E_CORRUPT, "%s: opnum out of range (0..65535)%s",
				    where, NULL);
		if ((uint32_t)opnum < e->nprocs && e->procs[opnum])
			return fail(l, ALPCSCOPE_E_CORRUPT, "%s: opnum listed twice%s", where,
				    NULL);
		if (!set_proc(l, e, (uint32_t)opnum, pn))
			return false;
	}
	return true;
}

static bool
load_own(struct load *l, json_object *root)
{
	json_object *v, *list;

	if (!json_object_object_get_ex(root, "format_version", &v) ||
	    !json_object_is_type(v, json_type_int) || json_object_get_int64(v) != 1)
		return fail(l, ALPCSCOPE_E_CORRUPT,
			    "alpcscope format: \"format_version\" must be 1%s%s", NULL, NULL);
	if (!json_object_object_get_ex(root, "interfaces", &list) ||
	    !json_object_is_type(list, json_type_array))
		return fail(l, ALPCSCOPE_E_CORRUPT,
			    "alpcscope format: \"interfaces\" must be an array%s%s", NULL, NULL);
	size_t n = json_object_array_length(list);

	for (size_t i = 0; i < n; i++)
		if (!load_own_interface(l, json_object_array_get_idx(list, i), i))
			return false;
	return true;
}

/* ---- RPCMon: {UUID: {"InterfaceId", "Module", "Procedures": [...], ...}} ---- */

static bool
load_rpcmon(struct load *l, json_object *root)
{
	json_object_object_foreach(root, key, val)
	{
		struct alpcscope_guid uuid;
		json_object *procs;
		bool bad = false;

		if (!parse_uuid(key, &uuid))
			return fail(l, ALPCSCOPE_E_CORRUPT,
				    "RPCMon format: key \"%.60s\" is not an interface UUID%s", key,
				    NULL);
		if (!json_object_is_type(val, json_type_object))
			return fail(l, ALPCSCOPE_E_CORRUPT, "RPCMon format: %s is not an object%s",
				    key, NULL);
		const char *module = opt_string(val, "Module", &bad);

		if (bad)
			return fail(l, ALPCSCOPE_E_CORRUPT,
				    "RPCMon format: %s: \"Module\" is not a string%s", key, NULL);
		struct ifdb_entry *e = stage(l, &uuid, ALPCSCOPE_IFACE_VERSION_ANY);

		if (!e)
			return false;
		if (module && !(e->module = own_str(l->db, module)))
			return oom(l);
		if (!json_object_object_get_ex(val, "Procedures", &procs) ||
		    json_object_is_type(procs, json_type_null))
			continue;
		if (!json_object_is_type(procs, json_type_array))
			return fail(l, ALPCSCOPE_E_CORRUPT,
				    "RPCMon format: %s: \"Procedures\" is not an array%s", key,
				    NULL);
		if (!load_name_array(l, e, procs, key, "Procedures"))
			return false;
	}
	return true;
}

/* ---- Akamai: {MODULE: {UUID: {"function_names": [...], "role": ...}, ...}} ---- */

static bool
load_akamai(struct load *l, json_object *root)
{
	json_object_object_foreach(root, module, ifaces)
	{
		if (!json_object_is_type(ifaces, json_type_object))
			return fail(l, ALPCSCOPE_E_CORRUPT,
				    "Akamai format: module \"%.60s\" is not an object%s", module,
				    NULL);
		json_object_object_foreach(ifaces, key, val)
		{
			struct alpcscope_guid uuid;
			json_object *names;
			bool bad = false;

			/* Other keys (e.g. "interface_registration_info") are not interfaces. */
			if (!parse_uuid(key, &uuid))
				continue;
			if (!json_object_is_type(val, json_type_object))
				return fail(l, ALPCSCOPE_E_CORRUPT,
					    "Akamai format: %s: interface %s is not an object",
					    module, key);
			const char *role = opt_string(val, "role", &bad);

			if (bad)
				return fail(l, ALPCSCOPE_E_CORRUPT,
					    "Akamai format: %s: %s: \"role\" is not a string",
					    module, key);
			/* A client stub names no procedures and says nothing of the server. */
			if (role && strcmp(role, "server") != 0)
				continue;
			struct ifdb_entry *e = stage(l, &uuid, ALPCSCOPE_IFACE_VERSION_ANY);

			if (!e)
				return false;
			if (!(e->module = own_str(l->db, module)))
				return oom(l);
			if (!json_object_object_get_ex(val, "function_names", &names) ||
			    json_object_is_type(names, json_type_null))
				continue;
			if (!json_object_is_type(names, json_type_array))
				return fail(l, ALPCSCOPE_E_CORRUPT,
					    "Akamai format: %s: %s: \"function_names\" is not an "
					    "array",
					    module, key);
			if (!load_name_array(l, e, names, key, "function_names"))
				return false;
		}
	}
	return true;
}

/* ---- detection ---- */

static enum alpcscope_interface_db_format
detect(json_object *root)
{
	json_object *v;
	struct alpcscope_guid g;

	if (json_object_object_get_ex(root, "format", &v))
		return ALPCSCOPE_IFDB_ALPCSCOPE;
	json_object_object_foreach(root, key, val)
	{
		if (parse_uuid(key, &g))
			return ALPCSCOPE_IFDB_RPCMON;
		if (json_object_is_type(val, json_type_object))
			return ALPCSCOPE_IFDB_AKAMAI;
		break;
	}
	return ALPCSCOPE_IFDB_AUTO;
}

/* ---- commit ---- */

static int
guid_cmp(const struct alpcscope_guid *a, const struct alpcscope_guid *b)
{
	return memcmp(a, b, sizeof(*a));
}

static int
entry_cmp(const void *pa, const void *pb)
{
	const struct ifdb_entry *a = pa, *b = pb;
	int c = guid_cmp(&a->uuid, &b->uuid);

	if (c)
		return c;
	if (a->version != b->version)
		return a->version < b->version ? -1 : 1;
	if (a->load != b->load)
		return a->load < b->load ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

static bool
commit(struct load *l)
{
	struct alpcscope_interface_db *db = l->db;
	uint32_t seq = ++db->loads;

	/* Keep the opnum arrays owned by the database first. */
	if (db->narrays + l->n > db->caparrays) {
		size_t need = db->narrays + l->n, cap = db->caparrays ? db->caparrays : 16;

		while (cap < need)
			cap *= 2;
		const char ***p = realloc(db->proc_arrays, cap * sizeof(*p));

		if (!p)
			return oom(l);
		db->proc_arrays = p;
		db->caparrays = cap;
	}
	if (db->n + l->n > db->cap) {
		size_t cap = db->cap ? db->cap : 16;

		while (cap < db->n + l->n)
			cap *= 2;
		struct ifdb_entry *p = realloc(db->entries, cap * sizeof(*p));

		if (!p)
			return oom(l);
		db->entries = p;
		db->cap = cap;
	}
	/* A later file replaces entries of earlier files with the same UUID and version. */
	for (size_t i = 0; i < l->n; i++)
		for (size_t k = 0; k < db->n; k++)
			if (!db->entries[k].dead && db->entries[k].load != seq &&
			    db->entries[k].version == l->staged[i].version &&
			    guid_cmp(&db->entries[k].uuid, &l->staged[i].uuid) == 0)
				db->entries[k].dead = true;
	for (size_t i = 0; i < l->n; i++) {
		l->staged[i].load = seq;
		if (l->staged[i].procs)
			db->proc_arrays[db->narrays++] = l->staged[i].procs;
		db->entries[db->n++] = l->staged[i];
	}
	l->n = 0;
	if (db->n) /* qsort's base must not be NULL even for zero elements */
		qsort(db->entries, db->n, sizeof(*db->entries), entry_cmp);
	return true;
}

static void
drop_staged(struct load *l)
{
	for (size_t i = 0; i < l->n; i++)
		free((void *)l->staged[i].procs);
	free(l->staged);
}

/*
 * Count the objects/arrays and the scalar values of a JSON text without
 * building it (strings skipped with their escapes); false when a count
 * passes its bound (IFDB_MAX_CONTAINERS, IFDB_MAX_SCALARS).
 */
static bool
json_within_bounds(const char *p, size_t n, uint64_t *containers, uint64_t *scalars)
{
	bool in_scalar = false;

	*containers = *scalars = 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (c == '"') {
			for (i++; i < n && p[i] != '"'; i++)
				if (p[i] == '\\')
					i++;
			++*scalars;
			in_scalar = false;
		} else if (c == '{' || c == '[') {
			++*containers;
			in_scalar = false;
		} else if (c == ',' || c == ':' || c == '}' || c == ']' || c == ' ' || c == '\n' ||
			   c == '\r' || c == '\t') {
			in_scalar = false;
		} else if (!in_scalar) {
			in_scalar = true; /* a number, true, false or null */
			++*scalars;
		}
		if (*containers > IFDB_MAX_CONTAINERS || *scalars > IFDB_MAX_SCALARS)
			return false;
	}
	return true;
}

enum alpcscope_status
alpcscope_interface_db_load_memory(struct alpcscope_interface_db *db, const void *data, size_t size,
				   const char *source, enum alpcscope_interface_db_format format,
				   struct alpcscope_error *err)
{
	struct load l = {.db = db, .err = err, .st = ALPCSCOPE_OK};

	/* Linear in the input: any real database names far fewer opnums per byte. */
	l.slot_budget = (uint64_t)size * 16 + IFDB_MAX_OPNUMS;

	if (!db || (!data && size))
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "NULL argument");
	if (format > ALPCSCOPE_IFDB_AKAMAI)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "unknown interface database format %d", (int)format);
	if (!source)
		source = "(memory)";
	if (size > IFDB_MAX_FILE)
		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "%s: larger than %u MiB: not an interface database "
				 "(docs/interface-db.md)",
				 source, IFDB_MAX_FILE >> 20);
	uint64_t containers, scalars;

	if (!json_within_bounds(data ? data : "", size, &containers, &scalars))
		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "%s: more than %u objects/arrays or %u values: not an interface "
				 "database (docs/interface-db.md)",
				 source, IFDB_MAX_CONTAINERS, IFDB_MAX_SCALARS);
	l.source = own_str(db, source);
	if (!l.source)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");

	json_tokener *tok = json_tokener_new();

	if (!tok)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	json_object *root = json_tokener_parse_ex(tok, data ? data : "", (int)size);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);

	if (!root || jerr != json_tokener_success) {
		const char *why = jerr == json_tokener_continue ? "unexpected end of input"
								: json_tokener_error_desc(jerr);

		json_object_put(root);
		json_tokener_free(tok);
		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "%s: not valid JSON: %s at byte %zu", source, why, end);
	}
	json_tokener_free(tok);
	while (end < size && strchr(" \t\r\n", ((const char *)data)[end]))
		end++;
	if (end < size) {
		json_object_put(root);
		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "%s: not valid JSON: trailing data at byte %zu", source, end);
	}
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "%s: an interface database is a JSON object", source);
	}
	if (format == ALPCSCOPE_IFDB_AUTO)
		format = detect(root);
	bool ok = false;

	switch (format) {
	case ALPCSCOPE_IFDB_AUTO:
		/* An empty object, or a first member that fits no shape. */
		ok = json_object_object_length(root) == 0 ||
		     fail(&l, ALPCSCOPE_E_CORRUPT,
			  "not an interface database (expected the alpcscope, RPCMon or Akamai "
			  "shape; docs/interface-db.md)%s%s",
			  NULL, NULL);
		break;
	case ALPCSCOPE_IFDB_ALPCSCOPE: {
		json_object *v;

		if (!json_object_object_get_ex(root, "format", &v) ||
		    !json_object_is_type(v, json_type_string) ||
		    strcmp(json_object_get_string(v), "alpcscope-interfaces") != 0)
			ok = fail(&l, ALPCSCOPE_E_CORRUPT,
				  "\"format\" is not \"alpcscope-interfaces\"%s%s", NULL, NULL);
		else
			ok = load_own(&l, root);
		break;
	}
	case ALPCSCOPE_IFDB_RPCMON: ok = load_rpcmon(&l, root); break;
	case ALPCSCOPE_IFDB_AKAMAI: ok = load_akamai(&l, root); break;
	}
	json_object_put(root);
	if (ok)
		ok = commit(&l);
	drop_staged(&l);
	return ok ? ALPCSCOPE_OK : l.st;
}

enum alpcscope_status
alpcscope_interface_db_load_file(struct alpcscope_interface_db *db, const char *path,
				 enum alpcscope_interface_db_format format,
				 struct alpcscope_error *err)
{
	if (!db || !path)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "NULL argument");
	FILE *f = fopen(path, "rb");

	if (!f)
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "%s: %s", path,
				 strerror(errno));
	char *buf = NULL;
	size_t n = 0, cap = 0;
	bool too_big = false;

	for (;;) {
		if (n == cap) {
			if (cap >= IFDB_MAX_FILE) {
				too_big = true;
				break;
			}
			size_t ncap = cap ? cap * 2 : 65536;
			char *p = realloc(buf, ncap);

			if (!p) {
				free(buf);
				fclose(f);
				return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
						 "out of memory");
			}
			buf = p;
			cap = ncap;
		}
		size_t r = fread(buf + n, 1, cap - n, f);

		n += r;
		if (r == 0)
			break;
	}
	bool rerr = ferror(f) != 0;

	fclose(f);
	enum alpcscope_status st;

	if (rerr)
		st = error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "%s: read error", path);
	else if (too_big)
		st = error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
			       "%s: larger than %u MiB: not an interface database "
			       "(docs/interface-db.md)",
			       path, IFDB_MAX_FILE >> 20);
	else
		st = alpcscope_interface_db_load_memory(db, buf, n, path, format, err);
	free(buf);
	return st;
}

enum alpcscope_status
alpcscope_interface_db_load_builtin(struct alpcscope_interface_db *db, struct alpcscope_error *err)
{
	return alpcscope_interface_db_load_memory(db, ifdb_builtin_json, ifdb_builtin_json_size,
						  "built-in alpcscope-interfaces.json",
						  ALPCSCOPE_IFDB_ALPCSCOPE, err);
}

/* ---- lookup ---- */

/* Agree on one string across candidates; false when two differ. */
static bool
agree(const char **have, const char *s)
{
	if (!s)
		return true;
	if (!*have) {
		*have = s;
		return true;
	}
	return strcmp(*have, s) == 0;
}

bool
alpcscope_interface_db_lookup(const struct alpcscope_interface_db *db,
			      const struct alpcscope_guid *uuid, uint32_t version, uint32_t opnum,
			      struct alpcscope_rpc_names *out)
{
	if (!out)
		return false;
	memset(out, 0, sizeof(*out));
	out->version = ALPCSCOPE_IFACE_VERSION_ANY;
	if (!db || !uuid || !db->n)
		return false;
	/* First entry with the UUID. */
	size_t lo = 0, hi = db->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (guid_cmp(&db->entries[mid].uuid, uuid) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t first = lo, last = lo;

	while (last < db->n && guid_cmp(&db->entries[last].uuid, uuid) == 0)
		last++;
	/* With a version: entries of that version, else those without one. */
	uint32_t want = ALPCSCOPE_IFACE_VERSION_ANY;
	bool any_exact = false;

	if (version != ALPCSCOPE_IFACE_VERSION_ANY) {
		for (size_t i = first; i < last; i++)
			if (!db->entries[i].dead && db->entries[i].version == version)
				any_exact = true;
		want = any_exact ? version : ALPCSCOPE_IFACE_VERSION_ANY;
	}
	bool versions_agree = true, iface_ok = true, proc_ok = true, module_ok = true;
	uint32_t seen_version = ALPCSCOPE_IFACE_VERSION_ANY;
	const char *iname = NULL, *pname = NULL, *module = NULL;

	for (size_t i = first; i < last; i++) {
		const struct ifdb_entry *e = &db->entries[i];

		if (e->dead)
			continue;
		if (version != ALPCSCOPE_IFACE_VERSION_ANY && e->version != want)
			continue;
		out->matches++;
		if (out->matches == 1)
			seen_version = e->version;
		else if (e->version != seen_version)
			versions_agree = false;
		if (iface_ok && e->name) {
			if (!agree(&iname, e->name))
				iface_ok = false;
			else if (!out->interface_source)
				out->interface_source = e->source;
		}
		if (module_ok && e->module && !agree(&module, e->module))
			module_ok = false;
		if (proc_ok && opnum < e->nprocs && e->procs[opnum]) {
			if (!agree(&pname, e->procs[opnum])) {
				proc_ok = false;
			} else if (!out->procedure_source) {
				out->procedure_source = e->source;
				out->reference = e->reference;
			}
		}
	}
	if (!out->matches)
		return false;
	out->version = versions_agree ? seen_version : ALPCSCOPE_IFACE_VERSION_ANY;
	out->interface_name = iface_ok ? iname : NULL;
	if (!iface_ok)
		out->interface_source = NULL;
	out->module = module_ok ? module : NULL;
	out->procedure_name = proc_ok ? pname : NULL;
	if (!proc_ok) {
		out->procedure_source = NULL;
		out->reference = NULL;
	}
	out->ambiguous = !iface_ok || !proc_ok;
	return true;
}
