/* SPDX-License-Identifier: MIT */
/*
 * Processes and threads over time, images and services. A PID or TID maps
 * to its *current* instance while events are added in time order; a Start
 * event (or a header naming a TID under a different PID) opens a new
 * instance, so reused IDs never merge. Layouts: docs/event-layouts.md#process, #thread,
 * #image; the creator of a process is the Start event's header TID
 * (#process-header-context).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis/model_internal.h"

#define OP_START    1
#define OP_END      2
#define OP_DCSTART  3
#define OP_DCEND    4
#define OP_DEFUNCT  39
#define OP_IMG_LOAD 10

static uint32_t
new_process(struct alpcscope_model *m, uint32_t pid, bool *oom)
{
	if (!model_grow((void **)&m->procs, &m->cap_procs, m->nprocs, sizeof(*m->procs))) {
		*oom = true;
		return ALPCSCOPE_NONE;
	}
	uint32_t idx = m->nprocs++;
	struct alpcscope_process_instance *p = &m->procs[idx];

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->parent_pid = ALPCSCOPE_ID_UNKNOWN;
	p->image_name = "";
	p->creator_tid = ALPCSCOPE_ID_UNKNOWN;
	p->creator_thread = ALPCSCOPE_NONE;
	p->os_parent = ALPCSCOPE_NONE;
	p->cause_message = ALPCSCOPE_NONE;
	p->logical_parent = ALPCSCOPE_NONE;
	p->chain_node = ALPCSCOPE_NONE;
	if (!idmap_put(&m->pid_map, pid, idx)) {
		*oom = true;
		return ALPCSCOPE_NONE;
	}
	return idx;
}

uint32_t
process_table_current(struct alpcscope_model *m, uint32_t pid, bool *oom)
{
	uint32_t idx = idmap_get(&m->pid_map, pid);

	if (idx != IDMAP_NONE)
		return idx;
	idx = new_process(m, pid, oom);
	if (idx != ALPCSCOPE_NONE)
		m->procs[idx].from_other_events = true;
	return idx;
}

static uint32_t
new_thread(struct alpcscope_model *m, uint32_t process, uint32_t tid, bool *oom)
{
	uint32_t cap = m->cap_threads;

	if (!model_grow((void **)&m->threads, &cap, m->nthreads, sizeof(*m->threads))) {
		*oom = true;
		return ALPCSCOPE_NONE;
	}
	if (cap != m->cap_threads) {
		struct thread_state *ts = realloc(m->tstate, (size_t)cap * sizeof(*ts));

		if (!ts) {
			*oom = true;
			return ALPCSCOPE_NONE;
		}
		m->tstate = ts;
		m->cap_threads = cap;
	}
	uint32_t idx = m->nthreads++;
	struct alpcscope_thread_instance *t = &m->threads[idx];
	struct thread_state *s = &m->tstate[idx];

	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->process = process;
	memset(s, 0, sizeof(*s));
	s->held = ALPCSCOPE_NONE;
	s->port = ALPCSCOPE_NONE;
	s->last_sent = ALPCSCOPE_NONE;
	s->wait_reply_msg = ALPCSCOPE_NONE;
	s->last_endpoint = EP_NONE;
	s->parked = EP_NONE;
	if (!idmap_put(&m->tid_map, tid, idx)) {
		*oom = true;
		return ALPCSCOPE_NONE;
	}
	model_thread_cache_put(m, tid, idx);
	return idx;
}

uint32_t
process_table_thread(struct alpcscope_model *m, uint32_t pid, uint32_t tid, bool *oom)
{
	/* tid_map only changes in new_thread(), which updates the cache too */
	uint32_t idx = model_thread_cached(m, pid, tid);

	if (idx != ALPCSCOPE_NONE)
		return idx;
	idx = idmap_get(&m->tid_map, tid);
	if (idx != IDMAP_NONE)
		model_thread_cache_put(m, tid, idx);
	if (idx != IDMAP_NONE && m->threads[idx].process != ALPCSCOPE_NONE &&
	    m->procs[m->threads[idx].process].pid == pid)
		return idx; /* the common case, checked first */

	if (idx != IDMAP_NONE) {
		uint32_t p = m->threads[idx].process;

		/* A header naming another PID means the TID was reused unseen. */
		if (pid == ALPCSCOPE_ID_UNKNOWN || p == ALPCSCOPE_NONE || m->procs[p].pid == pid)
			return idx;
	}
	uint32_t proc =
	    pid == ALPCSCOPE_ID_UNKNOWN ? ALPCSCOPE_NONE : process_table_current(m, pid, oom);
	if (*oom)
		return ALPCSCOPE_NONE;
	return new_thread(m, proc, tid, oom);
}

