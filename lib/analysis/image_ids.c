/* SPDX-License-Identifier: MIT */
/*
 * Image identities merged into a trace by xperf/WPR (KernelTraceControl
 * ImageID opcode 0, DbgID_RSDS opcode 36; docs/symbols.md §Matching). They
 * name an image by its base address and come with the same timestamp as
 * the Image Load/DCStart they describe, just before or after it. ImageID
 * logs ProcessId 0, DbgID the image's process. At finish each image takes
 * the record with its base that fits best: same process, then nearest time.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/model_internal.h"
#include "util/scrub.h"

struct image_id_rec {
	uint64_t base;
	uint64_t size;
	int64_t filetime_100ns;
	uint32_t pid; /* DbgID ProcessId, else the header's */
	bool is_dbg_id;
	uint32_t time_date_stamp;
	struct alpcscope_guid guid;
	uint32_t age;
	const char *pdb_name;
};

bool
image_ids_on_event(struct alpcscope_model *m, const struct alpcscope_event *ev,
		   const struct alpcscope_decoded *d)
{
	struct image_id_rec r = {0};

	if (d->kind == ALPCSCOPE_DECODED_IMAGE_ID) {
		r.base = d->as.image_id.image_base;
		r.size = d->as.image_id.image_size;
		r.pid = ev->process_id;
		r.time_date_stamp = d->as.image_id.time_date_stamp;
	} else if (d->kind == ALPCSCOPE_DECODED_DBG_ID && ev->opcode == 36) {
		r.base = d->as.dbg_id.image_base;
		r.pid = d->as.dbg_id.process_id;
		r.is_dbg_id = true;
		r.guid = d->as.dbg_id.guid_sig;
		r.age = d->as.dbg_id.age;
		r.pdb_name = arena_strdup(
		    &m->arena, d->as.dbg_id.pdb_file_name ? d->as.dbg_id.pdb_file_name : "");
		if (!r.pdb_name)
			return false;
		/* A name from the trace reaches text output: no control characters. */
		for (char *c = (char *)r.pdb_name; *c; c++)
			*c = scrub_char((unsigned char)*c);
	} else {
		return true;
	}
	r.filetime_100ns = ev->filetime_100ns;
	if (!model_grow((void **)&m->image_ids, &m->cap_image_ids, m->nimage_ids,
			sizeof(*m->image_ids)))
		return false;
	m->image_ids[m->nimage_ids++] = r;
	return true;
}

static int
cmp_base(const void *a, const void *b)
{
	const struct image_id_rec *x = a, *y = b;

	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	return x->filetime_100ns < y->filetime_100ns ? -1 : x->filetime_100ns > y->filetime_100ns;
}

static uint64_t
distance(int64_t a, int64_t b)
{
	return a > b ? (uint64_t)a - (uint64_t)b : (uint64_t)b - (uint64_t)a;
}

/* The best record of kind @p dbg among [lo, hi) for image @p im of process @p pid. */
static const struct image_id_rec *
best(const struct image_id_rec *r, size_t lo, size_t hi, bool dbg, uint32_t pid,
     const struct alpcscope_image_entry *im)
{
	const struct image_id_rec *pick = NULL;
	int64_t when = im->load_filetime_100ns;

	for (size_t i = lo; i < hi; i++) {
		if (r[i].is_dbg_id != dbg)
			continue;
		if (r[i].size && im->size && r[i].size != im->size)
			continue;
		if (!pick) {
			pick = &r[i];
			continue;
		}
		bool same = dbg && r[i].pid == pid, was_same = dbg && pick->pid == pid;

		if (same != was_same) {
			if (same)
				pick = &r[i];
			continue;
		}
		if (distance(r[i].filetime_100ns, when) < distance(pick->filetime_100ns, when))
			pick = &r[i];
	}
	return pick;
}

bool
image_ids_finish(struct alpcscope_model *m)
{
	struct image_id_rec *r = m->image_ids;
	size_t n = m->nimage_ids;

	if (!n)
		return true;
	qsort(r, n, sizeof(*r), cmp_base);
	for (uint32_t i = 0; i < m->nimages; i++) {
		struct alpcscope_image_entry *im = &m->images[i];
		uint32_t pid = im->process == ALPCSCOPE_NONE ? 0 : m->procs[im->process].pid;
		size_t lo = 0, hi = n;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (r[mid].base < im->base)
				lo = mid + 1;
			else
				hi = mid;
		}
		size_t end = lo;

		while (end < n && r[end].base == im->base)
			end++;
		if (end == lo)
			continue;
		const struct image_id_rec *dbg = best(r, lo, end, true, pid, im);
		const struct image_id_rec *info = best(r, lo, end, false, pid, im);

		if (dbg) {
			im->has_pdb_id = true;
			im->pdb_guid = dbg->guid;
			im->pdb_age = dbg->age;
			im->pdb_name = dbg->pdb_name;
		}
		if (info && !im->time_date_stamp)
			im->time_date_stamp = info->time_date_stamp;
	}
	return true;
}
