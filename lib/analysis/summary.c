/* SPDX-License-Identifier: MIT */
/*
 * Collects the counts behind `alpcscope info`: record kinds (from the reader
 * stats), kernel group/opcode, provider/event kinds, processes seen, and the
 * capability check inputs (ALPC events, stacks on them, rundown, image IDs,
 * RPC and WMI providers).
 */
#include <alpcscope/summary.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/summary_internal.h"
#include "util/bytes.h"
#include "util/error.h"

#define GROUP_PROCESS   0x03
#define GROUP_STACKWALK 0x18
#define GROUP_ALPC      0x1A
#define OPCODE_STACK    32

static const struct alpcscope_guid rpc_guid = {
    0x6ad52b32, 0xd609, 0x4be9, {0xae, 0x07, 0xce, 0x8d, 0xae, 0x93, 0x7e, 0x39}};
static const struct alpcscope_guid wmi_guid = {
    0x1418ef04, 0xb0b4, 0x4623, {0xbf, 0x7e, 0xd7, 0x4a, 0xb4, 0x7b, 0xbd, 0xaa}};

enum alpcscope_status
alpcscope_summary_new(struct alpcscope_summary **out, struct alpcscope_error *err)
{
	struct alpcscope_summary *s;

	if (!out)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET, "NULL out");
	s = calloc(1, sizeof(*s));
	if (!s)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	enum alpcscope_status st = alpcscope_decoder_new(&s->decoder, err);
	if (st != ALPCSCOPE_OK) {
		free(s);
		return st;
	}
	*out = s;
	return ALPCSCOPE_OK;
}

void
alpcscope_summary_free(struct alpcscope_summary *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->nproviders; i++)
		free(s->providers[i].kinds);
	free(s->providers);
	free(s->diags);
	free(s->pevents);
	alpcscope_decoder_free(s->decoder);
	free(s);
}