static bool
fill_names(struct alpcscope_model *m, struct alpcscope_process_instance *p,
	   const struct alpcscope_process *rec)
{
	if ((!p->image_name || !p->image_name[0]) && rec->image_file_name &&
	    rec->image_file_name[0]) {
		p->image_name = arena_strdup(&m->arena, rec->image_file_name);
		if (!p->image_name)
			return false;
	}
	if (!p->command_line && rec->command_line && rec->command_line[0]) {
		p->command_line = arena_strdup(&m->arena, rec->command_line);
		if (!p->command_line)
			return false;
	}
	if (p->parent_pid == ALPCSCOPE_ID_UNKNOWN)
		p->parent_pid = rec->parent_id;
	if (!p->unique_process_key)
		p->unique_process_key = rec->unique_process_key;
	p->session_id = rec->session_id;
	return true;
}

bool
process_table_on_process(struct alpcscope_model *m, const struct alpcscope_event *ev,
			 const struct alpcscope_process *rec)
{
	bool oom = false;
	uint32_t idx = idmap_get(&m->pid_map, rec->process_id);
	struct alpcscope_process_instance *p;

	switch (ev->opcode) {
	case OP_START: {
		uint32_t parent = idmap_get(&m->pid_map, rec->parent_id);
		uint32_t creator = ALPCSCOPE_NONE;

		if (ev->thread_id != ALPCSCOPE_ID_UNKNOWN) {
			creator = process_table_thread(m, ev->process_id, ev->thread_id, &oom);
			if (oom)
				return false;
		}
		idx = new_process(m, rec->process_id, &oom);
		if (oom)
			return false;
		p = &m->procs[idx];
		p->started_in_trace = true;
		p->start_filetime_100ns = ev->filetime_100ns;
		p->start_ordinal = ev->ordinal;
		p->start_file_offset = ev->file_offset;
		p->creator_tid = ev->thread_id;
		p->creator_thread = creator;
		if (parent != IDMAP_NONE && !m->procs[parent].ended_in_trace)
			p->os_parent = parent;
		if (!fill_names(m, p, rec))
			return false;
		if (creator != ALPCSCOPE_NONE)
			return alpc_pairing_on_process_start(m, idx, creator);
		return true;
	}
	case OP_DCSTART:
		if (idx == IDMAP_NONE ||
		    (m->procs[idx].unique_process_key && rec->unique_process_key &&
		     m->procs[idx].unique_process_key != rec->unique_process_key)) {
			idx = new_process(m, rec->process_id, &oom);
			if (oom)
				return false;
		}
		p = &m->procs[idx];
		p->seen_in_rundown = true;
		return fill_names(m, p, rec);
	case OP_END:
	case OP_DEFUNCT:
	case OP_DCEND:
		if (idx == IDMAP_NONE) {
			idx = new_process(m, rec->process_id, &oom);
			if (oom)
				return false;
		}
		p = &m->procs[idx];
		if (ev->opcode == OP_DCEND) {
			p->seen_in_rundown = true;
		} else if (!p->ended_in_trace) {
			p->ended_in_trace = true;
			p->end_filetime_100ns = ev->filetime_100ns;
			p->exit_status = rec->exit_status;
		}
		return fill_names(m, p, rec);
	default: return true;
	}
}

static bool
set_thread_fields(struct alpcscope_model *m, struct alpcscope_thread_instance *t,
		  const struct alpcscope_thread *rec)
{
	if (rec->sub_process_tag)
		t->sub_process_tag = rec->sub_process_tag;
	if (rec->thread_name && rec->thread_name[0] && !t->name) {
		t->name = arena_strdup(&m->arena, rec->thread_name);
		if (!t->name)
			return false;
	}
	return true;
}

