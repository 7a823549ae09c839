/* SPDX-License-Identifier: MIT */
/*
 * Call stacks of ALPC Sends and Receives (docs/event-layouts.md#stack-matching). A stack
 * belongs to the event with the same thread and EventTimeStamp: each thread
 * remembers its last Send/Receive, and a StackWalk (32) or key reference
 * (37 kernel part / 38 user part) naming that thread and time attaches to
 * it. A kernel-only fragment is parked until the thread's next fragment that
 * starts in user mode (the user part logged on the way out of the kernel).
 * Key references wait for their key's definition (34-36); a key can be
 * defined again after eviction, so a reference takes the next definition.
 * Frame arrays are hash-consed: identical stacks (the rule: the same call
 * sites send again and again) share one copy of their frames.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/model_internal.h"

bool
stacks_is_kernel_address(const struct alpcscope_model *m, uint64_t addr)
{
	if (m->pointer_size == 4)
		return addr >= 0x80000000u;
	return addr >= 0xFFFF800000000000ull;
}

static uint32_t
stack_of(struct alpcscope_model *m, uint32_t ep)
{
	struct alpcscope_message_event *e = model_endpoint(m, ep);

	if (e->stack != ALPCSCOPE_NONE)
		return e->stack;
	uint32_t cap = m->cap_stacks;

	if (!model_grow((void **)&m->stacks, &cap, m->nstacks, sizeof(*m->stacks)))
		return ALPCSCOPE_NONE;
	if (cap != m->cap_stacks) {
		struct stack_build *b = realloc(m->sbuild, (size_t)cap * sizeof(*b));

		if (!b)
			return ALPCSCOPE_NONE;
		m->sbuild = b;
		m->cap_stacks = cap;
	}
	uint32_t idx = m->nstacks++;
	struct alpcscope_stack *s = &m->stacks[idx];

	memset(s, 0, sizeof(*s));
	m->sbuild[idx] = (struct stack_build){ALPCSCOPE_NONE, ALPCSCOPE_NONE, 0};
	s->process = e->thread == ALPCSCOPE_NONE ? ALPCSCOPE_NONE : m->threads[e->thread].process;
	s->filetime_100ns = e->filetime_100ns;
	e->stack = idx;
	return idx;
}

static uint64_t
frames_hash(const uint64_t *frames, size_t count)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ count;

	for (size_t i = 0; i < count; i++) {
		h ^= frames[i];
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return h;
}

/* Index of the interned copy of @p frames (stored on first sight); NONE on out of memory. */
static uint32_t
frames_intern(struct alpcscope_model *m, const uint64_t *frames, size_t count)
{
	uint64_t h = frames_hash(frames, count);
	uint32_t head = idmap_get(&m->farray_map, h);

	for (uint32_t i = head; i != ALPCSCOPE_NONE; i = m->farrays[i].next)
		if (m->farrays[i].count == count &&
		    memcmp(m->farrays[i].frames, frames, count * sizeof(uint64_t)) == 0)
			return i;
	if (count > UINT32_MAX ||
	    !model_grow((void **)&m->farrays, &m->cap_farrays, m->nfarrays, sizeof(*m->farrays)))
		return ALPCSCOPE_NONE;
	const uint64_t *copy = arena_memdup(&m->arena, frames, count * sizeof(uint64_t));

	if (!copy)
		return ALPCSCOPE_NONE;
	uint32_t idx = m->nfarrays;

	if (!idmap_put(&m->farray_map, h, idx))
		return ALPCSCOPE_NONE;
	m->farrays[idx] = (struct frame_array){copy, (uint32_t)count, head};
	m->nfarrays++;
	return idx;
}

/* Intern @p a followed by @p b (either may be empty). */
static uint32_t
frames_intern_concat(struct alpcscope_model *m, const uint64_t *a, size_t na, const uint64_t *b,
		     size_t nb)
{
	uint64_t local[64];
	uint64_t *tmp = local;

	if (na + nb > sizeof(local) / sizeof(local[0])) {
		if (na + nb > UINT32_MAX || !(tmp = malloc((na + nb) * sizeof(uint64_t))))
			return ALPCSCOPE_NONE;
	}
	if (na)
		memcpy(tmp, a, na * sizeof(uint64_t));
	if (nb)
		memcpy(tmp + na, b, nb * sizeof(uint64_t));
	uint32_t idx = frames_intern(m, tmp, na + nb);

	if (tmp != local)
		free(tmp);
	return idx;
}

/* Append @p count frames to the part @p *part (an interned array index or NONE). */
static bool
append(struct alpcscope_model *m, uint32_t *part, const uint64_t *frames, size_t count)
{
	if (!count)
		return true;
	const struct frame_array *old = *part == ALPCSCOPE_NONE ? NULL : &m->farrays[*part];
	uint32_t idx = old ? frames_intern_concat(m, old->frames, old->count, frames, count)
			   : frames_intern(m, frames, count);

	if (idx == ALPCSCOPE_NONE)
		return false;
	*part = idx;
	return true;
}

static bool
attach(struct alpcscope_model *m, uint32_t ep, const uint64_t *frames, size_t count, size_t nkernel,
       uint8_t source)
{
	uint32_t s = stack_of(m, ep);

	if (s == ALPCSCOPE_NONE)
		return false;
	struct stack_build *b = &m->sbuild[s];

	b->sources |= source;
	m->stats.stacks_attached++;
	return append(m, &b->kernel, frames, nkernel) &&
	       append(m, &b->user, frames + nkernel, count - nkernel);
}

