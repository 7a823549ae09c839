/* SPDX-License-Identifier: MIT */
/*
 * The process graph of a finished model (`alpcscope graph`): one node per
 * process instance, one edge per (client process, server process, ALPC
 * port) with message counts and latencies, the processes created inside
 * call chains as dashed edges, and selected chains highlighted. Written as
 * DOT, or laid out and rendered to SVG or PNG through Graphviz. Nothing is
 * dropped silently: beyond a node budget the least active processes are
 * folded into one node, and the graph label says what was folded. The
 * layout of the DOT output is described in docs/graph.md.
 *
 * Thread safety: a finished model may be graphed from several threads. SVG
 * and PNG renders share one Graphviz context, created on first use and kept
 * for the life of the process; they are serialized by a mutex.
 */
#ifndef ALPCSCOPE_GRAPH_H
#define ALPCSCOPE_GRAPH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common.h"
#include "model.h"
#include "status.h"

ALPCSCOPE_BEGIN_DECLS

/** Output formats of alpcscope_graph_write(). */
enum alpcscope_graph_format {
	ALPCSCOPE_GRAPH_DOT = 0, /**< DOT text, no layout (deterministic) */
	ALPCSCOPE_GRAPH_SVG = 1, /**< laid out with dot, rendered by Graphviz */
	ALPCSCOPE_GRAPH_PNG = 2, /**< laid out with dot, rendered by Graphviz */
};

/** Select a process by index; return true when it may appear in the graph. */
typedef bool (*alpcscope_process_filter_fn)(void *ctx, const struct alpcscope_model *m,
					    uint32_t process);

/**
 * Called once per folded process, least active last, with the number of
 * messages it took part in.
 */
typedef void (*alpcscope_graph_fold_fn)(void *ctx, const struct alpcscope_model *m,
					uint32_t process, uint64_t messages);

/** Options of alpcscope_graph_write(); start from ALPCSCOPE_GRAPH_OPTIONS_INIT. */
struct alpcscope_graph_options {
	uint32_t version; /**< ALPCSCOPE_GRAPH_OPTIONS_VERSION */
	enum alpcscope_graph_format format;
	/**
	 * Most nodes drawn, the "other processes" node included (0 = no
	 * limit; otherwise at least 2). Processes on highlighted chains are
	 * never folded, so the graph may exceed the budget by them.
	 */
	uint32_t max_nodes;
	/** Messages to count (NULL = all). */
	alpcscope_message_filter_fn message_filter;
	/**
	 * Processes that may appear (NULL = all). Messages with an endpoint
	 * rejected here are not counted; the graph label gives their number.
	 */
	alpcscope_process_filter_fn process_filter;
	void *filter_ctx;
	/**
	 * Chains to highlight (chain indices), with every message and
	 * created process they hold.
	 */
	const uint32_t *highlight_chains;
	uint32_t highlight_chain_count;
	/**
	 * Chain nodes whose path from the chain root is highlighted (e.g. the
	 * node of one created process, alpcscope_process_instance.chain_node).
	 */
	const uint32_t *highlight_nodes;
	uint32_t highlight_node_count;
	/**
	 * Highlight every chain that created a process when neither list
	 * above is given.
	 */
	bool highlight_default;
	/** Chains eligible for the default highlight (NULL = all); gets filter_ctx. */
	alpcscope_chain_filter_fn chain_filter;
	/** Also draw OS parent and logical parent edges between drawn processes. */
	bool parents;
	/** First line of the graph label (e.g. the trace file name); may be NULL. */
	const char *title;
	/** One more label line describing the caller's filters; may be NULL. */
	const char *filter_description;
	/** Told about every folded process (may be NULL). */
	alpcscope_graph_fold_fn on_fold;
	void *fold_ctx;
	/**
	 * Most message edges drawn (0 = no limit; version 2). Beyond it the
	 * least active client/server/port edges are folded into one
	 * "other conversations" node and counted in the stats and the label;
	 * edges of highlighted chains are always drawn. Layout time grows
	 * faster than linearly with edges: the default keeps any trace to
	 * seconds.
	 */
	uint32_t max_edges;
};

/* Version 1 (without max_edges) is still accepted: it gets the default edge cap. */
#define ALPCSCOPE_GRAPH_OPTIONS_VERSION 2
/** Default of alpcscope_graph_options.max_edges. */
#define ALPCSCOPE_GRAPH_DEFAULT_MAX_EDGES 300
/** Defaults: DOT, at most 60 nodes, no filter, default highlight. */
#define ALPCSCOPE_GRAPH_OPTIONS_INIT                                                               \
	{                                                                                          \
		ALPCSCOPE_GRAPH_OPTIONS_VERSION, ALPCSCOPE_GRAPH_DOT, 60, NULL, NULL, NULL, NULL,  \
		    0, NULL, 0, true, NULL, false, NULL, NULL, NULL, NULL,                         \
		    ALPCSCOPE_GRAPH_DEFAULT_MAX_EDGES                                              \
	}

/** What alpcscope_graph_write() drew. */
struct alpcscope_graph_stats {
	uint32_t nodes;             /**< nodes drawn, fold and unseen-endpoint nodes included */
	uint32_t edges;             /**< edges drawn, all kinds */
	uint32_t message_edges;     /**< aggregated message edges */
	uint64_t messages;          /**< messages counted on edges */
	uint32_t folded_processes;  /**< processes folded into the "other processes" node */
	uint64_t folded_messages;   /**< messages with a folded endpoint */
	uint64_t filtered_messages; /**< messages rejected by the filters */
	uint32_t highlighted_chains;
	uint32_t highlighted_processes;
	uint32_t folded_edges;         /**< message edges folded by max_edges */
	uint64_t folded_edge_messages; /**< messages on those edges */
};

/**
 * Build the graph of a finished model and write it to @p out in
 * options->format.
 *
 * @param m          A finished model.
 * @param options    Optional (NULL = defaults).
 * @param out        Destination stream (binary for PNG).
 * @param[out] stats Optional: what was drawn and folded.
 * @param err        Optional error details.
 * @return ALPCSCOPE_OK; ALPCSCOPE_E_IO (write error); ALPCSCOPE_E_NOMEM;
 *         ALPCSCOPE_E_UNSUPPORTED (Graphviz cannot lay out or render the
 *         format: plugins missing or unconfigured; DOT always works);
 *         ALPCSCOPE_E_INVALID_ARG (NULL argument, bad options version,
 *         max_nodes of 1, a highlight index out of range).
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_graph_write(const struct alpcscope_model *m,
		      const struct alpcscope_graph_options *options, FILE *out,
		      struct alpcscope_graph_stats *stats, struct alpcscope_error *err);

/** Lower-case name of a format: "dot", "svg", "png". */
ALPCSCOPE_EXPORT const char *alpcscope_graph_format_name(enum alpcscope_graph_format format);

ALPCSCOPE_END_DECLS

#endif