bool
process_table_on_thread(struct alpcscope_model *m, const struct alpcscope_event *ev,
			const struct alpcscope_thread *rec)
{
	bool oom = false;
	uint32_t idx = idmap_get(&m->tid_map, rec->thread_id);
	bool same_proc = idx != IDMAP_NONE && m->threads[idx].process != ALPCSCOPE_NONE &&
			 m->procs[m->threads[idx].process].pid == rec->process_id;

	switch (ev->opcode) {
	case OP_START:
	case OP_DCSTART:
		if (ev->opcode == OP_START || !same_proc) {
			uint32_t proc = process_table_current(m, rec->process_id, &oom);

			if (oom)
				return false;
			idx = new_thread(m, proc, rec->thread_id, &oom);
			if (oom)
				return false;
			if (ev->opcode == OP_START) {
				m->threads[idx].started_in_trace = true;
				m->threads[idx].start_filetime_100ns = ev->filetime_100ns;
			}
		}
		return set_thread_fields(m, &m->threads[idx], rec);
	case OP_END:
	case OP_DCEND:
		if (!same_proc) {
			idx = process_table_thread(m, rec->process_id, rec->thread_id, &oom);
			if (oom)
				return false;
		}
		if (ev->opcode == OP_END && !m->threads[idx].ended_in_trace) {
			m->threads[idx].ended_in_trace = true;
			m->threads[idx].end_filetime_100ns = ev->filetime_100ns;
			if (!alpc_pairing_on_thread_end(m, idx))
				return false;
		}
		return set_thread_fields(m, &m->threads[idx], rec);
	default: return true;
	}
}

bool
process_table_on_thread_name(struct alpcscope_model *m, uint32_t pid, uint32_t tid,
			     const char *name)
{
	bool oom = false;
	uint32_t idx = process_table_thread(m, pid, tid, &oom);

	if (oom)
		return false;
	if (name && name[0]) {
		m->threads[idx].name = arena_strdup(&m->arena, name);
		if (!m->threads[idx].name)
			return false;
	}
	return true;
}

static const char *
basename_of(const char *path)
{
	const char *b = path;

	for (const char *p = path; *p; p++)
		if (*p == '\\' || *p == '/')
			b = p + 1;
	return b;
}

bool
process_table_on_image(struct alpcscope_model *m, const struct alpcscope_event *ev,
		       const struct alpcscope_image *rec)
{
	uint32_t pid = rec->process_id;
	uint64_t base = rec->image_base, size = rec->image_size;
	const char *path = rec->file_name;
	bool oom = false;
	uint32_t proc = ALPCSCOPE_NONE;

	if (pid != 0) {
		proc = process_table_current(m, pid, &oom);
		if (oom)
			return false;
	}
	if (ev->opcode == OP_END) { /* Image Unload (opcode 2) */
		for (uint32_t i = m->nimages; i-- > 0;) {
			struct alpcscope_image_entry *im = &m->images[i];

			if (im->process == proc && im->base == base && !im->unload_filetime_100ns) {
				im->unload_filetime_100ns = ev->filetime_100ns;
				break;
			}
		}
		return true;
	}
	if (ev->opcode != OP_IMG_LOAD && ev->opcode != OP_DCSTART)
		return true;
	if (ev->opcode == OP_DCSTART) {
		/* Rundown repeats what an earlier Load may have said. */
		for (uint32_t i = m->nimages; i-- > 0;)
			if (m->images[i].process == proc && m->images[i].base == base &&
			    !m->images[i].unload_filetime_100ns)
				return true;
	}
	if (!model_grow((void **)&m->images, &m->cap_images, m->nimages, sizeof(*m->images)))
		return false;
	struct alpcscope_image_entry *im = &m->images[m->nimages];

	memset(im, 0, sizeof(*im));
	im->process = proc;
	im->base = base;
	im->size = size;
	im->path = arena_strdup(&m->arena, path ? path : "");
	if (!im->path)
		return false;
	im->module = basename_of(im->path);
	im->load_filetime_100ns = ev->opcode == OP_IMG_LOAD ? ev->filetime_100ns : 0;
	im->time_date_stamp = rec->time_date_stamp;
	m->nimages++;
	return true;
}

