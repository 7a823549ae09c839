/* SPDX-License-Identifier: MIT */
/*
 * The schema set: an arena holding event layouts and value maps, a hash on
 * (GUID, id or opcode, version), the checks every parsed layout must pass
 * before decoding may trust its indices, and the public loading API.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema.h"
#include "util/error.h"

enum {
	ARENA_BLOCK = 64 * 1024,
	SET_BUCKETS = 1024, /* power of two */
	MANIFEST_MAX_FILE = 64 * 1024 * 1024,
};

struct schema_arena_block {
	struct schema_arena_block *next;
	size_t cap;
	max_align_t data[];
};

void *
schema_arena_alloc(struct schema_arena *a, size_t size)
{
	struct schema_arena_block *b;
	size_t need = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);

	if (size == 0)
		need = sizeof(max_align_t);
	if (need < size)
		return NULL;
	if (a->cur && a->cur->cap - a->used >= need) {
		void *p = (char *)a->cur->data + a->used;

		a->used += need;
		memset(p, 0, need);
		return p;
	}
	/* Reuse a following block kept by schema_arena_reset() when it fits. */
	b = a->cur ? a->cur->next : a->head;
	if (!b || b->cap < need) {
		size_t cap = need > ARENA_BLOCK ? need : ARENA_BLOCK;
		struct schema_arena_block *nb;

		if (cap > SIZE_MAX - sizeof(*nb))
			return NULL;
		nb = malloc(sizeof(*nb) + cap);
		if (!nb)
			return NULL;
		nb->cap = cap;
		if (a->cur) {
			nb->next = a->cur->next;
			a->cur->next = nb;
		} else {
			nb->next = a->head;
			a->head = nb;
		}
		b = nb;
	}
	a->cur = b;
	a->used = need;
	memset(b->data, 0, need);
	return b->data;
}

char *
schema_arena_strndup(struct schema_arena *a, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX)
		return NULL;
	p = schema_arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
schema_arena_strdup(struct schema_arena *a, const char *s)
{
	return schema_arena_strndup(a, s, strlen(s));
}

void
schema_arena_reset(struct schema_arena *a)
{
	a->cur = NULL;
	a->used = 0;
}

void
schema_arena_free(struct schema_arena *a)
{
	struct schema_arena_block *b = a->head;

	while (b) {
		struct schema_arena_block *n = b->next;

		free(b);
		b = n;
	}
	memset(a, 0, sizeof(*a));
}

struct alpcscope_schema_set {
	struct schema_arena arena;
	struct schema_event *buckets[SET_BUCKETS];
	struct schema_map *maps;
	size_t event_count;
};

struct schema_arena *
schema_set_arena(struct alpcscope_schema_set *set)
{
	return &set->arena;
}

static size_t
key_hash(const struct alpcscope_guid *g, uint16_t id, uint8_t version, bool by_opcode)
{
	uint64_t h = 1469598103934665603u;
	uint8_t k[20];

	memcpy(k, &g->data1, 4);
	memcpy(k + 4, &g->data2, 2);
	memcpy(k + 6, &g->data3, 2);
	memcpy(k + 8, g->data4, 8);
	k[16] = (uint8_t)id;
	k[17] = (uint8_t)(id >> 8);
	k[18] = version;
	k[19] = by_opcode;
	for (size_t i = 0; i < sizeof(k); i++)
		h = (h ^ k[i]) * 1099511628211u;
	return (size_t)(h & (SET_BUCKETS - 1));
}

const struct schema_event *
schema_set_find(const struct alpcscope_schema_set *set, const struct alpcscope_guid *provider,
		uint16_t id, uint8_t version, bool by_opcode)
{
	const struct schema_event *e;

	if (!set)
		return NULL;
	for (e = set->buckets[key_hash(provider, id, version, by_opcode)]; e; e = e->next)
		if (e->id == id && e->version == version && e->by_opcode == by_opcode &&
		    alpcscope_guid_equal(&e->provider, provider))
			return e;
	return NULL;
}

static const struct schema_map *
find_map(const struct alpcscope_schema_set *set, const struct alpcscope_guid *provider,
	 const char *name)
{
	const struct schema_map *m;

	for (m = set->maps; m; m = m->next)
		if (strcmp(m->name, name) == 0 && alpcscope_guid_equal(&m->provider, provider))
			return m;
	return NULL;
}

/* Dotted names for the members of struct @p i, recursively; depth-limited. */
static bool
name_members(struct schema_arena *arena, struct schema_event *ev, uint16_t i, unsigned depth)
{
	const struct schema_prop *sp = &ev->props[i];

	if (depth > SCHEMA_MAX_DEPTH)
		return false;
	for (uint16_t k = 0; k < sp->struct_members; k++) {
		struct schema_prop *m = &ev->props[sp->struct_start + k];
		size_t pl = strlen(sp->name), ml = strlen(m->name);
		char *full;

		if (pl + 1 + ml >= SCHEMA_MAX_NAME)
			return false;
		full = schema_arena_alloc(arena, pl + ml + 2);
		if (!full)
			return false;
		memcpy(full, sp->name, pl);
		full[pl] = '.';
		memcpy(full + pl + 1, m->name, ml + 1);
		m->name = full;
		if ((m->flags & SCHEMA_PROP_STRUCT) &&
		    !name_members(arena, ev, (uint16_t)(sp->struct_start + k), depth + 1))
			return false;
	}
	return true;
}

