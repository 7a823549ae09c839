/* SPDX-License-Identifier: MIT */
/*
 * Microsoft-Windows-WMI-Activity operations (docs/event-layouts.md#wmi-activity) joined
 * to the ALPC chain they belong to:
 *  - 11 (and legacy 1) OperationStart opens an operation keyed by
 *    OperationId; the request the logging Winmgmt thread is serving at that
 *    moment is the operation's message (the client's request);
 *  - 22 MethodExecuted adds class and method, 23 ProcessCreated the created
 *    PID and command line, 13 (and legacy 3) OperationEnd the result;
 *  - 12 ProviderOperation (keyed by GroupOperationId) names the provider and
 *    its host PID; the request the operation's thread sent to that host
 *    while serving the client is the operation's provider message.
 * Event 23 links the client PID to the created PID independently of ALPC:
 * at finish it is compared with the chain's logical parent of the process
 * (agrees / differs / WMI only).
 */
#include <alpcscope/model.h>

#include <stdlib.h>
#include <string.h>

#include "analysis/model_internal.h"
#include "analysis/rpc_calls.h"

static struct alpcscope_wmi_operation *
new_op(struct rpc_state *s, uint32_t op_id)
{
	if (!model_grow((void **)&s->ops, &s->cap_ops, s->nops, sizeof(*s->ops)))
		return NULL;
	struct alpcscope_wmi_operation *o = &s->ops[s->nops];

	memset(o, 0, sizeof(*o));
	o->operation_id = op_id;
	o->client_pid = o->provider_host_pid = o->created_pid = ALPCSCOPE_ID_UNKNOWN;
	o->client_process = o->created_process = o->thread = ALPCSCOPE_NONE;
	o->message = o->provider_message = ALPCSCOPE_NONE;
	if (!idmap_put(&s->op_by_id, op_id, s->nops))
		return NULL;
	s->nops++;
	return o;
}

/* The operation @p op_id names, created when its start was not seen. */
static struct alpcscope_wmi_operation *
find_op(struct rpc_state *s, uint32_t op_id, const struct alpcscope_event *ev)
{
	uint32_t i = idmap_get(&s->op_by_id, op_id);

	if (i != IDMAP_NONE)
		return &s->ops[i];
	struct alpcscope_wmi_operation *o = new_op(s, op_id);

	if (o) {
		o->start_filetime_100ns = ev->filetime_100ns;
		o->start_ordinal = ev->ordinal;
	}
	return o;
}

/* Process index of @p pid alive now (the current instance), or NONE. */
static uint32_t
current_process(const struct alpcscope_model *m, uint32_t pid)
{
	uint32_t i = idmap_get(&m->pid_map, pid);

	return i == IDMAP_NONE ? ALPCSCOPE_NONE : i;
}

static uint32_t
thread_of(struct alpcscope_model *m, const struct alpcscope_event *ev)
{
	bool oom = false;

	if (ev->thread_id == ALPCSCOPE_ID_UNKNOWN || ev->process_id == ALPCSCOPE_ID_UNKNOWN)
		return ALPCSCOPE_NONE;
	return process_table_thread(m, ev->process_id, ev->thread_id, &oom);
}

#define STR(name) rpc_field_str(m, d, name, false)

bool
wmi_on_decoded(struct alpcscope_model *m, struct rpc_state *s, const struct alpcscope_event *ev,
	       const struct alpcscope_decoded *d)
{
	struct alpcscope_wmi_operation *o;
	uint32_t op_id = (uint32_t)rpc_field_u(d, "OperationId", 0);

	switch (ev->event_id) {
	case 1:
	case 11: {
		uint32_t i = idmap_get(&s->op_by_id, op_id);

		o = i != IDMAP_NONE ? &s->ops[i] : new_op(s, op_id);
		if (!o)
			return false;
		o->group_operation_id = (uint32_t)rpc_field_u(d, "GroupOperationId", 0);
		o->correlation_id = STR("CorrelationId");
		o->operation = STR("Operation");
		o->user = STR("User");
		o->namespace_name = STR("NamespaceName");
		o->client_pid = (uint32_t)rpc_field_u(d, "ClientProcessId", ALPCSCOPE_ID_UNKNOWN);
		if (o->client_pid != ALPCSCOPE_ID_UNKNOWN)
			o->client_process = current_process(m, o->client_pid);
		o->thread = thread_of(m, ev);
		o->start_filetime_100ns = ev->filetime_100ns;
		o->start_ordinal = ev->ordinal;
		if (o->thread != ALPCSCOPE_NONE && o->thread < m->nthreads)
			o->message = m->tstate[o->thread].held;
		if (!idmap_put(&s->op_by_group, o->group_operation_id, (uint32_t)(o - s->ops)))
			return false;
		return true;
	}
	case 22:
		if (!(o = find_op(s, op_id, ev)))
			return false;
		o->class_name = STR("ClassName");
		o->method_name = STR("MethodName");
		if (!o->namespace_name)
			o->namespace_name = STR("NamespaceName");
		if (o->client_pid == ALPCSCOPE_ID_UNKNOWN) {
			o->client_pid =
			    (uint32_t)rpc_field_u(d, "ClientProcessId", ALPCSCOPE_ID_UNKNOWN);
			if (o->client_pid != ALPCSCOPE_ID_UNKNOWN)
				o->client_process = current_process(m, o->client_pid);
		}
		return true;
	case 23: {
		if (!(o = find_op(s, op_id, ev)))
			return false;
		o->command_line = STR("Commandline");
		o->created_pid = (uint32_t)rpc_field_u(d, "CreatedProcessId", ALPCSCOPE_ID_UNKNOWN);
		if (o->created_pid != ALPCSCOPE_ID_UNKNOWN) {
			uint32_t p = current_process(m, o->created_pid);

			/* Only a process that had started by now (PIDs are reused). */
			if (p != ALPCSCOPE_NONE &&
			    m->procs[p].start_filetime_100ns <= ev->filetime_100ns)
				o->created_process = p;
		}
		if (o->client_pid == ALPCSCOPE_ID_UNKNOWN) {
			o->client_pid =
			    (uint32_t)rpc_field_u(d, "ClientProcessId", ALPCSCOPE_ID_UNKNOWN);
			if (o->client_pid != ALPCSCOPE_ID_UNKNOWN)
				o->client_process = current_process(m, o->client_pid);
		}
		return true;
	}
	case 12: {
		uint32_t group = (uint32_t)rpc_field_u(d, "GroupOperationId", 0);
		uint32_t i = idmap_get(&s->op_by_group, group);

		if (i == IDMAP_NONE)
			return true; /* a provider call of an operation started before the trace */
		o = &s->ops[i];
		o->provider_name = STR("ProviderName");
		o->provider_operation = STR("Operation");
		o->provider_host_pid = (uint32_t)rpc_field_u(d, "HostId", ALPCSCOPE_ID_UNKNOWN);
		return true;
	}
	case 3:
	case 13: {
		uint32_t i = idmap_get(&s->op_by_id, op_id);

		if (i == IDMAP_NONE)
			return true;
		o = &s->ops[i];
		o->ended = true;
		o->result_code = (uint32_t)rpc_field_u(d, "ResultCode", 0);
		o->end_filetime_100ns = ev->filetime_100ns;
		return true;
	}
	default: return true;
	}
}