bool
process_table_on_service(struct alpcscope_model *m, uint32_t pid, uint32_t tag, const char *name)
{
	if (!name || !name[0])
		return true;
	if (!model_grow((void **)&m->services, &m->cap_services, m->nservices,
			sizeof(*m->services)))
		return false;
	struct service_rec *s = &m->services[m->nservices];

	s->pid = pid;
	s->tag = tag;
	s->name = arena_strdup(&m->arena, name);
	if (!s->name)
		return false;
	m->nservices++;
	return true;
}

static int
cmp_image(const void *a, const void *b)
{
	const struct alpcscope_image_entry *x = a, *y = b;

	if (x->process != y->process)
		return x->process < y->process ? -1 : 1;
	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	if (x->load_filetime_100ns != y->load_filetime_100ns)
		return x->load_filetime_100ns < y->load_filetime_100ns ? -1 : 1;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* "svchost.exe -k netsvcs -p -s Winmgmt" names its one service. */
static const char *
svchost_service(struct alpcscope_model *m, const struct alpcscope_process_instance *p)
{
	if (!p->command_line || strcasecmp(p->image_name, "svchost.exe") != 0)
		return NULL;
	const char *s = strstr(p->command_line, " -s ");

	if (!s)
		return NULL;
	s += 4;
	while (*s == ' ')
		s++;
	size_t n = strcspn(s, " \t");

	if (!n)
		return NULL;
	char *out = arena_alloc(&m->arena, n + 1);

	if (!out)
		return NULL;
	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

bool
process_table_finish(struct alpcscope_model *m)
{
	/* SystemConfig describes trace-end state: the current instance of each PID. */
	for (uint32_t i = 0; i < m->nservices; i++) {
		const struct service_rec *s = &m->services[i];
		uint32_t idx = idmap_get(&m->pid_map, s->pid);

		if (idx == IDMAP_NONE || s->pid == 0)
			continue;
		struct alpcscope_process_instance *p = &m->procs[idx];

		if (!p->services) {
			p->services = s->name;
			continue;
		}
		size_t a = strlen(p->services), b = strlen(s->name);
		char *joined = arena_alloc(&m->arena, a + b + 3);

		if (!joined)
			return false;
		memcpy(joined, p->services, a);
		memcpy(joined + a, ", ", 2);
		memcpy(joined + a + 2, s->name, b + 1);
		p->services = joined;
	}
	for (uint32_t i = 0; i < m->nprocs; i++) {
		struct alpcscope_process_instance *p = &m->procs[i];

		if (!p->services)
			p->services = svchost_service(m, p);
	}
	for (uint32_t i = 0; i < m->nthreads; i++) {
		struct alpcscope_thread_instance *t = &m->threads[i];

		if (!t->sub_process_tag || t->process == ALPCSCOPE_NONE)
			continue;
		for (uint32_t j = 0; j < m->nservices; j++)
			if (m->services[j].tag == t->sub_process_tag &&
			    m->services[j].pid == m->procs[t->process].pid) {
				t->service = m->services[j].name;
				break;
			}
	}
	/* OS parent of processes that started before the trace: the rundown instance. */
	struct idmap first;

	idmap_init(&first);
	for (uint32_t i = 0; i < m->nprocs; i++)
		if (m->procs[i].seen_in_rundown && !m->procs[i].started_in_trace &&
		    idmap_get(&first, m->procs[i].pid) == IDMAP_NONE &&
		    !idmap_put(&first, m->procs[i].pid, i)) {
			idmap_free(&first);
			return false;
		}
	for (uint32_t i = 0; i < m->nprocs; i++) {
		struct alpcscope_process_instance *p = &m->procs[i];

		if (p->started_in_trace || p->os_parent != ALPCSCOPE_NONE ||
		    p->parent_pid == ALPCSCOPE_ID_UNKNOWN)
			continue;
		uint32_t par = idmap_get(&first, p->parent_pid);

		if (par != IDMAP_NONE && par != i)
			p->os_parent = par;
	}
	idmap_free(&first);

	if (m->nimages > 1)
		qsort(m->images, m->nimages, sizeof(*m->images), cmp_image);
	return true;
}
