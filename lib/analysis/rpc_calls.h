/* SPDX-License-Identifier: MIT */
/*
 * RPC calls and WMI operations inside the model: Microsoft-Windows-RPC and
 * Microsoft-Windows-WMI-Activity events are decoded with the built-in
 * manifests (embedded from fixtures/manifests) and joined to the ALPC
 * messages the same threads carried (rpc_calls.c) and to the chains
 * (wmi_activity.c). model.c calls rpc_wanted()/rpc_on_event() per event,
 * rpc_finish() at the end and rpc_state_free().
 */
#ifndef ALPCSCOPE_ANALYSIS_RPC_CALLS_H
#define ALPCSCOPE_ANALYSIS_RPC_CALLS_H

#include <alpcscope/decode.h>
#include <alpcscope/model.h>
#include <alpcscope/schema.h>

#include <stdbool.h>
#include <stddef.h>

#include "analysis/idmap.h"
#include "analysis/wmi_activity.h"

extern const unsigned char rpc_manifest_xml[];
extern const size_t rpc_manifest_xml_size;
extern const unsigned char wmi_manifest_xml[];
extern const size_t wmi_manifest_xml_size;

struct rpc_state {
	struct alpcscope_schema_set *schemas;
	struct alpcscope_decoder *decoder;
	bool decoder_failed;
	const struct alpcscope_interface_db *ifdb;

	struct alpcscope_rpc_call *calls;
	struct alpcscope_guid *activity; /* parallel to calls */
	uint32_t ncalls, cap_calls;
	uint32_t *open; /* calls waiting for their stop */
	uint32_t nopen, cap_open;
	struct idmap client_by_msg, server_by_msg; /* message -> call */

	struct alpcscope_wmi_operation *ops;
	uint32_t nops, cap_ops;
	struct idmap op_by_id;      /* OperationId -> op */
	struct idmap op_by_group;   /* GroupOperationId -> latest op */
	struct idmap op_by_msg;     /* message -> op (2 * op + as_provider) */
	struct idmap op_by_created; /* created process -> op */
};

/* True for events of the RPC and WMI-Activity providers. */
bool rpc_wanted(const struct alpcscope_event *ev);
enum alpcscope_status rpc_on_event(struct alpcscope_model *m, const struct alpcscope_event *ev,
				   struct alpcscope_error *err);
/* Join calls and operations to messages; false on out of memory. */
bool rpc_finish(struct alpcscope_model *m);
void rpc_state_free(struct rpc_state *s);
/* The state, created on first use; NULL on out of memory. */
struct rpc_state *rpc_state(struct alpcscope_model *m);

/* String field of @p d copied into the model arena; NULL when absent/empty. */
const char *rpc_field_str(struct alpcscope_model *m, const struct alpcscope_decoded *d,
			  const char *name, bool keep_empty);
/* Unsigned field of @p d; @p dflt when absent. */
uint64_t rpc_field_u(const struct alpcscope_decoded *d, const char *name, uint64_t dflt);

#endif
