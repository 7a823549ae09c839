/* SPDX-License-Identifier: MIT */
/*
 * Microsoft-Windows-RPC client/server call start/stop (events 5/6/7/8,
 * docs/event-layouts.md#rpc) joined to the ALPC requests the same threads carry.
 *
 * Start and stop of one call side are paired by ActivityId on the same
 * thread (the newest open call of that thread and side when the ActivityId
 * is zero). For LRPC calls (Protocol 3):
 *  - server side: the request the dispatching thread holds (received and not
 *    yet answered) when the server start is logged; at finish the window is
 *    checked: Receive before the start, reply Send (if any) after the stop;
 *  - client side: the last request the calling thread sent when the client
 *    stop is logged, accepted when its Send lies inside [start, stop] and its
 *    reply (if seen) was received before the stop; calls without a stop take
 *    the first request the thread sent after the start.
 * Decoding uses the manifests built into the library (a private decoder,
 * created on the first RPC or WMI-Activity event).
 */
#include <alpcscope/interfaces.h>

#include <stdlib.h>
#include <string.h>

#include "analysis/model_internal.h"
#include "analysis/rpc_calls.h"
#include "util/error.h"

static const struct alpcscope_guid rpc_provider = {
    0x6ad52b32, 0xd609, 0x4be9, {0xae, 0x07, 0xce, 0x8d, 0xae, 0x93, 0x7e, 0x39}};
static const struct alpcscope_guid wmi_provider = {
    0x1418ef04, 0xb0b4, 0x4623, {0xbf, 0x7e, 0xd7, 0x4a, 0xb4, 0x7b, 0xbd, 0xaa}};

bool
rpc_wanted(const struct alpcscope_event *ev)
{
	return !ev->is_kernel && ev->has_provider &&
	       (alpcscope_guid_equal(&ev->provider, &rpc_provider) ||
		alpcscope_guid_equal(&ev->provider, &wmi_provider));
}

struct rpc_state *
rpc_state(struct alpcscope_model *m)
{
	if (m->rpc)
		return m->rpc;
	struct rpc_state *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	idmap_init(&s->client_by_msg);
	idmap_init(&s->server_by_msg);
	idmap_init(&s->op_by_id);
	idmap_init(&s->op_by_group);
	idmap_init(&s->op_by_msg);
	idmap_init(&s->op_by_created);
	m->rpc = s;
	return s;
}

void
rpc_state_free(struct rpc_state *s)
{
	if (!s)
		return;
	alpcscope_decoder_free(s->decoder);
	alpcscope_schema_set_free(s->schemas);
	free(s->calls);
	free(s->activity);
	free(s->open);
	free(s->ops);
	idmap_free(&s->client_by_msg);
	idmap_free(&s->server_by_msg);
	idmap_free(&s->op_by_id);
	idmap_free(&s->op_by_group);
	idmap_free(&s->op_by_msg);
	idmap_free(&s->op_by_created);
	free(s);
}

enum alpcscope_status
alpcscope_schema_set_load_builtin(struct alpcscope_schema_set *set, struct alpcscope_error *err)
{
	enum alpcscope_status st = alpcscope_schema_set_load_manifest_memory(
	    set, rpc_manifest_xml, rpc_manifest_xml_size, err);

	if (st == ALPCSCOPE_OK)
		st = alpcscope_schema_set_load_manifest_memory(set, wmi_manifest_xml,
							       wmi_manifest_xml_size, err);
	return st;
}

/* Decoder with the built-in RPC and WMI-Activity manifests; false on out of memory. */
static enum alpcscope_status
ensure_decoder(struct rpc_state *s, struct alpcscope_error *err)
{
	if (s->decoder || s->decoder_failed)
		return ALPCSCOPE_OK;
	enum alpcscope_status st = alpcscope_schema_set_new(&s->schemas, err);

	if (st == ALPCSCOPE_OK)
		st = alpcscope_schema_set_load_builtin(s->schemas, err);
	if (st == ALPCSCOPE_OK)
		st = alpcscope_decoder_new(&s->decoder, err);
	if (st == ALPCSCOPE_OK)
		st = alpcscope_decoder_set_schemas(s->decoder, s->schemas, err);
	if (st == ALPCSCOPE_E_NOMEM)
		return st;
	if (st != ALPCSCOPE_OK) /* built-in data is tested; never expected */
		s->decoder_failed = true;
	return ALPCSCOPE_OK;
}

