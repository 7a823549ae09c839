/* SPDX-License-Identifier: MIT */
/* RPC and WMI annotations for the model writers (rpc_output.h). */
#include "output/rpc_output.h"

#include <alpcscope/interfaces.h>

#include <inttypes.h>
#include <string.h>

#include "output/model_output.h"

bool
ro_any(const struct alpcscope_model *m)
{
	return alpcscope_model_rpc_call_count(m) || alpcscope_model_wmi_operation_count(m);
}

static const char *
protocol_name(uint32_t p)
{
	switch (p) {
	case ALPCSCOPE_RPC_PROTOCOL_TCP: return "TCP";
	case ALPCSCOPE_RPC_PROTOCOL_NAMED_PIPES: return "NamedPipes";
	case ALPCSCOPE_RPC_PROTOCOL_LRPC: return "LRPC";
	case ALPCSCOPE_RPC_PROTOCOL_HTTP: return "HTTP";
	default: return NULL;
	}
}

/* The call to describe: the client side, else the server side. */
static const struct alpcscope_rpc_call *
call_of(const struct alpcscope_model *m, uint32_t message, const struct alpcscope_rpc_call **client,
	const struct alpcscope_rpc_call **server)
{
	*client =
	    alpcscope_model_rpc_call_at(m, alpcscope_model_message_rpc_call(m, message, false));
	*server =
	    alpcscope_model_rpc_call_at(m, alpcscope_model_message_rpc_call(m, message, true));
	return *client ? *client : *server;
}

static void
names_of(const struct alpcscope_model *m, const struct alpcscope_rpc_call *c,
	 struct alpcscope_rpc_names *n)
{
	alpcscope_interface_db_lookup(alpcscope_model_interfaces(m), &c->interface_uuid,
				      ALPCSCOPE_IFACE_VERSION_ANY, c->opnum, n);
}

const struct alpcscope_rpc_call *
ro_rpc_call(const struct alpcscope_model *m, uint32_t message, struct alpcscope_rpc_names *names)
{
	const struct alpcscope_rpc_call *cl, *sv, *c = call_of(m, message, &cl, &sv);

	if (c)
		names_of(m, c, names);
	return c;
}

const char *
ro_protocol_name(uint32_t protocol)
{
	return protocol_name(protocol);
}

bool
ro_rpc_text(const struct alpcscope_model *m, uint32_t message, char *out, size_t size)
{
	const struct alpcscope_rpc_call *cl, *sv, *c = call_of(m, message, &cl, &sv);
	struct alpcscope_rpc_names n;
	char uuid[ALPCSCOPE_GUID_STR_SIZE], iface[320], ver[32] = "", op[200], src[400] = "";
	char proto[24];

	out[0] = '\0';
	if (!c)
		return false;
	names_of(m, c, &n);
	alpcscope_guid_format(uuid, &c->interface_uuid);
	if (n.interface_name)
		snprintf(iface, sizeof(iface), "%s(%s)", n.interface_name, uuid);
	else
		snprintf(iface, sizeof(iface), "%s", uuid);
	if (n.version != ALPCSCOPE_IFACE_VERSION_ANY)
		snprintf(ver, sizeof(ver), " v%u.%u", n.version >> 16, n.version & 0xFFFFu);
	if (n.procedure_name)
		snprintf(op, sizeof(op), "%s(%u)", n.procedure_name, c->opnum);
	else
		snprintf(op, sizeof(op), "opnum %u", c->opnum);
	const char *from = n.procedure_source ? n.procedure_source : n.interface_source;

	if (from)
		snprintf(src, sizeof(src), " [source: %s%s%s]", from, n.reference ? "; " : "",
			 n.reference ? n.reference : "");
	else if (n.ambiguous)
		snprintf(src, sizeof(src), " [names: sources disagree]");
	const char *pn = protocol_name(c->protocol);

	if (pn)
		snprintf(proto, sizeof(proto), "%s", pn);
	else
		snprintf(proto, sizeof(proto), "%u", c->protocol);
	int w = snprintf(out, size, "iface=%s%s op=%s%s protocol=%s endpoint=%s", iface, ver, op,
			 src, proto, c->endpoint[0] ? c->endpoint : "-");
	size_t used = w < 0 ? 0 : (size_t)w < size ? (size_t)w : size - 1;

	if (n.module && used < size)
		used += (size_t)snprintf(out + used, size - used, " module=%s", n.module);
	if (used < size)
		used +=
		    (size_t)snprintf(out + used, size - used, " authn-level=%u authn-service=%u",
				     c->authentication_level, c->authentication_service);
	if (used < size) {
		if (c->stopped)
			snprintf(out + used, size - used, " status=%u", c->status);
		else
			snprintf(out + used, size - used, " status=-");
	}
	return true;
}

