/* SPDX-License-Identifier: MIT */
/* Kernel group lookups used by the record parser. */
#ifndef ALPCSCOPE_READER_KERNEL_GROUPS_H
#define ALPCSCOPE_READER_KERNEL_GROUPS_H

#include <stdbool.h>
#include <stdint.h>

#include <alpcscope/event.h>

/* GUID of a kernel group, NULL for groups >= 0x1F: the internal (direct-call)
 * form of alpcscope_kernel_group_guid() for the per-record path. */
const struct alpcscope_guid *kernel_group_guid(uint8_t group);

/* Kernel group whose GUID is @p g (classic or manifest framing of a kernel event). */
bool kernel_group_from_guid(const struct alpcscope_guid *g, uint8_t *group);

#endif
