/* SPDX-License-Identifier: MIT */
/* Kernel group lookups used by the record parser. */
#ifndef ALPCSCOPE_READER_KERNEL_GROUPS_H
#define ALPCSCOPE_READER_KERNEL_GROUPS_H

#include <stdbool.h>
#include <stdint.h>

#include <alpcscope/event.h>

/* Kernel group whose GUID is @p g (classic or manifest framing of a kernel event). */
bool kernel_group_from_guid(const struct alpcscope_guid *g, uint8_t *group);

#endif