static void
side_text(const struct alpcscope_model *m, const struct alpcscope_rpc_call *c, char *out,
	  size_t size)
{
	const struct alpcscope_thread_instance *t = alpcscope_model_thread_at(m, c->thread);
	char stop[48];

	if (c->stopped)
		snprintf(stop, sizeof(stop), "stop ord %" PRIu64, c->stop_ordinal);
	else
		snprintf(stop, sizeof(stop), "no stop");
	snprintf(out, size, "%s call on tid %u: start ord %" PRIu64 " .. %s %s",
		 c->server ? "server" : "client", t ? t->tid : 0, c->start_ordinal, stop,
		 c->server ? "inside the Receive .. reply Send" : "around the Send");
}

bool
ro_rpc_evidence(const struct alpcscope_model *m, uint32_t message, char *out, size_t size)
{
	const struct alpcscope_rpc_call *cl, *sv;
	char a[200] = "", b[200] = "";

	out[0] = '\0';
	if (!call_of(m, message, &cl, &sv))
		return false;
	if (cl)
		side_text(m, cl, a, sizeof(a));
	if (sv)
		side_text(m, sv, b, sizeof(b));
	snprintf(out, size, "%s%s%s", a, cl && sv ? "; " : "", b);
	return true;
}

/* "ExecMethod" from "Start IWbemServices::ExecMethod - root\cimv2 : ...". */
static void
verb_of(const char *op, char *out, size_t size)
{
	const char *p = op ? strstr(op, "::") : NULL;

	out[0] = '\0';
	if (!p)
		return;
	p += 2;
	size_t n = strcspn(p, " ");

	snprintf(out, size, "%.*s", (int)(n < 64 ? n : 64), p);
}

/* Namespace without the "\\.\" machine prefix. */
static const char *
short_namespace(const char *ns)
{
	if (ns && strncmp(ns, "\\\\.\\", 4) == 0)
		return ns + 4;
	return ns;
}

static const char *
corroboration_name(uint8_t c)
{
	switch (c) {
	case ALPCSCOPE_WMI_AGREES: return "agrees with the chain's logical parent";
	case ALPCSCOPE_WMI_DIFFERS: return "differs from the chain's logical parent";
	case ALPCSCOPE_WMI_ONLY: return "no chain explains the process";
	default: return NULL;
	}
}

static void
op_text(const struct alpcscope_wmi_operation *o, char *out, size_t size)
{
	char verb[80], target[300] = "", created[48] = "", host[48] = "";

	verb_of(o->operation, verb, sizeof(verb));
	if (o->class_name && o->method_name)
		snprintf(target, sizeof(target), " %s::%s", o->class_name, o->method_name);
	else if (o->operation && strstr(o->operation, " : "))
		snprintf(target, sizeof(target), " %s", strstr(o->operation, " : ") + 3);
	if (o->created_pid != ALPCSCOPE_ID_UNKNOWN)
		snprintf(created, sizeof(created), " created=%u", o->created_pid);
	if (o->provider_host_pid != ALPCSCOPE_ID_UNKNOWN)
		snprintf(host, sizeof(host), " provider-host=%u", o->provider_host_pid);
	const char *ns = short_namespace(o->namespace_name);
	int w = snprintf(out, size, "%s%s%s%s", verb[0] ? verb : "operation", target, ns ? " " : "",
			 ns ? ns : "");
	size_t used = w < 0 ? 0 : (size_t)w < size ? (size_t)w : size - 1;

	if (o->client_pid != ALPCSCOPE_ID_UNKNOWN && used < size)
		used += (size_t)snprintf(out + used, size - used, " client=%u", o->client_pid);
	if (used < size)
		used += (size_t)snprintf(out + used, size - used, "%s%s", created, host);
	if (o->provider_name && used < size)
		used += (size_t)snprintf(out + used, size - used, " provider=%s", o->provider_name);
	if (used < size)
		snprintf(out + used, size - used, " (operation %u%s)", o->operation_id,
			 o->ended ? (o->result_code ? ", failed" : ", ended") : "");
}

