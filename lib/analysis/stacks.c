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
	memset(&m->sbuild[idx], 0, sizeof(m->sbuild[idx]));
	s->process = e->thread == ALPCSCOPE_NONE ? ALPCSCOPE_NONE : m->threads[e->thread].process;
	s->filetime_100ns = e->filetime_100ns;
	e->stack = idx;
	return idx;
}

static bool
append(struct alpcscope_model *m, uint64_t **part, uint32_t *n, const uint64_t *frames,
       size_t count)
{
	if (!count)
		return true;
	if (count > UINT32_MAX - *n)
		return false;
	uint64_t *p = arena_alloc(&m->arena, ((size_t)*n + count) * sizeof(uint64_t));

	if (!p)
		return false;
	if (*n)
		memcpy(p, *part, (size_t)*n * sizeof(uint64_t));
	memcpy(p + *n, frames, count * sizeof(uint64_t));
	*part = p;
	*n += (uint32_t)count;
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
	return append(m, &b->kernel, &b->nkernel, frames, nkernel) &&
	       append(m, &b->user, &b->nuser, frames + nkernel, count - nkernel);
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
	for (uint32_t i = 0; i < m->nstacks; i++) {
		struct alpcscope_stack *s = &m->stacks[i];
		struct stack_build *b = &m->sbuild[i];
		size_t n = (size_t)b->nkernel + b->nuser;
		uint64_t *f = arena_alloc(&m->arena, (n ? n : 1) * sizeof(uint64_t));

		if (!f)
			return false;
		if (b->nkernel)
			memcpy(f, b->kernel, (size_t)b->nkernel * sizeof(uint64_t));
		if (b->nuser)
			memcpy(f + b->nkernel, b->user, (size_t)b->nuser * sizeof(uint64_t));
		s->frames = f;
		s->frame_count = (uint32_t)n;
		s->kernel_frame_count = b->nkernel;
		s->source = b->sources == 1   ? ALPCSCOPE_STACK_WALK
			    : b->sources == 2 ? ALPCSCOPE_STACK_KEYS
					      : ALPCSCOPE_STACK_MIXED;
	}
	return true;
}