static bool
grow(void **arr, uint32_t *cap, uint32_t n, size_t elem)
{
	if (n < *cap)
		return true;
	uint32_t ncap = *cap ? *cap * 2 : 16;
	void *p = realloc(*arr, (size_t)ncap * elem);

	if (!p)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

static struct summary_provider *
find_provider(struct alpcscope_summary *s, const struct alpcscope_guid *g, bool is_wpp)
{
	if (s->last_provider < s->nproviders &&
	    alpcscope_guid_equal(&s->providers[s->last_provider].guid, g) &&
	    s->providers[s->last_provider].is_wpp == is_wpp)
		return &s->providers[s->last_provider];
	for (uint32_t i = 0; i < s->nproviders; i++) {
		if (alpcscope_guid_equal(&s->providers[i].guid, g) &&
		    s->providers[i].is_wpp == is_wpp) {
			s->last_provider = i;
			return &s->providers[i];
		}
	}
	if (!grow((void **)&s->providers, &s->providers_cap, s->nproviders, sizeof(*s->providers)))
		return NULL;
	struct summary_provider *p = &s->providers[s->nproviders];

	memset(p, 0, sizeof(*p));
	p->guid = *g;
	p->is_wpp = is_wpp;
	s->last_provider = s->nproviders++;
	return p;
}

static bool
count_kind(struct summary_provider *p, uint16_t id, uint8_t opcode, bool classic)
{
	for (uint32_t i = 0; i < p->nkinds; i++) {
		struct summary_kind *k = &p->kinds[i];

		if (k->event_id == id && k->opcode == opcode && k->is_classic == classic) {
			k->count++;
			/* Keep frequent kinds near the front: one swap per hit. */
			if (i > 0 && k->count > p->kinds[i - 1].count) {
				struct summary_kind t = p->kinds[i - 1];
				p->kinds[i - 1] = *k;
				*k = t;
			}
			return true;
		}
	}
	if (!grow((void **)&p->kinds, &p->kinds_cap, p->nkinds, sizeof(*p->kinds)))
		return false;
	p->kinds[p->nkinds++] = (struct summary_kind){id, opcode, classic, 1};
	return true;
}

static uint32_t
tid_slot(uint32_t tid)
{
	return (tid * 2654435761u) >> 22; /* 10 bits */
}

static __attribute__((noinline)) void
note_process(struct alpcscope_summary *s, const struct alpcscope_event *ev)
{
	const struct alpcscope_decoded *d;

	if (alpcscope_decode(s->decoder, ev, &d, NULL) != ALPCSCOPE_OK ||
	    d->kind != ALPCSCOPE_DECODED_PROCESS) {
		s->decode_failures++;
		return;
	}
	const struct alpcscope_process *pr = &d->as.process;

	if (!grow((void **)&s->pevents, &s->pevents_cap, s->npevents, sizeof(*s->pevents)))
		return;
	struct summary_process_event *pe = &s->pevents[s->npevents++];

	pe->ticks = ev->timestamp_ticks;
	pe->filetime = ev->filetime_100ns;
	pe->ordinal = ev->ordinal;
	pe->processor = ev->processor;
	pe->buffer_index = ev->buffer_index;
	pe->buffer_offset = ev->buffer_offset;
	pe->pid = pr->process_id;
	pe->parent_pid = pr->parent_id;
	pe->session_id = pr->session_id;
	pe->opcode = ev->opcode;
	snprintf(pe->image, sizeof(pe->image), "%s",
		 pr->image_file_name ? pr->image_file_name : "");
	snprintf(pe->command_line, sizeof(pe->command_line), "%s",
		 pr->command_line ? pr->command_line : "");
}

/*
 * Time order as the reader's merge makes it: the header buffer (index 0)
 * first, then by time stamp, ties by processor, then stream position.
 */
static int
cmp_process_event(const void *a, const void *b)
{
	const struct summary_process_event *x = a, *y = b;
	bool xh = x->buffer_index == 0, yh = y->buffer_index == 0;

	if (xh != yh)
		return xh ? -1 : 1;
	if (x->ticks != y->ticks)
		return x->ticks < y->ticks ? -1 : 1;
	if (x->processor != y->processor)
		return x->processor < y->processor ? -1 : 1;
	if (x->buffer_index != y->buffer_index)
		return x->buffer_index < y->buffer_index ? -1 : 1;
	if (x->buffer_offset != y->buffer_offset)
		return x->buffer_offset < y->buffer_offset ? -1 : 1;
	return x->ordinal < y->ordinal ? -1 : (x->ordinal > y->ordinal);
}

/* Apply one event to the table @p t of @p *n entries (room for every event). */
static void
apply_process_event(struct summary_process *t, uint32_t *n, const struct summary_process_event *pe)
{
	struct summary_process *p = NULL;

	/* The newest entry for a PID is the live one; a Start after an End is a new process. */
	for (uint32_t i = *n; i-- > 0;) {
		if (t[i].pid == pe->pid) {
			p = &t[i];
			break;
		}
	}
	if (p && pe->opcode == 1 && p->ended_in_trace)
		p = NULL;
	if (!p) {
		p = &t[(*n)++];
		memset(p, 0, sizeof(*p));
		p->pid = pe->pid;
		p->first_filetime = pe->filetime;
	}
	p->parent_pid = pe->parent_pid;
	p->session_id = pe->session_id;
	if (pe->opcode == 1)
		p->started_in_trace = true;
	if (pe->opcode == 2)
		p->ended_in_trace = true;
	if (pe->image[0])
		memcpy(p->image, pe->image, sizeof(p->image));
	if (pe->command_line[0])
		memcpy(p->command_line, pe->command_line, sizeof(p->command_line));
}

bool
summary_processes(const struct alpcscope_summary *s, struct summary_process **out, uint32_t *count)
{
	*out = NULL;
	*count = 0;
	if (!s->npevents)
		return true;
	struct summary_process_event *ev = malloc(s->npevents * sizeof(*ev));
	struct summary_process *t = malloc(s->npevents * sizeof(*t));

	if (!ev || !t) {
		free(ev);
		free(t);
		return false;
	}
	memcpy(ev, s->pevents, s->npevents * sizeof(*ev));
	qsort(ev, s->npevents, sizeof(*ev), cmp_process_event);
	for (uint32_t i = 0; i < s->npevents; i++)
		apply_process_event(t, count, &ev[i]);
	free(ev);
	*out = t;
	return true;
}

static enum alpcscope_status add_provider_event(struct alpcscope_summary *s,
						const struct alpcscope_event *ev,
						struct alpcscope_error *err);

enum alpcscope_status
alpcscope_summary_add_event(struct alpcscope_summary *s, const struct alpcscope_event *ev,
			    struct alpcscope_error *err)
{
	if (ev->has_timestamp && ev->kind != ALPCSCOPE_RECORD_OPAQUE) {
		if (!s->have_time || ev->filetime_100ns < s->first_filetime)
			s->first_filetime = ev->filetime_100ns;
		if (!s->have_time || ev->filetime_100ns > s->last_filetime)
			s->last_filetime = ev->filetime_100ns;
		s->have_time = true;
	}
	for (uint16_t i = 0; i < ev->ext_count && i < ALPCSCOPE_MAX_EXT_ITEMS; i++)
		if (ev->ext[i].type == ALPCSCOPE_EXT_STACK_TRACE32 ||
		    ev->ext[i].type == ALPCSCOPE_EXT_STACK_TRACE64 ||
		    ev->ext[i].type == ALPCSCOPE_EXT_STACK_KEY32 ||
		    ev->ext[i].type == ALPCSCOPE_EXT_STACK_KEY64)
			s->stack_ext_items++;

	if (ev->is_kernel) {
		s->kernel[ev->group][ev->opcode]++;
		s->kernel_by_group[ev->group]++;
		if (ev->group == GROUP_ALPC) {
			uint32_t slot = tid_slot(ev->thread_id);

			s->alpc_events++;
			s->alpc_tid_slots[slot] = ev->thread_id;
			s->alpc_tid_ticks[slot] = ev->timestamp_ticks;
		} else if (ev->group == GROUP_STACKWALK) {
			/* Stack walks follow their event: same thread, the event's time stamp. */
			if (ev->opcode == OPCODE_STACK)
				s->stack_walks++;
			else if (ev->opcode == 37 || ev->opcode == 38)
				s->stack_key_refs++;
			if ((ev->opcode == OPCODE_STACK || ev->opcode == 37 || ev->opcode == 38) &&
			    ev->payload_size >= 16) {
				int64_t t = (int64_t)le64_load(ev->payload);
				uint32_t tid = le32_load(ev->payload + 12);
				uint32_t slot = tid_slot(tid);

				if (s->alpc_events && s->alpc_tid_slots[slot] == tid &&
				    s->alpc_tid_ticks[slot] == t)
					s->alpc_stacks++;
			}
		} else if (ev->group == GROUP_PROCESS && ev->opcode != 10 &&
			   (ev->opcode <= 4 || ev->opcode == 39)) {
			note_process(s, ev);
		}
		return ALPCSCOPE_OK;
	}
	if (ev->kind == ALPCSCOPE_RECORD_OPAQUE)
		return ALPCSCOPE_OK;
	return add_provider_event(s, ev, err);
}

/*
 * A provider's event: counted per provider and kind. Out of line, so that
 * the kernel events, most of a trace, take the short path above.
 */
static __attribute__((noinline)) enum alpcscope_status
add_provider_event(struct alpcscope_summary *s, const struct alpcscope_event *ev,
		   struct alpcscope_error *err)
{
	struct alpcscope_guid none = {0, 0, 0, {0}};
	const struct alpcscope_guid *g = ev->has_provider ? &ev->provider : &none;
	bool is_wpp = ev->kind == ALPCSCOPE_RECORD_WPP_MESSAGE;
	bool classic =
	    ev->kind >= ALPCSCOPE_RECORD_FULL32 && ev->kind <= ALPCSCOPE_RECORD_INSTANCE64;
	struct summary_provider *p = find_provider(s, g, is_wpp);

	if (!p)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	p->count++;
	if (!count_kind(p, ev->event_id, ev->opcode, classic))
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	if (alpcscope_guid_equal(g, &rpc_guid))
		s->rpc_events++;
	else if (alpcscope_guid_equal(g, &wmi_guid))
		s->wmi_events++;
	else if (alpcscope_guid_equal(g, alpcscope_image_id_guid()))
		s->image_id_events++;
	return ALPCSCOPE_OK;
}

void
alpcscope_summary_add_diagnostic(struct alpcscope_summary *s, const struct alpcscope_diagnostic *d)
{
	struct summary_diag *e = NULL;

	for (uint32_t i = 0; i < s->ndiags; i++)
		if (strcmp(s->diags[i].id, d->id) == 0)
			e = &s->diags[i];
	if (!e) {
		if (!grow((void **)&s->diags, &s->diags_cap, s->ndiags, sizeof(*s->diags)))
			return;
		e = &s->diags[s->ndiags++];
		memset(e, 0, sizeof(*e));
		snprintf(e->id, sizeof(e->id), "%s", d->id);
		e->severity = d->severity;
	}
	e->count++;
	if (e->nsamples < SUMMARY_DIAG_SAMPLES) {
		e->samples[e->nsamples].file_offset = d->file_offset;
		e->samples[e->nsamples].buffer_index = d->buffer_index;
		snprintf(e->samples[e->nsamples].message, sizeof(e->samples[0].message), "%s",
			 d->message);
		e->nsamples++;
	}
}

uint64_t
alpcscope_summary_kernel_count(const struct alpcscope_summary *s, uint8_t group, uint8_t opcode)
{
	return s->kernel[group][opcode];
}

uint64_t
alpcscope_summary_provider_count(const struct alpcscope_summary *s,
				 const struct alpcscope_guid *guid)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < s->nproviders; i++)
		if (alpcscope_guid_equal(&s->providers[i].guid, guid))
			n += s->providers[i].count;
	return n;
}