const char *
rpc_field_str(struct alpcscope_model *m, const struct alpcscope_decoded *d, const char *name,
	      bool keep_empty)
{
	const struct alpcscope_field *f = alpcscope_decoded_field(d, name);

	if (!f || f->type != ALPCSCOPE_FIELD_STRING || !f->value.str)
		return keep_empty ? "" : NULL;
	/* Rendered samples show the word NULL for empty strings (§7.1): treat both as empty. */
	if (!f->value.str[0] || strcmp(f->value.str, "NULL") == 0)
		return keep_empty ? "" : NULL;
	return arena_strdup(&m->arena, f->value.str);
}

uint64_t
rpc_field_u(const struct alpcscope_decoded *d, const char *name, uint64_t dflt)
{
	const struct alpcscope_field *f = alpcscope_decoded_field(d, name);

	if (!f)
		return dflt;
	switch (f->type) {
	case ALPCSCOPE_FIELD_UINT:
	case ALPCSCOPE_FIELD_HEX: return f->value.u;
	case ALPCSCOPE_FIELD_INT: return (uint64_t)f->value.i;
	case ALPCSCOPE_FIELD_BOOL: return f->value.b;
	default: return dflt;
	}
}

/* A value-mapped field: the number, or the number behind the map text. */
static uint32_t
mapped(const struct alpcscope_decoded *d, const char *name, const char *const *names,
       uint32_t count)
{
	const struct alpcscope_field *f = alpcscope_decoded_field(d, name);

	if (!f)
		return 0;
	if (f->type != ALPCSCOPE_FIELD_STRING)
		return (uint32_t)rpc_field_u(d, name, 0);
	for (uint32_t i = 0; i < count; i++)
		if (names[i] && f->value.str && strcmp(names[i], f->value.str) == 0)
			return i;
	return (uint32_t)strtoul(f->value.str ? f->value.str : "0", NULL, 0);
}

static const char *const protocol_names[] = {NULL, "TCP", "NamedPipes", "LRPC", "HTTP"};
static const char *const authsvc_names[] = {
    "None", NULL, NULL, NULL,       NULL, NULL,       NULL, NULL, NULL, "Negotiate", "NTLM",
    NULL,   NULL, NULL, "SChannel", NULL, "Kerberos", NULL, NULL, NULL, "Kernel"};
static const char *const imp_names[] = {"Default", "Anonymous", "Identify", "Impersonate",
					"Delegate"};

#define COUNT(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

static bool
on_start(struct alpcscope_model *m, struct rpc_state *s, const struct alpcscope_event *ev,
	 const struct alpcscope_decoded *d, bool server, uint32_t thread)
{
	const struct alpcscope_field *iface = alpcscope_decoded_field(d, "InterfaceUuid");

	if (!iface || iface->type != ALPCSCOPE_FIELD_GUID) {
		m->stats.decode_errors++;
		return true;
	}
	uint32_t cap = s->cap_calls;

	if (!model_grow((void **)&s->calls, &cap, s->ncalls, sizeof(*s->calls)))
		return false;
	if (cap != s->cap_calls) {
		struct alpcscope_guid *a = realloc(s->activity, (size_t)cap * sizeof(*a));

		if (!a)
			return false;
		s->activity = a;
		s->cap_calls = cap;
	}
	if (!model_grow((void **)&s->open, &s->cap_open, s->nopen, sizeof(*s->open)))
		return false;
	struct alpcscope_rpc_call *c = &s->calls[s->ncalls];

	memset(c, 0, sizeof(*c));
	c->interface_uuid = iface->value.guid;
	c->opnum = (uint32_t)rpc_field_u(d, "ProcNum", 0);
	c->protocol = mapped(d, "Protocol", protocol_names, COUNT(protocol_names));
	c->network_address = rpc_field_str(m, d, "NetworkAddress", true);
	c->endpoint = rpc_field_str(m, d, "Endpoint", true);
	c->options = rpc_field_str(m, d, "Options", true);
	if (!c->network_address || !c->endpoint || !c->options)
		return false;
	c->authentication_level = (uint32_t)rpc_field_u(d, "AuthenticationLevel", 0);
	c->authentication_service =
	    mapped(d, "AuthenticationService", authsvc_names, COUNT(authsvc_names));
	c->impersonation_level = mapped(d, "ImpersonationLevel", imp_names, COUNT(imp_names));
	c->server = server;
	c->thread = thread;
	c->start_filetime_100ns = ev->filetime_100ns;
	c->start_ordinal = ev->ordinal;
	c->message = ALPCSCOPE_NONE;
	/* Server side: the request this thread is serving right now. */
	if (server && thread != ALPCSCOPE_NONE && m->tstate[thread].held != ALPCSCOPE_NONE)
		c->message = m->tstate[thread].held;
	s->activity[s->ncalls] = ev->activity_id;
	s->open[s->nopen++] = s->ncalls;
	s->ncalls++;
	return true;
}