bool
wmi_finish(struct alpcscope_model *m, struct rpc_state *s)
{
	if (!s->nops)
		return true;
	for (uint32_t i = 0; i < s->nops; i++) {
		struct alpcscope_wmi_operation *o = &s->ops[i];
		const struct alpcscope_message *msg = alpcscope_model_message_at(m, o->message);

		/* The request must be one the logging thread received. */
		if (!msg || msg->receive.thread != o->thread || msg->role == ALPCSCOPE_ROLE_REPLY)
			o->message = ALPCSCOPE_NONE;
		if (o->message != ALPCSCOPE_NONE &&
		    idmap_get(&s->op_by_msg, o->message) == IDMAP_NONE &&
		    !idmap_put(&s->op_by_msg, o->message, 2 * i))
			return false;
		if (o->created_process != ALPCSCOPE_NONE) {
			const struct alpcscope_process_instance *p = &m->procs[o->created_process];

			if (p->logical_parent == ALPCSCOPE_NONE)
				o->corroboration = ALPCSCOPE_WMI_ONLY;
			else if (o->client_process != ALPCSCOPE_NONE &&
				 p->logical_parent == o->client_process)
				o->corroboration = ALPCSCOPE_WMI_AGREES;
			else
				o->corroboration = ALPCSCOPE_WMI_DIFFERS;
			if (idmap_get(&s->op_by_created, o->created_process) == IDMAP_NONE &&
			    !idmap_put(&s->op_by_created, o->created_process, i))
				return false;
		}
	}
	/* Provider messages: requests nested in an operation's message, sent to its host. */
	for (uint32_t k = 0; k < m->nmsgs; k++) {
		const struct alpcscope_message *msg = model_msg(m, k);

		if (msg->parent == ALPCSCOPE_NONE || msg->role == ALPCSCOPE_ROLE_REPLY)
			continue;
		uint32_t v = idmap_get(&s->op_by_msg, msg->parent);

		if (v == IDMAP_NONE || (v & 1u))
			continue;
		struct alpcscope_wmi_operation *o = &s->ops[v / 2];
		uint32_t server = alpcscope_model_event_process(m, &msg->receive);

		if (o->provider_message != ALPCSCOPE_NONE || server == ALPCSCOPE_NONE ||
		    o->provider_host_pid == ALPCSCOPE_ID_UNKNOWN ||
		    m->procs[server].pid != o->provider_host_pid || msg->send.thread != o->thread)
			continue;
		o->provider_message = k;
		if (idmap_get(&s->op_by_msg, k) == IDMAP_NONE &&
		    !idmap_put(&s->op_by_msg, k, v | 1u))
			return false;
	}
	return true;
}

/* ---- accessors ---- */

uint32_t
alpcscope_model_wmi_operation_count(const struct alpcscope_model *m)
{
	return m && m->rpc ? m->rpc->nops : 0;
}

const struct alpcscope_wmi_operation *
alpcscope_model_wmi_operation_at(const struct alpcscope_model *m, uint32_t index)
{
	return m && m->rpc && index < m->rpc->nops ? &m->rpc->ops[index] : NULL;
}

uint32_t
alpcscope_model_message_wmi_operation(const struct alpcscope_model *m, uint32_t message,
				      bool *as_provider)
{
	if (as_provider)
		*as_provider = false;
	if (!m || !m->rpc || !m->finished)
		return ALPCSCOPE_NONE;
	uint32_t v = idmap_get(&m->rpc->op_by_msg, message);

	if (v == IDMAP_NONE)
		return ALPCSCOPE_NONE;
	if (as_provider)
		*as_provider = (v & 1u) != 0;
	return v / 2;
}

uint32_t
alpcscope_model_process_wmi_operation(const struct alpcscope_model *m, uint32_t process)
{
	if (!m || !m->rpc || !m->finished)
		return ALPCSCOPE_NONE;
	uint32_t v = idmap_get(&m->rpc->op_by_created, process);

	return v == IDMAP_NONE ? ALPCSCOPE_NONE : v;
}