enum alpcscope_status
schema_event_finish(struct schema_arena *arena, struct schema_event *ev,
		    struct alpcscope_error *err)
{
	const char *what = ev->event_name ? ev->event_name : "event";

	if (ev->prop_count > SCHEMA_MAX_PROPS || ev->top_count > ev->prop_count)
		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "schema %s: %u properties (%u top-level) out of range", what,
				 ev->prop_count, ev->top_count);
	for (uint16_t i = 0; i < ev->prop_count; i++) {
		const struct schema_prop *p = &ev->props[i];

		if (!p->name)
			return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
					 "schema %s: property %u has no name", what, i);
		if (p->flags & SCHEMA_PROP_STRUCT) {
			/* Members strictly after the struct: no cycles, bounded recursion. */
			if (p->struct_start <= i ||
			    (uint32_t)p->struct_start + p->struct_members > ev->prop_count)
				return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
						 "schema %s: struct %s members %u+%u out of range",
						 what, p->name, p->struct_start, p->struct_members);
		}
		/* Count/length properties must be decoded before the property using them. */
		if ((p->flags & SCHEMA_PROP_PARAM_COUNT) && p->count >= i)
			return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
					 "schema %s: %s: count property %u not before it", what,
					 p->name, p->count);
		if ((p->flags & SCHEMA_PROP_PARAM_LENGTH) && p->length >= i)
			return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
					 "schema %s: %s: length property %u not before it", what,
					 p->name, p->length);
	}
	for (uint16_t i = 0; i < ev->top_count; i++)
		if ((ev->props[i].flags & SCHEMA_PROP_STRUCT) && !name_members(arena, ev, i, 1))
			return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
					 "schema %s: structs nested deeper than %d or names "
					 "longer than %d bytes",
					 what, SCHEMA_MAX_DEPTH, SCHEMA_MAX_NAME);
	if (!ev->display_name) {
		const char *pn = ev->provider_name ? ev->provider_name : "?";
		char buf[2 * SCHEMA_MAX_NAME];

		if (ev->event_name)
			snprintf(buf, sizeof(buf), "%s/%s", pn, ev->event_name);
		else
			snprintf(buf, sizeof(buf), "%s/%s%u", pn, ev->by_opcode ? "op" : "id",
				 ev->id);
		ev->display_name = schema_arena_strdup(arena, buf);
		if (!ev->display_name)
			return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
					 "schema: out of memory");
	}
	return ALPCSCOPE_OK;
}

enum alpcscope_status
schema_set_add_event(struct alpcscope_schema_set *set, struct schema_event *ev,
		     struct alpcscope_error *err)
{
	enum alpcscope_status st = schema_event_finish(&set->arena, ev, err);
	struct schema_event **pp;
	size_t h;

	if (st != ALPCSCOPE_OK)
		return st;
	for (uint16_t i = 0; i < ev->prop_count; i++)
		if (ev->props[i].map_name)
			ev->props[i].map = find_map(set, &ev->provider, ev->props[i].map_name);
	h = key_hash(&ev->provider, ev->id, ev->version, ev->by_opcode);
	for (pp = &set->buckets[h]; *pp; pp = &(*pp)->next)
		if ((*pp)->id == ev->id && (*pp)->version == ev->version &&
		    (*pp)->by_opcode == ev->by_opcode &&
		    alpcscope_guid_equal(&(*pp)->provider, &ev->provider)) {
			ev->next = (*pp)->next;
			*pp = ev;
			return ALPCSCOPE_OK;
		}
	ev->next = set->buckets[h];
	set->buckets[h] = ev;
	set->event_count++;
	return ALPCSCOPE_OK;
}

enum alpcscope_status
schema_set_add_map(struct alpcscope_schema_set *set, struct schema_map *map,
		   struct alpcscope_error *err)
{
	(void)err;
	map->next = set->maps;
	set->maps = map;
	/* Maps may arrive after the events using them (EventMetadata order): re-resolve. */
	for (size_t b = 0; b < SET_BUCKETS; b++)
		for (struct schema_event *e = set->buckets[b]; e; e = e->next)
			for (uint16_t i = 0; i < e->prop_count; i++)
				if (!e->props[i].map && e->props[i].map_name &&
				    strcmp(e->props[i].map_name, map->name) == 0 &&
				    alpcscope_guid_equal(&e->provider, &map->provider))
					e->props[i].map = map;
	return ALPCSCOPE_OK;
}

