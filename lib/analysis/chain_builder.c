/* SPDX-License-Identifier: MIT */
/*
 * Call chains from the pairing results (docs/analysis.md §Chains). A
 * message's parent is the request its sending thread was serving when it
 * sent it; a process's cause is the request its creator thread was serving
 * when the Process Start was logged. Every request that has a nested
 * request or a caused process roots (or joins) a tree. Because a parent is
 * always created before its children, one forward pass over the messages
 * builds every tree; children stay in trace order.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/model_internal.h"

static uint32_t
new_node(struct alpcscope_model *m, uint8_t kind, uint32_t parent)
{
	if (!model_grow((void **)&m->nodes, &m->cap_nodes, m->nnodes, sizeof(*m->nodes)))
		return ALPCSCOPE_NONE;
	uint32_t idx = m->nnodes++;
	struct alpcscope_chain_node *n = &m->nodes[idx];

	n->kind = kind;
	n->message = ALPCSCOPE_NONE;
	n->process = ALPCSCOPE_NONE;
	n->parent = parent;
	n->first_child = ALPCSCOPE_NONE;
	n->next_sibling = ALPCSCOPE_NONE;
	n->depth = parent == ALPCSCOPE_NONE ? 0 : m->nodes[parent].depth + 1;
	n->chain = parent == ALPCSCOPE_NONE ? ALPCSCOPE_NONE : m->nodes[parent].chain;
	return idx;
}

/* Ordinal that places a node among its siblings. */
static uint64_t
node_ordinal(const struct alpcscope_model *m, const struct alpcscope_chain_node *n)
{
	if (n->kind == ALPCSCOPE_NODE_PROCESS)
		return m->procs[n->process].start_ordinal;
	const struct alpcscope_message *msg = model_msg(m, n->message);

	return msg->send.thread != ALPCSCOPE_NONE ? msg->send.ordinal : msg->receive.ordinal;
}

static void
link_child(struct alpcscope_model *m, uint32_t parent, uint32_t child, uint32_t *last_child)
{
	uint64_t ord = node_ordinal(m, &m->nodes[child]);
	uint32_t last = last_child[parent];

	if (last == ALPCSCOPE_NONE) {
		m->nodes[parent].first_child = child;
		last_child[parent] = child;
		return;
	}
	if (node_ordinal(m, &m->nodes[last]) <= ord) {
		m->nodes[last].next_sibling = child;
		last_child[parent] = child;
		return;
	}
	/* Out of order (process nodes are linked after all messages): insert. */
	uint32_t *pp = &m->nodes[parent].first_child;

	while (*pp != ALPCSCOPE_NONE && node_ordinal(m, &m->nodes[*pp]) <= ord)
		pp = &m->nodes[*pp].next_sibling;
	m->nodes[child].next_sibling = *pp;
	*pp = child;
}

static uint32_t
thread_process(const struct alpcscope_model *m, uint32_t thread)
{
	return thread == ALPCSCOPE_NONE ? ALPCSCOPE_NONE : m->threads[thread].process;
}

static bool
new_chain(struct alpcscope_model *m, uint32_t root, uint32_t root_process)
{
	if (!model_grow((void **)&m->chains, &m->cap_chains, m->nchains, sizeof(*m->chains)))
		return false;
	struct alpcscope_chain *c = &m->chains[m->nchains];

	memset(c, 0, sizeof(*c));
	c->root_node = root;
	c->root_process = root_process;
	m->nodes[root].chain = m->nchains++;
	return true;
}

