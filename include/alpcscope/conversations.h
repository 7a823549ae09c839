/* SPDX-License-Identifier: MIT */
/*
 * Summary tables of a finished model (`alpcscope summary`): one row per
 * conversation (client process -> server process over one port, for one RPC
 * interface and procedure where the trace names it) with message counts and
 * latency percentiles, one row per process with its traffic and the time it
 * spent waiting on others and serving others. Aggregated in one pass over the
 * messages: memory grows with the number of conversations, not of messages
 * (latency percentiles come from a log histogram, exact up to 16 latencies,
 * within 3.2% above that). Rules: docs/summary.md.
 */
#ifndef ALPCSCOPE_CONVERSATIONS_H
#define ALPCSCOPE_CONVERSATIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common.h"
#include "model.h"
#include "status.h"

ALPCSCOPE_BEGIN_DECLS

/** Aggregated tables; immutable once built. */
struct alpcscope_conversations;

/** One conversation: client -> server over one port (and RPC procedure). */
struct alpcscope_conversation {
	uint32_t client_process;              /**< process index, or ALPCSCOPE_NONE when unseen */
	uint32_t server_process;              /**< process index, or ALPCSCOPE_NONE when unseen */
	uint32_t port;                        /**< port name index, or ALPCSCOPE_NONE */
	bool has_rpc;                         /**< the requests carried one RPC procedure */
	struct alpcscope_guid interface_uuid; /**< when @c has_rpc */
	uint32_t opnum;                       /**< when @c has_rpc */
	uint64_t requests;  /**< requests (answered, unanswered or paired ambiguously) */
	uint64_t one_way;   /**< one-way messages */
	uint64_t replies;   /**< replies to those requests */
	uint64_t no_reply;  /**< requests whose reply was never seen */
	uint64_t unmatched; /**< sends never received and receives of unseen sends */
	/** Round trips (request Send to reply Receive) measured, and their statistics (100 ns). */
	uint64_t latency_count;
	int64_t latency_min, latency_p50, latency_p95, latency_p99, latency_max;
	int64_t latency_total; /**< total time clients waited */
};

/** One process's traffic. */
struct alpcscope_process_traffic {
	uint32_t process;  /**< process index */
	uint64_t sent;     /**< messages it sent (Send events on its threads) */
	uint64_t received; /**< messages it received (Receive events on its threads) */
	uint64_t requests_out, requests_in;
	int64_t waiting_100ns; /**< round trips of its requests: time waiting on others */
	int64_t serving_100ns; /**< request Receive to reply Send of requests it served */
};

/**
 * Aggregate the messages of a finished model that @p filter keeps (NULL =
 * all). Conversations come out busiest first (messages, then total wait),
 * processes likewise (sent + received).
 * @return ALPCSCOPE_OK, ALPCSCOPE_E_NOMEM, ALPCSCOPE_E_INVALID_ARG.
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_conversations_build(const struct alpcscope_model *m, alpcscope_message_filter_fn filter,
			      void *filter_ctx, struct alpcscope_conversations **out,
			      struct alpcscope_error *err);
/** Release. Accepts NULL. */
ALPCSCOPE_EXPORT void alpcscope_conversations_free(struct alpcscope_conversations *c);

/** Number of conversations. */
ALPCSCOPE_EXPORT uint32_t alpcscope_conversations_count(const struct alpcscope_conversations *c);
/** Conversation @p index (busiest first; borrowed); NULL when out of range. */
ALPCSCOPE_EXPORT const struct alpcscope_conversation *
alpcscope_conversations_at(const struct alpcscope_conversations *c, uint32_t index);
/** Number of processes that sent or received a message. */
ALPCSCOPE_EXPORT uint32_t
alpcscope_conversations_process_count(const struct alpcscope_conversations *c);
/** Process row @p index (busiest first; borrowed); NULL when out of range. */
ALPCSCOPE_EXPORT const struct alpcscope_process_traffic *
alpcscope_conversations_process_at(const struct alpcscope_conversations *c, uint32_t index);
/** Messages the filter kept, and all messages of the model. */
ALPCSCOPE_EXPORT uint64_t alpcscope_conversations_messages(const struct alpcscope_conversations *c,
							   uint64_t *total);

/** The table a CSV summary holds (text and JSON hold all three). */
enum alpcscope_summary_table {
	ALPCSCOPE_SUMMARY_TABLE_CONVERSATIONS = 0,
	ALPCSCOPE_SUMMARY_TABLE_PROCESSES = 1,
	ALPCSCOPE_SUMMARY_TABLE_CHAINS = 2,
};

/** Options of alpcscope_summary_tables_write(); NULL = {20, 10, conversations}. */
struct alpcscope_summary_options {
	uint32_t top;                       /**< conversation and process rows (0 = all) */
	uint32_t top_chains;                /**< chains, most messages first (0 = all) */
	enum alpcscope_summary_table table; /**< CSV only */
};

/**
 * Write the summary tables (conversations, processes, the chains with the
 * most hops and the processes they created) as text, one JSON document or
 * CSV (one row per table line, first column the table name). Uses
 * @p options' format, trace_path, chain_filter and message_filter (its
 * presence: the header says "N of M match"). Schema: docs/summary.md.
 * @return ALPCSCOPE_OK, ALPCSCOPE_E_IO, ALPCSCOPE_E_NOMEM, ALPCSCOPE_E_INVALID_ARG
 *         (jsonl/xml format, NULL argument).
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_summary_tables_write(const struct alpcscope_model *m,
			       const struct alpcscope_conversations *c,
			       const struct alpcscope_write_options *options,
			       const struct alpcscope_summary_options *summary_options, FILE *out,
			       struct alpcscope_error *err);

ALPCSCOPE_END_DECLS

#endif
