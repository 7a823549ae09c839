/* SPDX-License-Identifier: MIT */
/*
 * Service name <-> host PID map built from SystemConfig Services events
 * (docs/event-layouts.md#systemconfig-services): this is how a svchost.exe PID becomes "Winmgmt",
 * and with a thread's SubProcessTag (#thread) which service a thread serves.
 * A machine has a few hundred services, so plain arrays and linear search.
 */
#include <stdlib.h>
#include <string.h>

#include "payload.h"
#include "util/error.h"

struct alpcscope_service_map {
	struct alpcscope_service_entry *items;
	size_t count;
	size_t cap;
};

enum alpcscope_status
alpcscope_service_map_new(struct alpcscope_service_map **out, struct alpcscope_error *err)
{
	if (!out)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "service map: NULL out");
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
				 "service map: out of memory");
	return ALPCSCOPE_OK;
}

static void
entry_clear(struct alpcscope_service_entry *e)
{
	free((char *)e->service_name);
	free((char *)e->display_name);
}

void
alpcscope_service_map_free(struct alpcscope_service_map *map)
{
	size_t i;

	if (!map)
		return;
	for (i = 0; i < map->count; i++)
		entry_clear(&map->items[i]);
	free(map->items);
	free(map);
}

static int
ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = (unsigned char)*a, cb = (unsigned char)*b;

		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb || ca == 0)
			return ca - cb;
	}
}

static char *
dup_str(const char *s)
{
	size_t n = strlen(s ? s : "") + 1;
	char *d = malloc(n);

	if (d)
		memcpy(d, s ? s : "", n);
	return d;
}

/* Index of @p name, or map->count when absent. */
static size_t
find_index(const struct alpcscope_service_map *map, const char *name)
{
	size_t i;

	for (i = 0; i < map->count; i++)
		if (ascii_casecmp(map->items[i].service_name, name) == 0)
			break;
	return i;
}

enum alpcscope_status
alpcscope_service_map_add(struct alpcscope_service_map *map,
			  const struct alpcscope_decoded *decoded, struct alpcscope_error *err)
{
	const struct alpcscope_service *s;
	struct alpcscope_service_entry e;
	size_t at;

	if (!map || !decoded)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "service map: NULL argument");
	if (decoded->kind != ALPCSCOPE_DECODED_SERVICE)
		return ALPCSCOPE_OK;
	s = &decoded->as.service;
	e.service_name = dup_str(s->service_name);
	e.display_name = dup_str(s->display_name);
	e.process_id = s->process_id;
	e.service_state = s->service_state;
	e.sub_process_tag = s->sub_process_tag;
	if (!e.service_name || !e.display_name) {
		entry_clear(&e);
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
				 "service map: out of memory");
	}
	at = find_index(map, e.service_name);
	if (at < map->count) {
		entry_clear(&map->items[at]);
		map->items[at] = e;
		return ALPCSCOPE_OK;
	}
	if (map->count == map->cap) {
		size_t cap = map->cap ? map->cap * 2 : 64;
		struct alpcscope_service_entry *items;

		if (cap > SIZE_MAX / sizeof(*items) ||
		    !(items = realloc(map->items, cap * sizeof(*items)))) {
			entry_clear(&e);
			return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET,
					 "service map: out of memory");
		}
		map->items = items;
		map->cap = cap;
	}
	map->items[map->count++] = e;
	return ALPCSCOPE_OK;
}

size_t
alpcscope_service_map_count(const struct alpcscope_service_map *map)
{
	return map ? map->count : 0;
}

const struct alpcscope_service_entry *
alpcscope_service_map_at(const struct alpcscope_service_map *map, size_t index)
{
	return map && index < map->count ? &map->items[index] : NULL;
}

const struct alpcscope_service_entry *
alpcscope_service_map_find(const struct alpcscope_service_map *map, const char *service_name)
{
	size_t at;

	if (!map || !service_name)
		return NULL;
	at = find_index(map, service_name);
	return at < map->count ? &map->items[at] : NULL;
}

const struct alpcscope_service_entry *
alpcscope_service_map_find_tag(const struct alpcscope_service_map *map, uint32_t process_id,
			       uint32_t tag)
{
	size_t i;

	if (!map || tag == 0)
		return NULL;
	for (i = 0; i < map->count; i++)
		if (map->items[i].sub_process_tag == tag && map->items[i].process_id == process_id)
			return &map->items[i];
	return NULL;
}

size_t
alpcscope_service_map_by_pid(const struct alpcscope_service_map *map, uint32_t process_id,
			     const struct alpcscope_service_entry **out, size_t cap)
{
	size_t i, n = 0;

	if (!map || process_id == 0)
		return 0;
	for (i = 0; i < map->count; i++) {
		if (map->items[i].process_id != process_id)
			continue;
		if (out && n < cap)
			out[n] = &map->items[i];
		n++;
	}
	return n;
}
