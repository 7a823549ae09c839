/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope chains --caused-process`: one answer per selected process in
 * every format: the chain path from its root client when a chain leads to
 * it, otherwise who created it directly, that it ran before the trace, or
 * that nothing named so was created (docs/output-schema.md §chains).
 */
#include <inttypes.h>
#include <string.h>

#include "output/chains_writer_internal.h"
#include "output/model_output.h"
#include "output/rpc_output.h"
#include "util/strbuf.h"
#include "util/utf8.h"

void
cw_write_caused(struct cw *w, const struct alpcscope_write_options *o, uint32_t node, bool *first)
{
	const struct alpcscope_model *m = w->c.m;
	const struct alpcscope_chain_node *pn = alpcscope_model_chain_node_at(m, node);
	const struct alpcscope_process_instance *p = alpcscope_model_process_at(m, pn->process);
	struct strbuf *sb = &w->out;
	uint32_t path[256];
	size_t n = 0;
	char label[MO_LABEL_SIZE], os[MO_LABEL_SIZE], logical[MO_LABEL_SIZE], arrows[2048];
	char t[MO_TIME_SIZE];

	for (uint32_t i = node; i != ALPCSCOPE_NONE && n < 256;
	     i = alpcscope_model_chain_node_at(m, i)->parent)
		path[n++] = i;
	mo_process_label(m, pn->process, label, sizeof(label));
	mo_process_label(m, p->os_parent, os, sizeof(os));
	mo_process_label(m, p->logical_parent, logical, sizeof(logical));
	snprintf(arrows, sizeof(arrows), "%s", cw_path_text(w, node, " -> "));
	utf8_trim_partial(arrows); /* the cut must not split a UTF-8 sequence */

	if (o->format == ALPCSCOPE_OUTPUT_TEXT) {
		mo_sb_text(sb, label);
		strbuf_printf(sb, " (pid %u) created %s\n", p->pid,
			      mo_time(t, p->start_filetime_100ns));
		MO_LIT(sb, "  OS parent:      ");
		mo_sb_text(sb, os);
		strbuf_printf(sb, " (pid %u)\n", p->parent_pid);
		MO_LIT(sb, "  logical parent: ");
		mo_sb_text(sb, logical);
		strbuf_printf(sb, "\n  chain %u: ", pn->chain);
		mo_sb_text(sb, arrows);
		mo_putc(sb, '\n');
		for (size_t k = n, hop = 1; k-- > 0; hop++) {
			struct nrow r;

			cw_fill_nrow(w, path[k], &r);
			strbuf_printf(sb, "  hop %zu: %s ", hop, mo_time(t, r.time));
			mo_sb_text(sb, r.summary);
			MO_LIT(sb, "\n         edge: ");
			mo_sb_text(sb, r.edge_text);
			mo_putc(sb, '\n');
			if (r.msg) {
				MO_LIT(sb, "         evidence: ");
				mo_sb_evidence(sb, r.evidence);
				mo_putc(sb, '\n');
			}
			cw_write_rpc_wmi_text(m, sb, 9, "", &r);
		}
		mo_putc(sb, '\n');
		return;
	}
	if (o->format == ALPCSCOPE_OUTPUT_JSON) {
		mo_puts(sb, *first ? "\n" : ",\n");
		MO_LIT(sb, "{\"process\":");
		mo_sb_jstr(sb, label);
		MO_LIT(sb, ",\"pid\":");
		mo_sb_jid(sb, p->pid);
		MO_LIT(sb, ",\"creation\":\"chain\",\"time\":");
		mo_sb_jstr(sb, mo_time(t, p->start_filetime_100ns));
		MO_LIT(sb, ",\"os_parent\":");
		mo_sb_jstr(sb, os);
		MO_LIT(sb, ",\"os_parent_pid\":");
		mo_sb_u64(sb, p->parent_pid);
		MO_LIT(sb, ",\"logical_parent\":");
		mo_sb_jstr(sb, logical);
		MO_LIT(sb, ",\"chain\":");
		mo_sb_u64(sb, pn->chain);
		MO_LIT(sb, ",\"path\":");
		mo_sb_jstr(sb, arrows);
		MO_LIT(sb, ",\"hops\":");
		mo_putc(sb, '[');
		for (size_t k = n; k-- > 0;) {
			struct nrow r;

			cw_fill_nrow(w, path[k], &r);
			cw_node_json(w, &r);
			mo_putc(sb, '}');
			if (k)
				mo_putc(sb, ',');
		}
		MO_LIT(sb, "]}");
		*first = false;
		return;
	}
	for (size_t k = n; k-- > 0;)
		cw_write_flat_node(w, o, path[k]);
}

/*
 * A selected process no call chain explains: created by a thread that was
 * serving no ALPC request (MO_CAUSED_DIRECT), or running before the trace
 * started (MO_CAUSED_BEFORE_TRACE). Said plainly in every format.
 */
/* A process no chain leads to, as every format shows it (cw_write_uncaused()). */
struct uncaused {
	const struct alpcscope_process_instance *p;
	enum mo_caused kind;
	bool direct;                      /* created in the trace by a thread serving no request */
	uint32_t cpid, ctid;              /* the creator's ids (direct only) */
	const char *label, *os, *creator; /* the process, its OS parent, its creator */
	const char *summary, *edge;       /* one-line summary and the evidence */
	int64_t time;
};

static void
uncaused_text(struct strbuf *sb, const struct uncaused *u)
{
	char t[MO_TIME_SIZE];

	if (u->direct) {
		mo_sb_text(sb, u->label);
		strbuf_printf(sb, " (pid %u) created %s\n", u->p->pid,
			      mo_time(t, u->p->start_filetime_100ns));
		MO_LIT(sb, "  created directly by ");
		mo_sb_text(sb, u->creator);
		MO_LIT(sb, " (pid ");
		if (u->cpid != ALPCSCOPE_ID_UNKNOWN)
			mo_sb_u64(sb, u->cpid);
		else
			mo_putc(sb, '?');
		MO_LIT(sb, ", thread ");
		if (u->ctid != ALPCSCOPE_ID_UNKNOWN)
			mo_sb_u64(sb, u->ctid);
		else
			mo_putc(sb, '?');
		MO_LIT(sb, "), outside any ALPC call: the creating thread was serving no "
			   "request, so no call chain leads to it\n");
	} else {
		mo_sb_text(sb, u->label);
		strbuf_printf(sb, " (pid %u) was already running when the trace started\n",
			      u->p->pid);
		MO_LIT(sb, "  its creation is not in this trace, so nothing in it says who "
			   "caused it\n");
	}
	MO_LIT(sb, "  OS parent:      ");
	mo_sb_text(sb, u->os);
	strbuf_printf(sb, " (pid %u)\n  evidence:       ", u->p->parent_pid);
	mo_sb_text(sb, u->edge);
	MO_LIT(sb, "\n\n");
}

static void
uncaused_json(struct strbuf *sb, const struct uncaused *u, bool *first)
{
	char t[MO_TIME_SIZE];

	mo_puts(sb, *first ? "\n" : ",\n");
	*first = false;
	MO_LIT(sb, "{\"process\":");
	mo_sb_jstr(sb, u->label);
	MO_LIT(sb, ",\"pid\":");
	mo_sb_jid(sb, u->p->pid);
	MO_LIT(sb, ",\"creation\":");
	mo_sb_jstr(sb, mo_caused_name(u->kind));
	MO_LIT(sb, ",\"time\":");
	mo_sb_jstr(sb, u->direct ? mo_time(t, u->p->start_filetime_100ns) : NULL);
	MO_LIT(sb, ",\"os_parent\":");
	mo_sb_jstr(sb, u->os);
	MO_LIT(sb, ",\"os_parent_pid\":");
	mo_sb_u64(sb, u->p->parent_pid);
	MO_LIT(sb, ",\"logical_parent\":null,\"chain\":null");
	if (u->direct) {
		MO_LIT(sb, ",\"creator_process\":");
		mo_sb_jstr(sb, u->creator);
		MO_LIT(sb, ",\"creator_pid\":");
		mo_sb_jid(sb, u->cpid);
		MO_LIT(sb, ",\"creator_tid\":");
		mo_sb_jid(sb, u->ctid);
		MO_LIT(sb, ",\"start_ordinal\":");
		mo_sb_u64(sb, u->p->start_ordinal);
		MO_LIT(sb, ",\"start_file_offset\":");
		mo_sb_u64(sb, u->p->start_file_offset);
	}
	MO_LIT(sb, ",\"summary\":");
	mo_sb_jstr(sb, u->summary);
	MO_LIT(sb, ",\"evidence\":");
	mo_sb_jstr(sb, u->edge);
	MO_LIT(sb, ",\"hops\":[]}");
}

static void
uncaused_jsonl(struct cw *w, struct strbuf *sb, const struct uncaused *u)
{
	MO_LIT(sb, "{\"message\":");
	mo_sb_jstr(sb, u->summary);
	MO_LIT(sb, ",\"datetime\":\"");
	mo_sb_time(&w->c, sb, u->time);
	MO_LIT(sb, "\",\"timestamp\":");
	mo_sb_i64(sb, u->time ? (u->time - UNIX_EPOCH_FILETIME) / 10 : 0);
	MO_LIT(sb, ",\"timestamp_desc\":");
	mo_puts(sb, u->direct ? "\"Process created outside any call chain\""
			      : "\"Process running at trace start\"");
	MO_LIT(sb, ",\"chain\":null,\"node\":null,\"depth\":0,\"parent_node\":null,"
		   "\"node_kind\":\"process\",\"creation\":");
	mo_sb_jstr(sb, mo_caused_name(u->kind));
	MO_LIT(sb, ",\"summary\":");
	mo_sb_jstr(sb, u->summary);
	MO_LIT(sb, ",\"created_pid\":");
	mo_sb_u64(sb, u->p->pid);
	MO_LIT(sb, ",\"created_image\":");
	mo_sb_jstr(sb, u->p->image_name);
	MO_LIT(sb, ",\"created_command_line\":");
	mo_sb_jstr(sb, u->p->command_line);
	MO_LIT(sb, ",\"creator_pid\":");
	mo_sb_jid(sb, u->direct ? u->cpid : ALPCSCOPE_ID_UNKNOWN);
	MO_LIT(sb, ",\"creator_tid\":");
	mo_sb_jid(sb, u->direct ? u->ctid : ALPCSCOPE_ID_UNKNOWN);
	MO_LIT(sb, ",\"creator_process\":");
	mo_sb_jstr(sb, u->direct ? u->creator : NULL);
	if (u->direct) {
		MO_LIT(sb, ",\"edge_ordinal\":");
		mo_sb_u64(sb, u->p->start_ordinal);
		MO_LIT(sb, ",\"edge_file_offset\":");
		mo_sb_u64(sb, u->p->start_file_offset);
	}
	MO_LIT(sb, ",\"edge\":");
	mo_sb_jstr(sb, u->edge);
	MO_LIT(sb, "}\n");
}

static void
uncaused_csv(struct cw *w, struct strbuf *sb, const struct uncaused *u)
{
	const struct alpcscope_model *m = w->c.m;

	/* chain,node,depth,parent_node empty: no chain */
	MO_LIT(sb, ",,0,,process,");
	if (u->direct)
		mo_sb_time(&w->c, sb, u->p->start_filetime_100ns);
	mo_putc(sb, ',');
	mo_sb_csv(&w->c, sb, u->summary);
	mo_putc(sb, ',');
	strbuf_reset(&w->tmp);
	if (u->direct) {
		mo_puts(&w->tmp, u->creator);
		MO_LIT(&w->tmp, " > ");
	}
	mo_puts(&w->tmp, u->label);
	mo_sb_csv(&w->c, sb, cw_sb_text(&w->tmp));
	MO_LIT(sb, ",,,,,,,,,,,,");
	mo_sb_u64(sb, u->p->pid);
	mo_putc(sb, ',');
	mo_sb_csv(&w->c, sb, u->p->image_name);
	mo_putc(sb, ',');
	if (u->direct) {
		cw_csv_cell_u32(sb, u->cpid == ALPCSCOPE_ID_UNKNOWN ? ALPCSCOPE_NONE : u->cpid);
		cw_csv_cell_u32(sb, u->ctid == ALPCSCOPE_ID_UNKNOWN ? ALPCSCOPE_NONE : u->ctid);
		mo_sb_u64(sb, u->p->start_ordinal);
		mo_putc(sb, ',');
		mo_sb_u64(sb, u->p->start_file_offset);
	} else {
		MO_LIT(sb, ",,,");
	}
	MO_LIT(sb, ",,,,");
	if (ro_any(m))
		MO_LIT(sb, ",,");
	mo_putc(sb, '\n');
}

void
cw_write_uncaused(struct cw *w, const struct alpcscope_write_options *o, uint32_t process,
		  enum mo_caused kind, bool *first)
{
	const struct alpcscope_model *m = w->c.m;
	const struct alpcscope_process_instance *p = alpcscope_model_process_at(m, process);
	struct strbuf *sb = &w->out, *sum = &w->summary, *edge = &w->edge;
	uint32_t cproc, cpid, ctid;
	bool direct = kind == MO_CAUSED_DIRECT;
	char label[MO_LABEL_SIZE], os[MO_LABEL_SIZE], creator[MO_LABEL_SIZE];

	mo_creator(m, p, &cproc, &cpid, &ctid);
	mo_process_label(m, process, label, sizeof(label));
	mo_process_label(m, p->os_parent, os, sizeof(os));
	mo_process_label(m, cproc, creator, sizeof(creator));
	strbuf_reset(sum);
	strbuf_reset(edge);
	if (direct) {
		cw_party_text(sum, creator, cpid, ctid);
		MO_LIT(sum, " creates ");
		mo_puts(sum, label);
		MO_LIT(sum, " (pid ");
		mo_sb_u64(sum, p->pid);
		MO_LIT(sum, ") directly, outside any ALPC call");
		MO_LIT(edge, "Process Start (header TID = creator) ord ");
		mo_sb_u64(edge, p->start_ordinal);
		MO_LIT(edge, " @");
		mo_sb_hex64(edge, p->start_file_offset);
		MO_LIT(edge, " by tid ");
		if (ctid != ALPCSCOPE_ID_UNKNOWN)
			mo_sb_u64(edge, ctid);
		else
			mo_putc(edge, '?');
		MO_LIT(edge, " (no ALPC request was being served by the creator)");
	} else {
		mo_puts(sum, label);
		MO_LIT(sum, " (pid ");
		mo_sb_u64(sum, p->pid);
		MO_LIT(sum, ") was already running when the trace started");
		MO_LIT(edge, "no Process Start in the trace (");
		mo_puts(edge, p->seen_in_rundown ? "named by the rundown" : "named by its events");
		mo_putc(edge, ')');
	}
	mo_sb_cut(sum, 0, 1023);
	mo_sb_cut(edge, 0, 511);
	struct uncaused u = {.p = p,
			     .kind = kind,
			     .direct = direct,
			     .cpid = cpid,
			     .ctid = ctid,
			     .label = label,
			     .os = os,
			     .creator = creator,
			     .summary = cw_sb_text(sum),
			     .edge = cw_sb_text(edge),
			     .time = direct ? p->start_filetime_100ns : o->trace_start_filetime};

	switch (o->format) {
	case ALPCSCOPE_OUTPUT_XML:
	case ALPCSCOPE_OUTPUT_MERMAID: break; /* other writers */
	case ALPCSCOPE_OUTPUT_TEXT: uncaused_text(sb, &u); break;
	case ALPCSCOPE_OUTPUT_JSON: uncaused_json(sb, &u, first); break;
	case ALPCSCOPE_OUTPUT_JSONL: uncaused_jsonl(w, sb, &u); break;
	case ALPCSCOPE_OUTPUT_CSV: uncaused_csv(w, sb, &u); break;
	}
}