enum alpcscope_status
alpcscope_schema_set_new(struct alpcscope_schema_set **out, struct alpcscope_error *err)
{
	if (!out)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "schema set: NULL out");
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
				 "schema set: out of memory");
	return ALPCSCOPE_OK;
}

void
alpcscope_schema_set_free(struct alpcscope_schema_set *set)
{
	if (!set)
		return;
	schema_arena_free(&set->arena);
	free(set);
}

size_t
alpcscope_schema_set_event_count(const struct alpcscope_schema_set *set)
{
	return set ? set->event_count : 0;
}

const char *
alpcscope_schema_set_event_name(const struct alpcscope_schema_set *set,
				const struct alpcscope_guid *provider, uint16_t id, uint8_t version)
{
	const struct schema_event *e;

	if (!set || !provider)
		return NULL;
	e = schema_set_find(set, provider, id, version, false);
	return e ? e->display_name : NULL;
}

const char *
alpcscope_schema_source_name(enum alpcscope_schema_source source)
{
	switch (source) {
	case ALPCSCOPE_SCHEMA_MANIFEST: return "manifest";
	case ALPCSCOPE_SCHEMA_EVENT_INFO: return "event_info";
	case ALPCSCOPE_SCHEMA_TRACELOGGING: return "tracelogging";
	}
	return "unknown";
}

enum alpcscope_status
alpcscope_schema_set_add_event_info(struct alpcscope_schema_set *set, const void *blob, size_t size,
				    struct alpcscope_error *err)
{
	if (!set || (!blob && size))
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "event info: NULL argument");
	return event_info_parse(set, blob, size, err);
}

enum alpcscope_status
alpcscope_schema_set_add_event_map_info(struct alpcscope_schema_set *set, const void *data,
					size_t size, struct alpcscope_error *err)
{
	if (!set || (!data && size))
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "event map info: NULL argument");
	return event_map_info_parse(set, data, size, err);
}

enum alpcscope_status
alpcscope_schema_set_load_manifest_memory(struct alpcscope_schema_set *set, const void *xml,
					  size_t size, struct alpcscope_error *err)
{
	if (!set || !xml)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "manifest: NULL argument");
	return manifest_parse(set, xml, size, "(memory)", err);
}

enum alpcscope_status
alpcscope_schema_set_load_manifest(struct alpcscope_schema_set *set, const char *path,
				   struct alpcscope_error *err)
{
	enum alpcscope_status st;
	FILE *f;
	char *buf;
	long len;

	if (!set || !path)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "manifest: NULL argument");
	/*
	 * O_NONBLOCK: opening a FIFO named *.man must not wait for a writer;
	 * only regular files are read (a FIFO or device would block or never end).
	 */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat fst;

	if (fd < 0)
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "%s: %s", path,
				 strerror(errno));
	if (fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode)) {
		close(fd);
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "%s: not a regular file",
				 path);
	}
	f = fdopen(fd, "rb");
	if (!f) {
		close(fd);
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "%s: %s", path,
				 strerror(errno));
	}
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "%s: cannot size file",
				 path);
	}
	if (len > MANIFEST_MAX_FILE) {
		fclose(f);
		return error_set(err, ALPCSCOPE_E_CORRUPT, ALPCSCOPE_NO_OFFSET,
				 "%s: %ld bytes, larger than the %d-byte manifest limit", path, len,
				 MANIFEST_MAX_FILE);
	}
	buf = malloc((size_t)len + 1);
	if (!buf) {
		fclose(f);
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "%s: out of memory",
				 path);
	}
	if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		fclose(f);
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "%s: read failed", path);
	}
	fclose(f);
	buf[len] = '\0';
	st = manifest_parse(set, buf, (size_t)len, path, err);
	free(buf);
	return st;
}

static int
man_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 4 && strcmp(d->d_name + n - 4, ".man") == 0;
}

enum alpcscope_status
alpcscope_schema_set_load_manifest_dir(struct alpcscope_schema_set *set, const char *dir,
				       struct alpcscope_error *err)
{
	enum alpcscope_status st = ALPCSCOPE_OK;
	struct dirent **names = NULL;
	int n;

	if (!set || !dir)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "manifest dir: NULL argument");
	n = scandir(dir, &names, man_filter, alphasort);
	if (n < 0)
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "%s: %s", dir,
				 strerror(errno));
	for (int i = 0; i < n; i++) {
		char path[4096];

		if (st == ALPCSCOPE_OK) {
			struct stat pst;

			if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name) >=
			    sizeof(path))
				st = error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET,
					       "%s: path too long", dir);
			else if (stat(path, &pst) == 0 && !S_ISREG(pst.st_mode))
				; /* a FIFO, device or directory named *.man is no manifest: skipped
				   */
			else
				st = alpcscope_schema_set_load_manifest(set, path, err);
		}
		free(names[i]);
	}
	free(names);
	return st;
}