bool
ro_wmi_text(const struct alpcscope_model *m, uint32_t message, char *out, size_t size)
{
	bool as_provider;
	const struct alpcscope_wmi_operation *o = alpcscope_model_wmi_operation_at(
	    m, alpcscope_model_message_wmi_operation(m, message, &as_provider));
	char t[1024];

	out[0] = '\0';
	if (!o)
		return false;
	op_text(o, t, sizeof(t));
	if (as_provider)
		snprintf(out, size, "provider call for %s", t);
	else
		snprintf(out, size, "%s", t);
	return true;
}

bool
ro_process_wmi_text(const struct alpcscope_model *m, uint32_t process, char *out, size_t size)
{
	const struct alpcscope_wmi_operation *o =
	    alpcscope_model_wmi_operation_at(m, alpcscope_model_process_wmi_operation(m, process));
	char label[MO_LABEL_SIZE];
	const char *c;

	out[0] = '\0';
	if (!o)
		return false;
	c = corroboration_name(o->corroboration);
	snprintf(out, size, "WMI operation %u reports creating it for client %s (pid %u)%s%s",
		 o->operation_id, mo_process_label(m, o->client_process, label, sizeof(label)),
		 o->client_pid, c ? ": " : "", c ? c : "");
	return true;
}

json_object *
ro_rpc_json(const struct alpcscope_model *m, uint32_t message)
{
	const struct alpcscope_rpc_call *cl, *sv, *c = call_of(m, message, &cl, &sv);
	struct alpcscope_rpc_names n;
	char uuid[ALPCSCOPE_GUID_STR_SIZE], buf[600];

	if (!c)
		return NULL;
	names_of(m, c, &n);
	alpcscope_guid_format(uuid, &c->interface_uuid);
	json_object *j = json_object_new_object();

	json_object_object_add(j, "interface_uuid", mo_jstr(uuid));
	json_object_object_add(j, "interface_name", mo_jstr(n.interface_name));
	if (n.version != ALPCSCOPE_IFACE_VERSION_ANY) {
		snprintf(buf, sizeof(buf), "%u.%u", n.version >> 16, n.version & 0xFFFFu);
		json_object_object_add(j, "interface_version", mo_jstr(buf));
	} else {
		json_object_object_add(j, "interface_version", NULL);
	}
	json_object_object_add(j, "opnum", mo_ju64(c->opnum));
	json_object_object_add(j, "procedure_name", mo_jstr(n.procedure_name));
	json_object_object_add(j, "interface_source", mo_jstr(n.interface_source));
	json_object_object_add(j, "procedure_source", mo_jstr(n.procedure_source));
	json_object_object_add(j, "reference", mo_jstr(n.reference));
	json_object_object_add(j, "module", mo_jstr(n.module));
	json_object_object_add(j, "names_ambiguous", json_object_new_boolean(n.ambiguous));
	const char *pn = protocol_name(c->protocol);

	json_object_object_add(j, "protocol", pn ? mo_jstr(pn) : mo_ju64(c->protocol));
	json_object_object_add(j, "network_address", mo_jstr(c->network_address));
	json_object_object_add(j, "endpoint", mo_jstr(c->endpoint));
	json_object_object_add(j, "authentication_level", mo_ju64(c->authentication_level));
	json_object_object_add(j, "authentication_service", mo_ju64(c->authentication_service));
	json_object_object_add(j, "impersonation_level", mo_ju64(c->impersonation_level));
	json_object_object_add(j, "status", c->stopped ? mo_ju64(c->status) : NULL);
	for (int side = 0; side < 2; side++) {
		const struct alpcscope_rpc_call *x = side ? sv : cl;
		json_object *o = NULL;

		if (x) {
			const struct alpcscope_thread_instance *t =
			    alpcscope_model_thread_at(m, x->thread);

			o = json_object_new_object();
			json_object_object_add(o, "tid", t ? mo_ju64(t->tid) : NULL);
			json_object_object_add(o, "start_ordinal", mo_ju64(x->start_ordinal));
			json_object_object_add(o, "stop_ordinal",
					       x->stopped ? mo_ju64(x->stop_ordinal) : NULL);
			json_object_object_add(o, "status", x->stopped ? mo_ju64(x->status) : NULL);
		}
		json_object_object_add(j, side ? "server_call" : "client_call", o);
	}
	ro_rpc_text(m, message, buf, sizeof(buf));
	json_object_object_add(j, "text", mo_jstr(buf));
	return j;
}

