/* SPDX-License-Identifier: MIT */
/*
 * Where a trace lost events, for the pairing's near-loss evidence
 * (docs/analysis.md §Loss): the windows the reader located from gaps in the
 * buffer sequence numbers, merged once at finish, and the test of a
 * message's Send..Receive span against them.
 */
#include <stdlib.h>

#include "analysis/model_internal.h"

static int
cmp_span(const void *x, const void *y)
{
	const struct loss_span *a = x, *b = y;

	return a->start < b->start ? -1 : a->start > b->start;
}

/* Sort the loss windows and merge overlapping ones (ends then ascend too). */
void
alpc_loss_merge(struct alpcscope_model *m)
{
	uint32_t n = 0;

	if (!m->nloss)
		return;
	qsort(m->loss, m->nloss, sizeof(*m->loss), cmp_span);
	for (uint32_t i = 1; i < m->nloss; i++) {
		if (m->loss[i].start <= m->loss[n].end) {
			if (m->loss[i].end > m->loss[n].end)
				m->loss[n].end = m->loss[i].end;
		} else {
			m->loss[++n] = m->loss[i];
		}
	}
	m->nloss = n + 1;
}

/* Does [from, to] meet a loss window? */
static bool
near_loss(const struct alpcscope_model *m, int64_t from, int64_t to)
{
	uint32_t lo = 0, hi = m->nloss;

	while (lo < hi) { /* first window ending at or after @p from */
		uint32_t mid = lo + (hi - lo) / 2;

		if (m->loss[mid].end < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->nloss && m->loss[lo].start <= to;
}

/* Evidence near-loss for a message with an event in a loss window or spanning one. */
void
alpc_loss_mark(struct alpcscope_model *m, struct alpcscope_message *msg)
{
	int64_t a = msg->send.thread != ALPCSCOPE_NONE ? msg->send.filetime_100ns
						       : msg->receive.filetime_100ns;
	int64_t b = msg->receive.thread != ALPCSCOPE_NONE ? msg->receive.filetime_100ns : a;

	if (near_loss(m, a < b ? a : b, a < b ? b : a)) {
		msg->evidence |= ALPCSCOPE_EVIDENCE_NEAR_LOSS;
		m->stats.messages_near_loss++;
	}
}
