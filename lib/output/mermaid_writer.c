/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope chains --format mermaid`: each call chain as a Mermaid sequence
 * diagram in a fenced ```mermaid block (paste into Markdown: GitHub and any
 * Mermaid viewer render it). One lifeline per process in order of first
 * appearance, a solid arrow per request (with its message number and port),
 * a dashed arrow per reply with the round-trip latency, an async arrow for a
 * one-way message, and a note for every process the chain created. Names
 * come from the trace and may be hostile: every character outside a small
 * safe set is written as a Mermaid entity code (#NNN;), so no name can end a
 * statement, open a directive or leave the code block.
 */
#include <alpcscope/model.h>

#include <string.h>

#include "output/mermaid_writer.h"
#include "output/model_output.h"
#include "util/error.h"
#include "util/strbuf.h"

#define MAX_PARTICIPANTS 256

struct mw {
	struct mo_cache c;
	struct strbuf sb;
	uint32_t procs[MAX_PARTICIPANTS]; /* process index per participant */
	uint32_t nprocs;
};

static bool
safe_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       strchr(" ._-()/\\,=+@!$*[]'~^|?", ch) != NULL;
}

/* UTF-8 sequence length at @p s when valid (2..4), else 0. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;

	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return s[0] >= 0xF8 ? 0 : n;
}

/* @p s with every unsafe character as a Mermaid entity code. */
static void
put_text(struct strbuf *sb, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;) {
		size_t n = *p >= 0x80 ? utf8_len(p) : 0;

		if (n) {
			mo_put(sb, (const char *)p, n);
			p += n;
		} else if (*p < 0x80 && safe_char(*p)) {
			mo_putc(sb, (char)*p++);
		} else {
			strbuf_printf(sb, "#%u;", *p >= 0x80 ? 0xFFFDu : *p);
			p++;
		}
	}
}

/* Participant number of process @p proc, added on first sight (NONE = "unknown"). */
static uint32_t
participant(struct mw *w, uint32_t proc)
{
	for (uint32_t i = 0; i < w->nprocs; i++)
		if (w->procs[i] == proc)
			return i;
	if (w->nprocs == MAX_PARTICIPANTS)
		return MAX_PARTICIPANTS - 1; /* a chain this wide shares the last lifeline */
	w->procs[w->nprocs] = proc;
	return w->nprocs++;
}

static uint32_t
pid_of(const struct alpcscope_model *m, uint32_t proc)
{
	const struct alpcscope_process_instance *p = alpcscope_model_process_at(m, proc);

	return p ? p->pid : ALPCSCOPE_ID_UNKNOWN;
}

/* Process whose thread created process @p proc, or ALPCSCOPE_NONE. */
static uint32_t
creator_process(const struct alpcscope_model *m, uint32_t proc)
{
	const struct alpcscope_process_instance *p = alpcscope_model_process_at(m, proc);
	const struct alpcscope_thread_instance *t =
	    p ? alpcscope_model_thread_at(m, p->creator_thread) : NULL;

	return t ? t->process : ALPCSCOPE_NONE;
}

/* First pass: participants in order of first appearance (pre-order walk). */
static void
collect(struct mw *w, uint32_t node)
{
	const struct alpcscope_model *m = w->c.m;
	const struct alpcscope_chain_node *n = alpcscope_model_chain_node_at(m, node);

	if (n->kind == ALPCSCOPE_NODE_MESSAGE) {
		const struct alpcscope_message *msg = alpcscope_model_message_at(m, n->message);

		participant(w, alpcscope_model_event_process(m, &msg->send));
		participant(w, alpcscope_model_event_process(m, &msg->receive));
	} else {
		participant(w, creator_process(m, n->process));
	}
	for (uint32_t c = n->first_child; c != ALPCSCOPE_NONE;
	     c = alpcscope_model_chain_node_at(m, c)->next_sibling)
		collect(w, c);
}

