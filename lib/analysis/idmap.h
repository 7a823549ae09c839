/* SPDX-License-Identifier: MIT */
/*
 * Open-addressing hash map u64 -> u32 (message IDs, TIDs, PIDs, stack keys
 * to record indices). Linear probing with backward-shift deletion, so a map
 * whose entries come and go (pending sends) never fills with tombstones.
 * Memory is proportional to the live entries (it shrinks never, grows x2).
 */
#ifndef ALPCSCOPE_ANALYSIS_IDMAP_H
#define ALPCSCOPE_ANALYSIS_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IDMAP_NONE UINT32_MAX

struct idmap_slot {
	uint64_t key;
	uint32_t value; /* IDMAP_NONE = empty slot */
};

struct idmap {
	struct idmap_slot *slots;
	size_t cap; /* power of two, or 0 */
	size_t count;
};

void idmap_init(struct idmap *m);
void idmap_free(struct idmap *m);
/* Value for @p key, or IDMAP_NONE. */
uint32_t idmap_get(const struct idmap *m, uint64_t key);
/* Insert or replace; @p value must not be IDMAP_NONE. False on out of memory. */
bool idmap_put(struct idmap *m, uint64_t key, uint32_t value);
/* Insert or replace, giving the value replaced (IDMAP_NONE if none) in @p old. */
bool idmap_exchange(struct idmap *m, uint64_t key, uint32_t value, uint32_t *old);
/* Remove @p key if present. */
void idmap_del(struct idmap *m, uint64_t key);

#endif
