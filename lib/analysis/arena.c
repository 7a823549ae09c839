/* SPDX-License-Identifier: MIT */
/* Bump allocator: see arena.h. */
#include "analysis/arena.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct arena_block {
	struct arena_block *next;
	size_t size;
	bool mapped; /* mmap'd: munmap, not free */
	/* data follows, 16-byte aligned by the header size */
	max_align_t data[];
};

#define ARENA_MIN_BLOCK 4096u
#define ARENA_MAX_BLOCK (8u << 20)
/*
 * Blocks of at least this size (a model past a few MiB: message chunks) are
 * mapped with MAP_POPULATE: one system call faults the block in, instead of
 * one page fault per 4 KiB while pairing fills it (about half the system time
 * of a 5 M message model). Blocks grow with the arena, so small models keep
 * small malloc'd blocks.
 */
#define ARENA_POPULATE_BLOCK (2u << 20)

static struct arena_block *
block_alloc(size_t size)
{
	size_t bytes = sizeof(struct arena_block) + size;

#ifdef MAP_POPULATE
	if (size >= ARENA_POPULATE_BLOCK) {
		void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

		if (p != MAP_FAILED) {
			((struct arena_block *)p)->mapped = true;
			return p;
		}
	}
#endif
	struct arena_block *b = malloc(bytes);

	if (b)
		b->mapped = false;
	return b;
}

static void
block_free(struct arena_block *b)
{
	if (b->mapped)
		munmap(b, sizeof(*b) + b->size);
	else
		free(b);
}

void
arena_init(struct arena *a)
{
	a->head = NULL;
	a->used = 0;
	a->total = 0;
}

void
arena_free(struct arena *a)
{
	struct arena_block *b = a->head;

	while (b) {
		struct arena_block *next = b->next;

		block_free(b);
		b = next;
	}
	arena_init(a);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	n = (n + 7u) & ~(size_t)7u;
	if (n == 0)
		n = 8;
	if (!a->head || a->head->size - a->used < n) {
		size_t size = a->total < ARENA_MIN_BLOCK ? ARENA_MIN_BLOCK : a->total;

		if (size > ARENA_MAX_BLOCK)
			size = ARENA_MAX_BLOCK;
		if (size < n)
			size = n;
		if (size > SIZE_MAX - sizeof(struct arena_block))
			return NULL;
		struct arena_block *b = block_alloc(size);

		if (!b)
			return NULL;
		b->size = size;
		a->total += size;
		if (a->head && size == n && a->head->size - a->used >= ARENA_MIN_BLOCK) {
			/* A big one-off: keep filling the current block afterwards. */
			b->next = a->head->next;
			a->head->next = b;
			return b->data;
		}
		b->next = a->head;
		a->head = b;
		a->used = 0;
	}
	void *p = (unsigned char *)a->head->data + a->used;

	a->used += n;
	return p;
}

void *
arena_memdup(struct arena *a, const void *p, size_t n)
{
	void *q = arena_alloc(a, n);

	if (q && n)
		memcpy(q, p, n);
	return q;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	if (!s)
		return NULL;
	return arena_memdup(a, s, strlen(s) + 1);
}