static json_object *
op_json(const struct alpcscope_model *m, const struct alpcscope_wmi_operation *o)
{
	json_object *j = json_object_new_object();
	char buf[1024];

	(void)m;
	json_object_object_add(j, "operation_id", mo_ju64(o->operation_id));
	json_object_object_add(j, "group_operation_id", mo_ju64(o->group_operation_id));
	json_object_object_add(j, "correlation_id", mo_jstr(o->correlation_id));
	json_object_object_add(j, "operation", mo_jstr(o->operation));
	json_object_object_add(j, "namespace", mo_jstr(o->namespace_name));
	json_object_object_add(j, "class", mo_jstr(o->class_name));
	json_object_object_add(j, "method", mo_jstr(o->method_name));
	json_object_object_add(j, "user", mo_jstr(o->user));
	json_object_object_add(
	    j, "client_pid", o->client_pid != ALPCSCOPE_ID_UNKNOWN ? mo_ju64(o->client_pid) : NULL);
	json_object_object_add(j, "provider", mo_jstr(o->provider_name));
	json_object_object_add(
	    j, "provider_host_pid",
	    o->provider_host_pid != ALPCSCOPE_ID_UNKNOWN ? mo_ju64(o->provider_host_pid) : NULL);
	json_object_object_add(j, "created_pid",
			       o->created_pid != ALPCSCOPE_ID_UNKNOWN ? mo_ju64(o->created_pid)
								      : NULL);
	json_object_object_add(j, "created_command_line", mo_jstr(o->command_line));
	json_object_object_add(j, "result_code", o->ended ? mo_ju64(o->result_code) : NULL);
	const char *c = corroboration_name(o->corroboration);

	json_object_object_add(j, "corroboration", mo_jstr(c));
	op_text(o, buf, sizeof(buf));
	json_object_object_add(j, "text", mo_jstr(buf));
	return j;
}

json_object *
ro_wmi_json(const struct alpcscope_model *m, uint32_t message)
{
	bool as_provider;
	const struct alpcscope_wmi_operation *o = alpcscope_model_wmi_operation_at(
	    m, alpcscope_model_message_wmi_operation(m, message, &as_provider));

	if (!o)
		return NULL;
	json_object *j = op_json(m, o);

	json_object_object_add(j, "role", mo_jstr(as_provider ? "provider-call" : "operation"));
	return j;
}

json_object *
ro_process_wmi_json(const struct alpcscope_model *m, uint32_t process)
{
	const struct alpcscope_wmi_operation *o =
	    alpcscope_model_wmi_operation_at(m, alpcscope_model_process_wmi_operation(m, process));

	return o ? op_json(m, o) : NULL;
}
