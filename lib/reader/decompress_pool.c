/* SPDX-License-Identifier: MIT */
/*
 * The decompression pool (see decompress_pool.h). One mutex guards the
 * schedule and the slots; workers inflate outside it. Each buffer is
 * inflated at most once: a worker marks it taken, or the consumer claims it
 * when it arrives first. Slots are bounded (a few per thread plus one per
 * processor stream, which may each hold one), so memory stays flat; when
 * every slot is held or waiting the workers pause and the consumer inflates
 * what it needs itself, so the pool can slow nothing down but never stall.
 */
#include "reader/decompress_pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "reader/reader_internal.h"

enum slot_state { SLOT_FREE, SLOT_WORKING, SLOT_READY, SLOT_HELD };
enum buffer_state { BUF_PENDING, BUF_IN_SLOT, BUF_DONE };

struct slot {
	enum slot_state state;
	uint32_t buffer;
	bool ok;
	bool nomem; /* the worker had no memory: the consumer inflates the buffer */
	uint8_t *data;
	size_t cap;
};

struct decompress_pool {
	const struct alpcscope_reader *r;
	pthread_mutex_t lock;
	pthread_cond_t work; /* a slot was freed, or stop */
	pthread_cond_t done; /* a slot became ready */
	bool sync_ready;     /* lock and conditions initialised */
	pthread_t *threads;
	uint32_t nthreads;
	bool stop;
	uint32_t *schedule; /* compressed buffers in file order */
	uint32_t nschedule, next;
	uint8_t *bstate;   /* enum buffer_state per buffer index */
	uint32_t *slot_of; /* slot of a BUF_IN_SLOT buffer */
	struct slot *slots;
	uint32_t nslots;
	uint32_t *free_slots;
	uint32_t nfree;
};

/* Bytes the inflated buffer needs; 0 when the consumer will reject it before inflating. */
static size_t
inflated_size(const struct buffer_ref *ref)
{
	if (!(ref->flags & WMIBUF_FLAG_COMPRESSED) || ref->saved_offset < WMIBUF_HEADER_SIZE ||
	    ref->saved_offset > WMIBUF_MAX_SIZE)
		return 0;
	return ref->saved_offset;
}

static void *
worker(void *arg)
{
	struct decompress_pool *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->next < p->nschedule && p->bstate[p->schedule[p->next]] != BUF_PENDING)
			p->next++;
		if (p->stop)
			break;
		if (p->next >= p->nschedule || p->nfree == 0) {
			pthread_cond_wait(&p->work, &p->lock);
			continue;
		}
		uint32_t b = p->schedule[p->next++];
		uint32_t si = p->free_slots[--p->nfree];
		struct slot *s = &p->slots[si];

		p->bstate[b] = BUF_IN_SLOT;
		p->slot_of[b] = si;
		s->state = SLOT_WORKING;
		s->buffer = b;
		pthread_mutex_unlock(&p->lock);

		const struct buffer_ref *ref = &p->r->buffers[b];
		size_t need = inflated_size(ref);

		if (s->cap < need) {
			uint8_t *n = realloc(s->data, need);

			if (n) {
				s->data = n;
				s->cap = need;
			}
		}
		bool nomem = s->cap < need;
		bool ok = !nomem && buffer_inflate(p->r, ref, s->data, need - WMIBUF_HEADER_SIZE);

		pthread_mutex_lock(&p->lock);
		s->ok = ok;
		s->nomem = nomem;
		s->state = SLOT_READY;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

uint32_t
decompress_pool_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (uint32_t)(n > 256 ? 256 : n) : 1;
}