/* Arrows of @p node and its subtree; the reply closes the request after its children. */
static void
arrows(struct mw *w, uint32_t node, uint32_t depth)
{
	const struct alpcscope_model *m = w->c.m;
	const struct alpcscope_chain_node *n = alpcscope_model_chain_node_at(m, node);
	struct strbuf *sb = &w->sb;

	if (depth > 1000) /* chains are bounded by the trace; keep the stack bounded too */
		return;
	if (n->kind == ALPCSCOPE_NODE_PROCESS) {
		const struct alpcscope_process_instance *p =
		    alpcscope_model_process_at(m, n->process);

		strbuf_printf(sb, "    Note over P%u: creates ",
			      participant(w, creator_process(m, n->process)));
		put_text(sb, mo_label(&w->c, n->process));
		strbuf_printf(sb, " (pid %u)\n", p->pid);
		return;
	}
	const struct alpcscope_message *msg = alpcscope_model_message_at(m, n->message);
	const struct alpcscope_message *reply = alpcscope_model_message_at(m, msg->related);
	uint32_t from = participant(w, alpcscope_model_event_process(m, &msg->send));
	uint32_t to = participant(w, alpcscope_model_event_process(m, &msg->receive));
	const char *port = alpcscope_model_port_name(m, msg->port);
	bool replied = reply && reply->send.thread != ALPCSCOPE_NONE;
	bool one_way = msg->kind == ALPCSCOPE_MESSAGE_ONE_WAY;

	strbuf_printf(sb, "    P%u%sP%u: ", from, one_way ? "-)" : replied ? "->>+" : "->>", to);
	strbuf_printf(sb, "%s %u, id 0x%x", one_way ? "one-way" : "request", n->message,
		      msg->message_id);
	if (port) {
		MO_LIT(sb, ", port ");
		put_text(sb, port);
	}
	mo_putc(sb, '\n');
	for (uint32_t c = n->first_child; c != ALPCSCOPE_NONE;
	     c = alpcscope_model_chain_node_at(m, c)->next_sibling)
		arrows(w, c, depth + 1);
	if (replied) {
		strbuf_printf(sb, "    P%u-->>-P%u: reply %u after ", to, from, msg->related);
		mo_sb_latency(sb, mo_latency(m, msg));
		mo_putc(sb, '\n');
	} else if (!one_way) {
		strbuf_printf(sb, "    Note over P%u: no reply seen (%s)\n", to,
			      msg->evidence & ALPCSCOPE_EVIDENCE_ABANDONED ? "abandoned"
									   : "trace end");
	}
}

static void
write_chain(struct mw *w, uint32_t ci)
{
	const struct alpcscope_model *m = w->c.m;
	const struct alpcscope_chain *c = alpcscope_model_chain_at(m, ci);
	struct strbuf *sb = &w->sb;

	w->nprocs = 0;
	collect(w, c->root_node);
	strbuf_printf(sb, "**chain %u**: client ", ci);
	put_text(sb, mo_label(&w->c, c->root_process));
	strbuf_printf(sb, "; %u messages, %u processes created, depth %u\n\n```mermaid\n",
		      c->message_count, c->process_count, c->max_depth);
	MO_LIT(sb, "sequenceDiagram\n");
	for (uint32_t i = 0; i < w->nprocs; i++) {
		strbuf_printf(sb, "    participant P%u as ", i);
		put_text(sb, mo_label(&w->c, w->procs[i]));
		if (w->procs[i] != ALPCSCOPE_NONE)
			strbuf_printf(sb, " pid %u", pid_of(m, w->procs[i]));
		mo_putc(sb, '\n');
	}
	arrows(w, c->root_node, 0);
	MO_LIT(sb, "```\n\n");
}

enum alpcscope_status
mermaid_chains_write(const struct alpcscope_model *m, const struct alpcscope_write_options *o,
		     FILE *out, struct alpcscope_error *err)
{
	struct mw w;
	uint32_t nc = alpcscope_model_chain_count(m), written = 0;
	bool ok = true;

	if (o->caused_process_only)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "--caused-process has no mermaid form: use text, json, jsonl, "
				 "csv or xml");
	memset(&w, 0, sizeof(w));
	mo_cache_init(&w.c, m);
	for (uint32_t ci = 0; ci < nc && ok; ci++) {
		if (o->chain_filter && !o->chain_filter(o->filter_ctx, m, ci))
			continue;
		write_chain(&w, ci);
		written++;
		if (w.sb.len >= 1u << 16 || w.sb.oom)
			ok = !w.sb.oom && mo_sb_flush(&w.sb, out);
	}
	if (ok && !written)
		MO_LIT(&w.sb, "<!-- alpcscope chains: no chain matches -->\n");
	bool oom = w.sb.oom;

	if (ok)
		ok = !oom && mo_sb_flush(&w.sb, out);
	strbuf_free(&w.sb);
	mo_cache_free(&w.c);
	if (oom)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	if (!ok || fflush(out) != 0 || ferror(out))
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "write error");
	return ALPCSCOPE_OK;
}
