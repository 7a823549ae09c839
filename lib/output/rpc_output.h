/* SPDX-License-Identifier: MIT */
/*
 * RPC and WMI annotations of messages and chain nodes, shared by the
 * messages and chains writers: what the RPC provider says a request asked
 * (interface, opnum, names from the interface database with their source)
 * and the WMI operation a request belongs to. Keys: docs/output-schema.md,
 * docs/interface-db.md.
 */
#ifndef ALPCSCOPE_OUTPUT_RPC_OUTPUT_H
#define ALPCSCOPE_OUTPUT_RPC_OUTPUT_H

#include <alpcscope/model.h>

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

/* True when the model has any RPC call or WMI operation (extra CSV columns). */
bool ro_any(const struct alpcscope_model *m);

/*
 * "iface=IWbemServices(9556dc99-...) v0.0 op=ExecMethod(24) [source: ...]
 * protocol=LRPC endpoint=... authn-level=6 authn-service=20 status=0" for the
 * RPC call carried by request @p message; false (and "") when none.
 */
bool ro_rpc_text(const struct alpcscope_model *m, uint32_t message, char *out, size_t size);
/* How the call was joined to the message (threads, ordinals); false when none. */
bool ro_rpc_evidence(const struct alpcscope_model *m, uint32_t message, char *out, size_t size);
/* "ExecMethod Win32_Process::Create root\cimv2 client=5012 created=7064 ..."; false when none. */
bool ro_wmi_text(const struct alpcscope_model *m, uint32_t message, char *out, size_t size);
/* WMI's word on created process @p process; false when WMI did not report creating it. */
bool ro_process_wmi_text(const struct alpcscope_model *m, uint32_t process, char *out, size_t size);

/*
 * The call described for request @p message (the client side, else the server
 * side) with its names filled into @p names; NULL when none.
 */
struct alpcscope_rpc_names;
const struct alpcscope_rpc_call *ro_rpc_call(const struct alpcscope_model *m, uint32_t message,
					     struct alpcscope_rpc_names *names);
/* "LRPC", "TCP", "NamedPipes", "HTTP"; NULL for other values. */
const char *ro_protocol_name(uint32_t protocol);

/* JSON objects of the same; NULL when none. */
json_object *ro_rpc_json(const struct alpcscope_model *m, uint32_t message);
json_object *ro_wmi_json(const struct alpcscope_model *m, uint32_t message);
json_object *ro_process_wmi_json(const struct alpcscope_model *m, uint32_t process);

#endif
