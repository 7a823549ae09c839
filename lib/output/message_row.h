/* SPDX-License-Identifier: MIT */
/*
 * The row model of one ALPC message (row_model.h): what `messages` prints per
 * row in every format, and what a message node of `chains --format xml`
 * carries. Columns: docs/output-schema.md §messages.
 */
#ifndef ALPCSCOPE_OUTPUT_MESSAGE_ROW_H
#define ALPCSCOPE_OUTPUT_MESSAGE_ROW_H

#include <alpcscope/model.h>

#include "output/model_output.h"
#include "output/row_model.h"

/* One side (Send or Receive) of a message; no value when the side was not seen. */
struct msg_side {
	struct rm_group_value g;
	int64_t time;
	uint64_t ordinal, file_offset;
	struct mo_fparty party; /* who sent / received */
	uint32_t stack;
};

struct msg_row {
	const struct alpcscope_message *msg;
	uint32_t index;
	int64_t time; /* of the Send, else of the Receive */
	const char *kind, *role;
	uint32_t message_id;
	struct mo_fparty client, server;
	const char *port;    /* its name, NULL when none */
	uint32_t port_index; /* NONE when the port has no name */
	int64_t latency_100ns;
	uint16_t evidence;
	uint32_t related, parent;
	struct msg_side send, receive;
	/* JSON lines only (Timesketch): microseconds since 1970, what the time is of */
	int64_t ts_timestamp;
	const char *ts_desc;
};

/* The columns of a message row, and of one side (RM_GROUP of a struct msg_side). */
extern const struct rm_table msg_row_table;
extern const struct rm_table msg_side_table;
/* The rpc / wmi cells of the message whose index (uint32_t) is at the column's offset. */
extern const struct rm_custom msg_rpc_cell, msg_wmi_cell;
/* For custom columns that one format lacks. */
void msg_no_csv(struct rm_ctx *ctx, struct strbuf *sb, const void *value);
void msg_no_xml(struct rm_ctx *ctx, struct xml_out *x, const void *value);

/* Fill @p r for message @p index (not the Timesketch fields). */
void msg_row_fill(struct mo_cache *c, uint32_t index, struct msg_row *r);

/* The Timesketch fields of @p r (JSON lines; its description is a column of its own). */
void msg_row_fill_timesketch(struct msg_row *r);

/* The RM_IF_* conditions of a messages/chains write (stacks, symbols, RPC/WMI). */
unsigned msg_row_conds(const struct alpcscope_model *m, const struct alpcscope_write_options *o);

/* The rpc / wmi cells in XML (Data elements, only those present). */
void msg_rpc_xml(struct rm_ctx *ctx, struct xml_out *x, uint32_t index);
void msg_wmi_xml(struct rm_ctx *ctx, struct xml_out *x, uint32_t index);

#endif
