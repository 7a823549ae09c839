/* SPDX-License-Identifier: MIT */
/*
 * Worker threads that inflate compressed buffers ahead of the reader's
 * consumer, in file order, each into a slot of its own. The consumer takes
 * a buffer's slot when it reaches that buffer (waiting while a worker is on
 * it) or, when no worker has it, inflates the buffer itself; diagnostics and
 * counters stay with the consumer, so what is delivered does not depend on
 * the number of threads.
 */
#ifndef ALPCSCOPE_READER_DECOMPRESS_POOL_H
#define ALPCSCOPE_READER_DECOMPRESS_POOL_H

#include <stdbool.h>
#include <stdint.h>

struct alpcscope_reader;
struct decompress_pool;

/* No slot held (struct stream.pool_slot). */
#define POOL_NO_SLOT UINT32_MAX

/*
 * Start @p workers threads over the compressed buffers of @p r (its buffer
 * index must be complete). NULL when there is nothing to do or a thread
 * cannot be started: the reader then inflates everything itself.
 */
struct decompress_pool *decompress_pool_start(const struct alpcscope_reader *r, uint32_t workers);

/*
 * The inflated buffer @p buffer_index (buffer header + event area), when a
 * worker took it: true with *data, *ok (the inflation succeeded) and *slot
 * set; the bytes stay valid until decompress_pool_release(). False when no
 * worker has it: the caller inflates it, and no worker will.
 */
bool decompress_pool_take(struct decompress_pool *p, uint32_t buffer_index, const uint8_t **data,
			  bool *ok, uint32_t *slot);

/* Give back a slot taken with decompress_pool_take(); *slot becomes POOL_NO_SLOT. */
void decompress_pool_release(struct decompress_pool *p, uint32_t *slot);

/* Stop and join the workers and free everything. Accepts NULL. */
void decompress_pool_free(struct decompress_pool *p);

/* Processors online (at least 1): the default number of threads. */
uint32_t decompress_pool_default_threads(void);

#endif
