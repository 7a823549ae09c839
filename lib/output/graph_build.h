/* SPDX-License-Identifier: MIT */
/*
 * The graph model behind `alpcscope graph` (lib/output/dot_writer.c):
 * which processes are drawn, the counted messages and process creations as
 * records keyed by display node, highlighting, and folding of the least
 * active processes. No Graphviz types here; dot_writer.c turns the model
 * into cgraph objects.
 */
#ifndef ALPCSCOPE_OUTPUT_GRAPH_BUILD_H
#define ALPCSCOPE_OUTPUT_GRAPH_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <alpcscope/graph.h>
#include <alpcscope/status.h>

/* Display keys of the two synthetic nodes; process indices sort before them. */
#define NODE_FOLD   (UINT32_MAX - 2)
#define NODE_UNSEEN (UINT32_MAX - 1)

enum proc_flag {
	PF_OK = 1u << 0,       /* accepted by the process filter */
	PF_ENDPOINT = 1u << 1, /* client or server of a counted message */
	PF_CREATED = 1u << 2,  /* drawn as created inside a chain */
	PF_HL = 1u << 3,       /* on a highlighted chain */
	PF_FOLDED = 1u << 4,
};

/* One counted message, by display keys. */
struct rec {
	uint32_t client, server, port, msg;
};

/* One process-creation edge. */
struct creation {
	uint32_t creator, created;
};

struct graph_model {
	const struct alpcscope_model *m;
	const struct alpcscope_graph_options *o;
	uint32_t nproc, nmsg, nnodes, nchains;
	uint32_t max_edges; /* options->max_edges, or its default for a version 1 caller */
	uint8_t *flags;     /* per process */
	uint64_t *activity; /* per process: counted messages it took part in */
	uint8_t *msg_hl;    /* per message */
	uint8_t *node_hl;   /* per chain node */
	uint8_t *chain_hl;  /* per chain: some node highlighted */
	struct rec *recs;
	size_t nrecs;
	struct creation *creations;
	size_t ncreations;
	uint32_t *folded; /* folded process indices, most active first */
	uint32_t nfolded;
	uint64_t folded_internal; /* messages between two folded processes */
	bool unseen;              /* some message has an endpoint not in the trace */
	uint64_t unseen_messages;
	struct alpcscope_graph_stats st;
};

/*
 * Zero @p gm, size it for @p m and apply the process filter of @p o (both
 * already validated). On failure gm is still safe to pass to
 * graph_model_free().
 */
enum alpcscope_status graph_model_init(struct graph_model *gm, const struct alpcscope_model *m,
				       const struct alpcscope_graph_options *o,
				       struct alpcscope_error *err);
/*
 * Select the highlighted chains, collect the counted messages and creations,
 * fold, and aggregate: recs[] then holds display keys sorted by client,
 * server, port, message.
 */
enum alpcscope_status graph_model_build(struct graph_model *gm, struct alpcscope_error *err);
/* Release the arrays of @p gm (not gm itself). */
void graph_model_free(struct graph_model *gm);

/* Display key of process @p p: itself, NODE_FOLD, or NODE_UNSEEN for ALPCSCOPE_NONE. */
uint32_t graph_display(const struct graph_model *gm, uint32_t p);

#endif
