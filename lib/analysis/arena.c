/* SPDX-License-Identifier: MIT */
/* Bump allocator: see arena.h. */
#include "analysis/arena.h"

#include <stdbool.h>
#include <stdint.h>
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
 * mapped on their own, 2 MiB-aligned and a whole number of 2 MiB pages, and
 * marked for transparent huge pages: the first touch of every 4 KiB page of
 * fresh memory costs a page fault and a page-table fill, which for the
 * message chunks of a 1 M message model were a fifth of `chains` (0.09x the
 * CPU time to fill 92 MiB with huge pages on the development machine).
 * They fault in as they fill, 2 MiB at a time, so the last block costs
 * memory only as far as it is used. Blocks grow with the arena, so small
 * models keep small malloc'd blocks.
 */
#define ARENA_BIG_BLOCK (2u << 20)

/* A mapped block of @p *size bytes (header included), rounded up to whole 2 MiB pages. */
static struct arena_block *
block_map(size_t *size)
{
	size_t len = (*size + ARENA_BIG_BLOCK - 1) & ~(size_t)(ARENA_BIG_BLOCK - 1);
	uint8_t *raw = mmap(NULL, len + ARENA_BIG_BLOCK, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (raw == MAP_FAILED)
		return NULL;
	uintptr_t at = ((uintptr_t)raw + ARENA_BIG_BLOCK - 1) & ~(uintptr_t)(ARENA_BIG_BLOCK - 1);
	uint8_t *p = (uint8_t *)at;

	if (p > raw)
		munmap(raw, (size_t)(p - raw));
	if (raw + len + ARENA_BIG_BLOCK > p + len)
		munmap(p + len, (size_t)(raw + len + ARENA_BIG_BLOCK - (p + len)));
#ifdef MADV_HUGEPAGE
	(void)madvise(p, len, MADV_HUGEPAGE);
#endif
	*size = len;
	return (struct arena_block *)p;
}

/* A block with room for @p *size bytes of data; *size is raised to what it holds. */
static struct arena_block *
block_alloc(size_t *size)
{
	size_t bytes = sizeof(struct arena_block) + *size;
	struct arena_block *b;

	if (*size >= ARENA_BIG_BLOCK && (b = block_map(&bytes)) != NULL) {
		b->mapped = true;
		*size = bytes - sizeof(struct arena_block);
		return b;
	}
	b = malloc(bytes);
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
		/* Header and data of a big block fill whole 2 MiB pages. */
		if (size >= ARENA_BIG_BLOCK && size - sizeof(struct arena_block) >= n)
			size -= sizeof(struct arena_block);
		if (size < n)
			size = n;
		if (size > SIZE_MAX - 2 * (size_t)ARENA_BIG_BLOCK)
			return NULL;
		bool one_off = size == n;
		struct arena_block *b = block_alloc(&size);

		if (!b)
			return NULL;
		b->size = size;
		a->total += size;
		if (a->head && one_off && a->head->size - a->used >= ARENA_MIN_BLOCK) {
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
