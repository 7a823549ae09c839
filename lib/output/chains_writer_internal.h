/* SPDX-License-Identifier: MIT */
/*
 * Private to the chains writer: its per-write state, the row it builds per
 * node, and the helpers the caused-process answers (chains_caused.c) share
 * with the chain trees (chains_writer.c).
 */
#ifndef ALPCSCOPE_OUTPUT_CHAINS_WRITER_INTERNAL_H
#define ALPCSCOPE_OUTPUT_CHAINS_WRITER_INTERNAL_H

#include <alpcscope/model.h>

#include <stdbool.h>
#include <stdint.h>

#include "output/model_output.h"
#include "util/strbuf.h"

#define UNIX_EPOCH_FILETIME 116444736000000000ll

/* Per-write state: label/time cache, the output buffer and the per-node texts. */
struct cw {
	struct mo_cache c;
	struct strbuf out;
	struct strbuf summary, edge, path, tmp;
};

/* Everything said about one node and the edge from its parent. */
struct nrow {
	uint32_t node;
	const struct alpcscope_chain_node *n;
	const struct alpcscope_message *msg;           /* message node */
	const struct alpcscope_process_instance *proc; /* process node */
	struct mo_fparty client, server;               /* message node */
	const char *creator;                           /* process node */
	uint32_t creator_pid, creator_tid;
	int64_t time;
	uint16_t evidence;
	const char *summary;   /* cw.summary */
	const char *edge_text; /* cw.edge */
	/* edge from the parent */
	bool has_edge;
	uint64_t edge_ordinal, edge_file_offset;
	uint32_t parent_message;
	uint64_t window_start_ordinal; /* parent request's Receive */
	bool window_closed;            /* the parent's reply Send was seen */
	uint64_t window_end_ordinal;
	const char *window_end; /* "reply", "abandoned", "trace-end" */
};

void cw_party_text(struct strbuf *sb, const char *label, uint32_t pid, uint32_t tid);
const char *cw_sb_text(const struct strbuf *sb);
void cw_fill_nrow(struct cw *w, uint32_t node, struct nrow *r);
const char *cw_path_text(struct cw *w, uint32_t node, const char *sep);
void cw_write_rpc_wmi_text(const struct alpcscope_model *m, struct strbuf *sb, int indent,
			   const char *bar, const struct nrow *r);
void cw_node_json(struct cw *w, const struct alpcscope_write_options *o, const struct nrow *r,
		  bool flat);
void cw_write_flat_node(struct cw *w, const struct alpcscope_write_options *o, uint32_t node);
void cw_csv_cell_u32(struct strbuf *sb, uint32_t v);

/* --caused-process answers: a process a chain leads to, and one none does. */
void cw_write_caused(struct cw *w, const struct alpcscope_write_options *o, uint32_t node,
		     bool *first);
void cw_write_uncaused(struct cw *w, const struct alpcscope_write_options *o, uint32_t process,
		       enum mo_caused kind, bool *first);

#endif