static void
on_stop(struct alpcscope_model *m, struct rpc_state *s, const struct alpcscope_event *ev,
	const struct alpcscope_decoded *d, bool server, uint32_t thread)
{
	static const struct alpcscope_guid zero;
	bool no_activity = alpcscope_guid_equal(&ev->activity_id, &zero);

	for (uint32_t k = s->nopen; k-- > 0;) {
		struct alpcscope_rpc_call *c = &s->calls[s->open[k]];

		if (c->server != server || c->thread != thread)
			continue;
		if (!no_activity &&
		    !alpcscope_guid_equal(&s->activity[s->open[k]], &ev->activity_id))
			continue;
		c->stopped = true;
		c->status = (uint32_t)rpc_field_u(d, "Status", 0);
		c->stop_filetime_100ns = ev->filetime_100ns;
		c->stop_ordinal = ev->ordinal;
		/* Client side: the request this thread sent last. */
		if (!server && thread != ALPCSCOPE_NONE)
			c->message = m->tstate[thread].last_sent;
		memmove(&s->open[k], &s->open[k + 1], (s->nopen - k - 1) * sizeof(*s->open));
		s->nopen--;
		return;
	}
}

enum alpcscope_status
rpc_on_event(struct alpcscope_model *m, const struct alpcscope_event *ev,
	     struct alpcscope_error *err)
{
	struct rpc_state *s = rpc_state(m);
	const struct alpcscope_decoded *d = NULL;
	bool oom = false;

	if (!s)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	enum alpcscope_status st = ensure_decoder(s, err);

	if (st != ALPCSCOPE_OK)
		return st;
	if (!s->decoder)
		return ALPCSCOPE_OK;
	st = alpcscope_decode(s->decoder, ev, &d, NULL);
	if (st == ALPCSCOPE_E_NOMEM)
		return error_set(err, st, ALPCSCOPE_NO_OFFSET, "out of memory decoding");
	if (st != ALPCSCOPE_OK || !d || d->kind != ALPCSCOPE_DECODED_SCHEMA) {
		m->stats.decode_errors++;
		return ALPCSCOPE_OK;
	}
	uint32_t thread = ALPCSCOPE_NONE;

	if (ev->thread_id != ALPCSCOPE_ID_UNKNOWN && ev->process_id != ALPCSCOPE_ID_UNKNOWN) {
		thread = process_table_thread(m, ev->process_id, ev->thread_id, &oom);
		if (oom)
			return error_set(err, ALPCSCOPE_E_NOMEM, ev->file_offset, "out of memory");
	}
	bool ok = true;

	if (alpcscope_guid_equal(&ev->provider, &wmi_provider)) {
		ok = wmi_on_decoded(m, s, ev, d);
	} else {
		switch (ev->event_id) {
		case 5: ok = on_start(m, s, ev, d, false, thread); break;
		case 6: ok = on_start(m, s, ev, d, true, thread); break;
		case 7: on_stop(m, s, ev, d, false, thread); break;
		case 8: on_stop(m, s, ev, d, true, thread); break;
		default: break;
		}
	}
	if (!ok)
		return error_set(err, ALPCSCOPE_E_NOMEM, ev->file_offset, "out of memory");
	return ALPCSCOPE_OK;
}

/* ---- finish: check each candidate against its window ---- */

