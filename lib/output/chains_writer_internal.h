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

#include "output/message_row.h"
#include "output/model_output.h"
#include "output/row_model.h"
#include "util/strbuf.h"

#define UNIX_EPOCH_FILETIME 116444736000000000ll

/* Per-write state: label/time cache, row emitters, the output buffer and the per-node texts. */
struct cw {
	struct mo_cache c;
	struct rm_ctx rc;
	struct strbuf out;
	struct strbuf summary, edge, path, tmp;
	char site[MO_FRAME_SIZE];
};

/* struct nrow.when: which columns of the node table apply (struct rm_column.when). */
enum { CW_MESSAGE = 1, CW_PROCESS = 2, CW_EDGE = 4 };

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
	/* the node table's cells (chains_writer.c) */
	unsigned when; /* CW_* */
	uint32_t chain, depth, parent_node;
	const char *node_kind;                            /* "message", "process" */
	struct msg_row mr;                                /* message node */
	uint32_t process_index, created_pid;              /* process node */
	const char *created_image, *created_command_line; /* process node */
	uint64_t window_end_cell; /* window_end_ordinal, UINT64_MAX when open */
	const char *path;         /* JSON/CSV only: cw_path_text() */
	const char *call_site;    /* JSON/CSV only: mo_call_site() or NULL */
	int64_t ts_timestamp;     /* JSON lines: microseconds since 1970 */
	const char *ts_desc;
};

void cw_party_text(struct strbuf *sb, const char *label, uint32_t pid, uint32_t tid);
const char *cw_sb_text(const struct strbuf *sb);
void cw_fill_nrow(struct cw *w, uint32_t node, struct nrow *r);
const char *cw_path_text(struct cw *w, uint32_t node, const char *sep);
void cw_write_rpc_wmi_text(const struct alpcscope_model *m, struct strbuf *sb, int indent,
			   const char *bar, const struct nrow *r);
/* A node's JSON object without its closing brace (a tree adds "children"). */
void cw_node_json(struct cw *w, struct nrow *r);
void cw_write_flat_node(struct cw *w, const struct alpcscope_write_options *o, uint32_t node);
void cw_csv_cell_u32(struct strbuf *sb, uint32_t v);

/* --caused-process answers: a process a chain leads to, and one none does. */
void cw_write_caused(struct cw *w, const struct alpcscope_write_options *o, uint32_t node,
		     bool *first);
void cw_write_uncaused(struct cw *w, const struct alpcscope_write_options *o, uint32_t process,
		       enum mo_caused kind, bool *first);

#endif
