/* SPDX-License-Identifier: MIT */
/* Kernel group lookups used by the record parser. */
#ifndef ALPCSCOPE_READER_KERNEL_GROUPS_H
#define ALPCSCOPE_READER_KERNEL_GROUPS_H

#include <stdbool.h>
#include <stdint.h>

#include <alpcscope/event.h>

/* Groups 0 .. 0x1E have a name and a GUID. */
#define KERNEL_GROUP_COUNT 0x1F

struct kernel_group {
	const char *name;
	struct alpcscope_guid guid;
};

/* The named groups by number (kernel_groups.c). */
extern const struct kernel_group kernel_groups[KERNEL_GROUP_COUNT];

/* GUID of a kernel group, NULL for groups >= 0x1F: the internal (inline) form
 * of alpcscope_kernel_group_guid() for the per-record path. */
static inline const struct alpcscope_guid *
kernel_group_guid(uint8_t group)
{
	return group < KERNEL_GROUP_COUNT ? &kernel_groups[group].guid : NULL;
}

/* Kernel group whose GUID is @p g (classic or manifest framing of a kernel event). */
bool kernel_group_from_guid(const struct alpcscope_guid *g, uint8_t *group);

#endif