struct decompress_pool *
decompress_pool_start(const struct alpcscope_reader *r, uint32_t workers)
{
	struct decompress_pool *p;
	uint32_t n = 0;

	if (workers == 0 || r->info.compressed_buffer_count == 0)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->r = r;
	p->schedule = malloc(((size_t)r->nbuffers + 1) * sizeof(*p->schedule));
	p->bstate = calloc((size_t)r->nbuffers + 1, 1);
	p->slot_of = malloc(((size_t)r->nbuffers + 1) * sizeof(*p->slot_of));
	p->nslots = 4 * workers + r->nstreams + 2;
	p->slots = calloc(p->nslots, sizeof(*p->slots));
	p->free_slots = malloc(p->nslots * sizeof(*p->free_slots));
	p->threads = calloc(workers, sizeof(*p->threads));
	if (!p->schedule || !p->bstate || !p->slot_of || !p->slots || !p->free_slots ||
	    !p->threads) {
		decompress_pool_free(p);
		return NULL;
	}
	for (uint32_t i = 0; i < r->nbuffers; i++)
		if (inflated_size(&r->buffers[i]))
			p->schedule[n++] = i;
	p->nschedule = n;
	for (uint32_t i = 0; i < p->nslots; i++)
		p->free_slots[p->nfree++] = p->nslots - 1 - i;
	if (n == 0 || pthread_mutex_init(&p->lock, NULL) != 0) {
		decompress_pool_free(p);
		return NULL;
	}
	if (pthread_cond_init(&p->work, NULL) != 0) {
		pthread_mutex_destroy(&p->lock);
		decompress_pool_free(p);
		return NULL;
	}
	if (pthread_cond_init(&p->done, NULL) != 0) {
		pthread_cond_destroy(&p->work);
		pthread_mutex_destroy(&p->lock);
		decompress_pool_free(p);
		return NULL;
	}
	p->sync_ready = true;
	for (uint32_t i = 0; i < workers; i++) {
		if (pthread_create(&p->threads[i], NULL, worker, p) != 0)
			break;
		p->nthreads++;
	}
	if (p->nthreads == 0) {
		decompress_pool_free(p);
		return NULL;
	}
	return p;
}

bool
decompress_pool_take(struct decompress_pool *p, uint32_t buffer_index, const uint8_t **data,
		     bool *ok, uint32_t *slot)
{
	bool taken = false;

	pthread_mutex_lock(&p->lock);
	if (buffer_index < p->r->nbuffers && p->bstate[buffer_index] == BUF_IN_SLOT) {
		uint32_t si = p->slot_of[buffer_index];
		struct slot *s = &p->slots[si];

		while (s->state == SLOT_WORKING)
			pthread_cond_wait(&p->done, &p->lock);
		if (s->nomem) {
			s->state = SLOT_FREE;
			p->free_slots[p->nfree++] = si;
			pthread_cond_signal(&p->work);
		} else {
			s->state = SLOT_HELD;
			*data = s->data;
			*ok = s->ok;
			*slot = si;
			taken = true;
		}
	}
	if (!taken && buffer_index < p->r->nbuffers)
		p->bstate[buffer_index] = BUF_DONE; /* the caller inflates it */
	pthread_mutex_unlock(&p->lock);
	return taken;
}

void
decompress_pool_release(struct decompress_pool *p, uint32_t *slot)
{
	if (*slot == POOL_NO_SLOT)
		return;
	pthread_mutex_lock(&p->lock);
	struct slot *s = &p->slots[*slot];

	p->bstate[s->buffer] = BUF_DONE;
	s->state = SLOT_FREE;
	p->free_slots[p->nfree++] = *slot;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
	*slot = POOL_NO_SLOT;
}

void
decompress_pool_free(struct decompress_pool *p)
{
	if (!p)
		return;
	if (p->nthreads) {
		pthread_mutex_lock(&p->lock);
		p->stop = true;
		pthread_cond_broadcast(&p->work);
		pthread_mutex_unlock(&p->lock);
		for (uint32_t i = 0; i < p->nthreads; i++)
			pthread_join(p->threads[i], NULL);
	}
	if (p->sync_ready) {
		pthread_cond_destroy(&p->work);
		pthread_cond_destroy(&p->done);
		pthread_mutex_destroy(&p->lock);
	}
	for (uint32_t i = 0; p->slots && i < p->nslots; i++)
		free(p->slots[i].data);
	free(p->slots);
	free(p->free_slots);
	free(p->threads);
	free(p->schedule);
	free(p->bstate);
	free(p->slot_of);
	free(p);
}
