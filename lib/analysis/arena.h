/* SPDX-License-Identifier: MIT */
/*
 * Bump allocator owned by a model: everything the model keeps (strings,
 * stack frames, chunks of records) comes from here and is released at once
 * by arena_free(). Blocks grow geometrically up to 8 MiB (big ones on
 * huge pages, arena.c); larger requests get a block of their own.
 */
#ifndef ALPCSCOPE_ANALYSIS_ARENA_H
#define ALPCSCOPE_ANALYSIS_ARENA_H

#include <stddef.h>
#include <stdint.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t used;  /* bytes used in head */
	size_t total; /* bytes reserved in all blocks */
};

void arena_init(struct arena *a);
void arena_free(struct arena *a);
/* 8-byte aligned, uninitialised; NULL when out of memory (or n == 0 overflow). */
void *arena_alloc(struct arena *a, size_t n);
/* Copy of @p s (NULL stays NULL); NULL on out of memory. */
char *arena_strdup(struct arena *a, const char *s);
/* Copy of @p n bytes. */
void *arena_memdup(struct arena *a, const void *p, size_t n);

#endif