static uint32_t
thread_for_stack(const struct alpcscope_model *m, uint32_t tid)
{
	uint32_t t = idmap_get(&m->tid_map, tid);

	return t == IDMAP_NONE ? ALPCSCOPE_NONE : t;
}

bool
stacks_on_walk(struct alpcscope_model *m, const struct alpcscope_stack_walk *sw)
{
	uint32_t t = thread_for_stack(m, sw->stack_thread);
	size_t nk = 0;

	if (t == ALPCSCOPE_NONE || sw->frame_count == 0) {
		m->stats.stacks_unmatched++;
		return true;
	}
	while (nk < sw->frame_count && stacks_is_kernel_address(m, sw->frames[nk]))
		nk++;
	struct thread_state *ts = &m->tstate[t];
	bool kernel_only = nk == sw->frame_count;

	if (ts->last_endpoint != EP_NONE && ts->last_ticks == sw->event_timestamp_ticks) {
		uint32_t ep = ts->last_endpoint;

		if (!attach(m, ep, sw->frames, sw->frame_count, nk, 1))
			return false;
		ts = &m->tstate[t];
		ts->parked = kernel_only ? ep : EP_NONE;
		return true;
	}
	if (nk == 0 && ts->parked != EP_NONE) {
		uint32_t ep = ts->parked;

		ts->parked = EP_NONE;
		return attach(m, ep, sw->frames, sw->frame_count, 0, 1);
	}
	m->stats.stacks_unmatched++;
	return true;
}

bool
stacks_on_key_ref(struct alpcscope_model *m, const struct alpcscope_stack_key_ref *ref)
{
	uint32_t t = thread_for_stack(m, ref->stack_thread);

	if (t == ALPCSCOPE_NONE || m->tstate[t].last_endpoint == EP_NONE ||
	    m->tstate[t].last_ticks != ref->event_timestamp_ticks) {
		m->stats.stacks_unmatched++;
		return true;
	}
	uint32_t r = m->kref_free;

	if (r != ALPCSCOPE_NONE) {
		m->kref_free = m->krefs[r].next;
	} else {
		if (!model_grow((void **)&m->krefs, &m->cap_krefs, m->nkrefs, sizeof(*m->krefs)))
			return false;
		r = m->nkrefs++;
	}
	uint32_t head = idmap_get(&m->key_map, ref->stack_key);

	m->krefs[r].endpoint = m->tstate[t].last_endpoint;
	m->krefs[r].is_user = ref->is_user;
	m->krefs[r].next = head == IDMAP_NONE ? ALPCSCOPE_NONE : head;
	return idmap_put(&m->key_map, ref->stack_key, r);
}

bool
stacks_on_key_def(struct alpcscope_model *m, const struct alpcscope_stack_key *def)
{
	uint32_t r = idmap_get(&m->key_map, def->stack_key);

	if (r == IDMAP_NONE)
		return true;
	idmap_del(&m->key_map, def->stack_key);
	while (r != ALPCSCOPE_NONE) {
		struct key_ref kr = m->krefs[r];

		if (!attach(m, kr.endpoint, def->frames, def->frame_count,
			    kr.is_user ? 0 : def->frame_count, 2))
			return false;
		m->krefs[r].next = m->kref_free;
		m->kref_free = r;
		r = kr.next;
	}
	return true;
}

bool
stacks_finish(struct alpcscope_model *m)
{
	for (size_t i = 0; i < m->key_map.cap; i++) {
		if (m->key_map.slots[i].value == IDMAP_NONE)
			continue;
		for (uint32_t r = m->key_map.slots[i].value; r != ALPCSCOPE_NONE;
		     r = m->krefs[r].next)
			m->stats.stack_refs_unresolved++;
	}
	idmap_free(&m->key_map);
	static const uint64_t no_frames[1];

	for (uint32_t i = 0; i < m->nstacks; i++) {
		struct alpcscope_stack *s = &m->stacks[i];
		const struct stack_build *b = &m->sbuild[i];
		const struct frame_array *k =
		    b->kernel == ALPCSCOPE_NONE ? NULL : &m->farrays[b->kernel];
		const struct frame_array *u =
		    b->user == ALPCSCOPE_NONE ? NULL : &m->farrays[b->user];

		/* One part: share it as it is; both: the interned concatenation. */
		if (k && u) {
			uint32_t idx =
			    frames_intern_concat(m, k->frames, k->count, u->frames, u->count);

			if (idx == ALPCSCOPE_NONE)
				return false;
			k = &m->farrays[b->kernel];
			s->frames = m->farrays[idx].frames;
			s->frame_count = m->farrays[idx].count;
		} else if (k || u) {
			s->frames = (k ? k : u)->frames;
			s->frame_count = (k ? k : u)->count;
		} else {
			s->frames = no_frames;
			s->frame_count = 0;
		}
		s->kernel_frame_count = k ? k->count : 0;
		s->source = b->sources == 1   ? ALPCSCOPE_STACK_WALK
			    : b->sources == 2 ? ALPCSCOPE_STACK_KEYS
					      : ALPCSCOPE_STACK_MIXED;
	}
	idmap_free(&m->farray_map);
	return true;
}