/* Count nodes, depth and distinct processes of each chain by walking its tree. */
static bool
chain_stats(struct alpcscope_model *m)
{
	uint32_t *stamp = calloc(m->nprocs ? m->nprocs : 1, sizeof(uint32_t));

	if (!stamp)
		return false;
	for (uint32_t c = 0; c < m->nchains; c++) {
		struct alpcscope_chain *ch = &m->chains[c];
		uint32_t n = ch->root_node;

		while (n != ALPCSCOPE_NONE) {
			const struct alpcscope_chain_node *node = &m->nodes[n];
			uint32_t procs[3] = {ALPCSCOPE_NONE, ALPCSCOPE_NONE, ALPCSCOPE_NONE};

			ch->node_count++;
			if (node->depth > ch->max_depth)
				ch->max_depth = node->depth;
			if (node->kind == ALPCSCOPE_NODE_PROCESS) {
				ch->process_count++;
				procs[0] = node->process;
			} else {
				const struct alpcscope_message *msg = model_msg(m, node->message);

				ch->message_count++;
				procs[0] = thread_process(m, msg->send.thread);
				procs[1] = thread_process(m, msg->receive.thread);
			}
			for (int k = 0; k < 3; k++)
				if (procs[k] != ALPCSCOPE_NONE && stamp[procs[k]] != c + 1) {
					stamp[procs[k]] = c + 1;
					ch->process_span++;
				}
			/* pre-order walk */
			if (node->first_child != ALPCSCOPE_NONE) {
				n = node->first_child;
				continue;
			}
			while (n != ALPCSCOPE_NONE && n != ch->root_node &&
			       m->nodes[n].next_sibling == ALPCSCOPE_NONE)
				n = m->nodes[n].parent;
			n = (n == ALPCSCOPE_NONE || n == ch->root_node) ? ALPCSCOPE_NONE
									: m->nodes[n].next_sibling;
		}
	}
	free(stamp);
	return true;
}

bool
chain_builder_finish(struct alpcscope_model *m)
{
	uint32_t *last_child = NULL;
	uint32_t cap_last = 0;
	bool ok = false;

	/* alpc_pairing_finish() marked every message with a nested child (has_child). */
	for (uint32_t p = 0; p < m->nprocs; p++) {
		uint32_t q = m->procs[p].cause_message;

		if (q == ALPCSCOPE_NONE)
			continue;
		model_work(m, q)->has_child = true;
		if (m->chain_bits)
			m->chain_bits[q >> 6] |= 1ull << (q & 63);
	}

	/* Messages in index order: only those with a chain bit, or all without the bits. */
	for (uint32_t i = 0; i < m->nmsgs; i++) {
		if (m->chain_bits) {
			uint64_t w = m->chain_bits[i >> 6] >> (i & 63);

			if (!w) {
				i |= 63; /* nothing left in this word */
				continue;
			}
			i += (uint32_t)__builtin_ctzll(w);
			if (i >= m->nmsgs)
				break;
		}
		struct alpcscope_message *msg = model_msg(m, i);
		uint32_t pn = ALPCSCOPE_NONE;

		if (msg->parent != ALPCSCOPE_NONE)
			pn = model_msg(m, msg->parent)->chain_node;
		else if (!model_work(m, i)->has_child)
			continue;
		uint32_t node = new_node(m, ALPCSCOPE_NODE_MESSAGE, pn);

		if (node == ALPCSCOPE_NONE)
			goto out;
		if (!model_grow((void **)&last_child, &cap_last, node, sizeof(uint32_t)))
			goto out;
		last_child[node] = ALPCSCOPE_NONE;
		m->nodes[node].message = i;
		msg->chain_node = node;
		if (pn == ALPCSCOPE_NONE) {
			uint32_t client = thread_process(m, msg->send.thread);

			if (!new_chain(m, node, client))
				goto out;
		} else {
			link_child(m, pn, node, last_child);
		}
	}
	for (uint32_t p = 0; p < m->nprocs; p++) {
		struct alpcscope_process_instance *proc = &m->procs[p];

		if (proc->cause_message == ALPCSCOPE_NONE)
			continue;
		uint32_t pn = model_msg(m, proc->cause_message)->chain_node;
		uint32_t node = new_node(m, ALPCSCOPE_NODE_PROCESS, pn);

		if (node == ALPCSCOPE_NONE)
			goto out;
		if (!model_grow((void **)&last_child, &cap_last, node, sizeof(uint32_t)))
			goto out;
		last_child[node] = ALPCSCOPE_NONE;
		m->nodes[node].process = p;
		proc->chain_node = node;
		link_child(m, pn, node, last_child);
		proc->logical_parent = m->chains[m->nodes[node].chain].root_process;
	}
	ok = chain_stats(m);
out:
	free(last_child);
	free(m->chain_bits);
	m->chain_bits = NULL;
	return ok;
}
