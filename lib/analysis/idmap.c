/* SPDX-License-Identifier: MIT */
/* u64 -> u32 hash map: see idmap.h. */
#include "analysis/idmap.h"

#include <stdlib.h>

static inline size_t
slot_of(uint64_t key, size_t mask)
{
	/* Fibonacci hashing spreads sequential IDs and aligned addresses alike. */
	return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 17) & mask;
}

void
idmap_init(struct idmap *m)
{
	m->slots = NULL;
	m->cap = 0;
	m->count = 0;
}

void
idmap_free(struct idmap *m)
{
	free(m->slots);
	idmap_init(m);
}

uint32_t
idmap_get(const struct idmap *m, uint64_t key)
{
	if (!m->cap)
		return IDMAP_NONE;
	size_t mask = m->cap - 1;

	for (size_t i = slot_of(key, mask);; i = (i + 1) & mask) {
		const struct idmap_slot *s = &m->slots[i];

		if (s->value == IDMAP_NONE)
			return IDMAP_NONE;
		if (s->key == key)
			return s->value;
	}
}

static bool
grow(struct idmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	struct idmap_slot *ns = malloc(ncap * sizeof(*ns));

	if (!ns)
		return false;
	for (size_t i = 0; i < ncap; i++)
		ns[i].value = IDMAP_NONE;
	size_t mask = ncap - 1;

	for (size_t i = 0; i < m->cap; i++) {
		if (m->slots[i].value == IDMAP_NONE)
			continue;
		size_t j = slot_of(m->slots[i].key, mask);

		while (ns[j].value != IDMAP_NONE)
			j = (j + 1) & mask;
		ns[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = ns;
	m->cap = ncap;
	return true;
}

bool
idmap_put(struct idmap *m, uint64_t key, uint32_t value)
{
	if (m->cap) {
		size_t mask = m->cap - 1;

		for (size_t i = slot_of(key, mask);; i = (i + 1) & mask) {
			struct idmap_slot *s = &m->slots[i];

			if (s->value == IDMAP_NONE)
				break;
			if (s->key == key) {
				s->value = value; /* replacing never allocates */
				return true;
			}
		}
	}
	if ((m->count + 1) * 10 > m->cap * 7 && !grow(m))
		return false;
	size_t mask = m->cap - 1, i = slot_of(key, mask);

	while (m->slots[i].value != IDMAP_NONE)
		i = (i + 1) & mask;
	m->slots[i].key = key;
	m->slots[i].value = value;
	m->count++;
	return true;
}

bool
idmap_exchange(struct idmap *m, uint64_t key, uint32_t value, uint32_t *old)
{
	/* One probe: grow first (at worst one step early when the key is present). */
	if ((m->count + 1) * 10 > m->cap * 7 && !grow(m))
		return false;
	size_t mask = m->cap - 1, i = slot_of(key, mask);

	for (; m->slots[i].value != IDMAP_NONE; i = (i + 1) & mask)
		if (m->slots[i].key == key) {
			*old = m->slots[i].value;
			m->slots[i].value = value;
			return true;
		}
	*old = IDMAP_NONE;
	m->slots[i].key = key;
	m->slots[i].value = value;
	m->count++;
	return true;
}

void
idmap_del(struct idmap *m, uint64_t key)
{
	if (!m->cap)
		return;
	size_t mask = m->cap - 1, i = slot_of(key, mask);

	for (;; i = (i + 1) & mask) {
		if (m->slots[i].value == IDMAP_NONE)
			return;
		if (m->slots[i].key == key)
			break;
	}
	/* Backward shift: pull later members of the probe run into the hole. */
	size_t hole = i;

	for (size_t j = (i + 1) & mask; m->slots[j].value != IDMAP_NONE; j = (j + 1) & mask) {
		size_t home = slot_of(m->slots[j].key, mask);

		/* Move j into the hole unless its home lies cyclically in (hole, j]. */
		bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
		if (!stays) {
			m->slots[hole] = m->slots[j];
			hole = j;
		}
	}
	m->slots[hole].value = IDMAP_NONE;
	m->count--;
}