static bool
client_fits(const struct alpcscope_model *m, const struct alpcscope_rpc_call *c, uint32_t mi)
{
	const struct alpcscope_message *msg = alpcscope_model_message_at(m, mi);

	if (!msg || msg->send.thread != c->thread || msg->role == ALPCSCOPE_ROLE_REPLY)
		return false;
	if (msg->send.ordinal < c->start_ordinal)
		return false;
	if (c->stopped && msg->send.ordinal > c->stop_ordinal)
		return false;
	const struct alpcscope_message *reply = alpcscope_model_message_at(m, msg->related);

	if (c->stopped && reply && reply->receive.thread != ALPCSCOPE_NONE &&
	    reply->receive.ordinal > c->stop_ordinal)
		return false;
	return true;
}

static bool
server_fits(const struct alpcscope_model *m, const struct alpcscope_rpc_call *c, uint32_t mi)
{
	const struct alpcscope_message *msg = alpcscope_model_message_at(m, mi);

	if (!msg || msg->receive.thread != c->thread || msg->role == ALPCSCOPE_ROLE_REPLY)
		return false;
	if (msg->receive.ordinal > c->start_ordinal)
		return false;
	const struct alpcscope_message *reply = alpcscope_model_message_at(m, msg->related);

	if (c->stopped && reply && reply->send.thread != ALPCSCOPE_NONE &&
	    reply->send.ordinal < c->stop_ordinal)
		return false;
	return true;
}

bool
rpc_finish(struct alpcscope_model *m)
{
	struct rpc_state *s = m->rpc;

	if (!s)
		return true;
	for (uint32_t i = 0; i < s->ncalls; i++) {
		struct alpcscope_rpc_call *c = &s->calls[i];

		if (c->protocol != ALPCSCOPE_RPC_PROTOCOL_LRPC || c->thread == ALPCSCOPE_NONE) {
			c->message = ALPCSCOPE_NONE;
			continue;
		}
		if (!c->server && !c->stopped) {
			/* No stop: the first request the thread sent after the start. */
			c->message = ALPCSCOPE_NONE;
			for (uint32_t k = 0; k < m->nmsgs; k++)
				if (client_fits(m, c, k)) {
					c->message = k;
					break;
				}
		}
		if (c->message != ALPCSCOPE_NONE &&
		    !(c->server ? server_fits(m, c, c->message) : client_fits(m, c, c->message)))
			c->message = ALPCSCOPE_NONE;
		if (c->message == ALPCSCOPE_NONE)
			continue;
		struct idmap *map = c->server ? &s->server_by_msg : &s->client_by_msg;

		/* Nested calls of one request: the first call keeps it. */
		if (idmap_get(map, c->message) == IDMAP_NONE && !idmap_put(map, c->message, i))
			return false;
	}
	free(s->open);
	s->open = NULL;
	s->nopen = s->cap_open = 0;
	return wmi_finish(m, s);
}

/* ---- accessors ---- */

uint32_t
alpcscope_model_rpc_call_count(const struct alpcscope_model *m)
{
	return m && m->rpc ? m->rpc->ncalls : 0;
}

const struct alpcscope_rpc_call *
alpcscope_model_rpc_call_at(const struct alpcscope_model *m, uint32_t index)
{
	return m && m->rpc && index < m->rpc->ncalls ? &m->rpc->calls[index] : NULL;
}

uint32_t
alpcscope_model_message_rpc_call(const struct alpcscope_model *m, uint32_t message, bool server)
{
	if (!m || !m->rpc || !m->finished)
		return ALPCSCOPE_NONE;
	uint32_t v = idmap_get(server ? &m->rpc->server_by_msg : &m->rpc->client_by_msg, message);

	return v == IDMAP_NONE ? ALPCSCOPE_NONE : v;
}

void
alpcscope_model_set_interfaces(struct alpcscope_model *m, const struct alpcscope_interface_db *db)
{
	struct rpc_state *s = m ? rpc_state(m) : NULL;

	if (s)
		s->ifdb = db;
}

const struct alpcscope_interface_db *
alpcscope_model_interfaces(const struct alpcscope_model *m)
{
	return m && m->rpc ? m->rpc->ifdb : NULL;
}
