/* SPDX-License-Identifier: MIT */
/* The row model of one ALPC message: see message_row.h. */
#include "output/message_row.h"

#include <alpcscope/interfaces.h>

#include <stdio.h>
#include <string.h>

#include "output/rpc_output.h"

/* FILETIME of 1970-01-01 (100 ns units since 1601). */
#define UNIX_EPOCH_FILETIME 116444736000000000ll

static const char *
role_name(uint8_t role)
{
	switch (role) {
	case ALPCSCOPE_ROLE_REQUEST: return "request";
	case ALPCSCOPE_ROLE_REPLY: return "reply";
	default: return "unknown";
	}
}

static void
fill_side(struct mo_cache *c, const struct alpcscope_message_event *e, struct msg_side *s)
{
	s->g.present = e->thread != ALPCSCOPE_NONE;
	s->time = e->filetime_100ns;
	s->ordinal = e->ordinal;
	s->file_offset = e->file_offset;
	s->stack = e->stack;
	mo_fparty(c, e, &s->party);
}

void
msg_row_fill(struct mo_cache *c, uint32_t index, struct msg_row *r)
{
	const struct alpcscope_model *m = c->m;
	const struct alpcscope_message *msg = alpcscope_model_message_at(m, index);

	r->msg = msg;
	r->index = index;
	r->time = mo_message_time(msg);
	r->kind = alpcscope_message_kind_name((enum alpcscope_message_kind)msg->kind);
	r->role = role_name(msg->role);
	r->message_id = msg->message_id;
	fill_side(c, &msg->send, &r->send);
	fill_side(c, &msg->receive, &r->receive);
	/* a reply's client is its receiver (the original requester) */
	bool reply = msg->role == ALPCSCOPE_ROLE_REPLY;

	r->client = reply ? r->receive.party : r->send.party;
	r->server = reply ? r->send.party : r->receive.party;
	r->port = alpcscope_model_port_name(m, msg->port);
	r->port_index = r->port ? msg->port : ALPCSCOPE_NONE;
	r->latency_100ns = mo_latency(m, msg);
	r->evidence = mo_shown_evidence(m, msg);
	r->related = msg->related;
	r->parent = msg->parent;
}

void
msg_row_fill_timesketch(struct msg_row *r)
{
	r->ts_timestamp = (r->time - UNIX_EPOCH_FILETIME) / 10;
	r->ts_desc = r->send.g.present ? "ALPC Send" : "ALPC Receive";
}

/* "ALPC kind 0xid: client pid/tid -> server pid/tid[ port NAME]", built then escaped. */
static void
ts_message_slow(struct rm_ctx *ctx, struct strbuf *sb, const struct msg_row *r)
{
	struct strbuf *tmp = &ctx->cell;

	strbuf_reset(tmp);
	MO_LIT(tmp, "ALPC ");
	mo_puts(tmp, r->kind);
	mo_putc(tmp, ' ');
	mo_sb_hex32(tmp, r->message_id);
	MO_LIT(tmp, ": ");
	mo_sb_party_text(tmp, &r->client);
	MO_LIT(tmp, " -> ");
	mo_sb_party_text(tmp, &r->server);
	if (r->port) {
		MO_LIT(tmp, " port ");
		mo_puts(tmp, r->port);
	}
	/* the description was an snprintf into char[1024]: cut to 1023 bytes */
	mo_sb_cut(tmp, 0, 1023);
	if (tmp->oom)
		sb->oom = true;
	mo_sb_jstr(sb, tmp->data ? tmp->data : "");
}

/*
 * The same from the parties' texts escaped once per thread (mo_party_json()):
 * only the port is escaped per row. Descriptions that would be cut take the
 * slow path.
 */
static bool
ts_message_json(struct rm_ctx *ctx, struct strbuf *sb, const void *row)
{
	const struct msg_row *r = row;
	const struct mo_party_json *c = mo_party_json(ctx->c, &r->client);
	const struct mo_party_json *s = c ? mo_party_json(ctx->c, &r->server) : NULL;
	size_t kind_len = strlen(r->kind), port_len = r->port ? strlen(r->port) : 0;

	if (!s || 5 + kind_len + 1 + 10 + 2 + c->text_len + 4 + s->text_len +
			  (r->port ? 6 + port_len : 0) >
		      1023) {
		ts_message_slow(ctx, sb, r);
		return true;
	}
	MO_LIT(sb, "\"ALPC ");
	mo_put(sb, r->kind, kind_len);
	mo_putc(sb, ' ');
	mo_sb_hex32(sb, r->message_id);
	MO_LIT(sb, ": ");
	mo_put(sb, c->json, c->json_len);
	MO_LIT(sb, " -> ");
	mo_put(sb, s->json, s->json_len);
	if (r->port) {
		size_t n;
		const char *j = mo_port_json(ctx->c, r->port_index, &n);

		MO_LIT(sb, " port ");
		if (j)
			mo_put(sb, j + 1, n - 2); /* without its quotes */
		else
			mo_sb_jstr_body(sb, r->port, port_len);
	}
	mo_putc(sb, '"');
	return true;
}

void
msg_no_csv(struct rm_ctx *ctx, struct strbuf *sb, const void *value)
{
	(void)ctx, (void)sb, (void)value;
}

void
msg_no_xml(struct rm_ctx *ctx, struct xml_out *x, const void *value)
{
	(void)ctx, (void)x, (void)value;
}

/* JSON lines only (the column's formats) */
static const struct rm_custom ts_message_cell = {ts_message_json, msg_no_csv, msg_no_xml};

unsigned
msg_row_conds(const struct alpcscope_model *m, const struct alpcscope_write_options *o)
{
	unsigned conds = 0;

	if (o->stacks)
		conds |= RM_IF_STACKS;
	if (o->symbolizer)
		conds |= RM_IF_SYMBOLS;
	if (o->stacks || o->symbolizer)
		conds |= RM_IF_SITE;
	if (ro_any(m))
		conds |= RM_IF_RPC;
	return conds;
}

/* ---- rpc / wmi cells (only in traces with RPC or WMI events) ---- */

static bool
add_json(struct strbuf *sb, json_object *x)
{
	if (!x)
		return false;
	mo_sb_json(sb, x);
	json_object_put(x);
	return true;
}

/* The rpc and wmi cells take the message index (a uint32_t). */
static bool
rpc_json(struct rm_ctx *ctx, struct strbuf *sb, const void *index)
{
	return add_json(sb, ro_rpc_json(ctx->c->m, *(const uint32_t *)index));
}

static bool
wmi_json(struct rm_ctx *ctx, struct strbuf *sb, const void *index)
{
	return add_json(sb, ro_wmi_json(ctx->c->m, *(const uint32_t *)index));
}

static void
rpc_csv(struct rm_ctx *ctx, struct strbuf *sb, const void *index)
{
	char buf[1400];

	if (ro_rpc_text(ctx->c->m, *(const uint32_t *)index, buf, sizeof(buf)))
		mo_sb_csv(ctx->c, sb, buf);
}

static void
wmi_csv(struct rm_ctx *ctx, struct strbuf *sb, const void *index)
{
	char buf[1400];

	if (ro_wmi_text(ctx->c->m, *(const uint32_t *)index, buf, sizeof(buf)))
		mo_sb_csv(ctx->c, sb, buf);
}

static void
data_u(struct xml_out *x, const char *name, uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
	rm_xml_data_text(x, name, b);
}

/* The RPC call of a message as Data elements (only those present). */
void
msg_rpc_xml(struct rm_ctx *ctx, struct xml_out *x, uint32_t index)
{
	struct alpcscope_rpc_names n;
	const struct alpcscope_rpc_call *c = ro_rpc_call(ctx->c->m, index, &n);
	char buf[1400];

	if (!c)
		return;
	const char *pn = ro_protocol_name(c->protocol);

	alpcscope_guid_format(buf, &c->interface_uuid);
	rm_xml_data_text(x, "Interface", buf);
	if (n.interface_name)
		rm_xml_data_text(x, "InterfaceName", n.interface_name);
	if (n.version != ALPCSCOPE_IFACE_VERSION_ANY) {
		snprintf(buf, sizeof(buf), "%u.%u", n.version >> 16, n.version & 0xFFFFu);
		rm_xml_data_text(x, "InterfaceVersion", buf);
	}
	data_u(x, "Opnum", c->opnum);
	if (n.procedure_name)
		rm_xml_data_text(x, "Procedure", n.procedure_name);
	if (n.interface_source)
		rm_xml_data_text(x, "InterfaceSource", n.interface_source);
	if (n.procedure_source)
		rm_xml_data_text(x, "ProcedureSource", n.procedure_source);
	if (pn)
		rm_xml_data_text(x, "Protocol", pn);
	else
		data_u(x, "Protocol", c->protocol);
	if (c->endpoint && c->endpoint[0])
		rm_xml_data_text(x, "Endpoint", c->endpoint);
	data_u(x, "AuthenticationLevel", c->authentication_level);
	data_u(x, "AuthenticationService", c->authentication_service);
	data_u(x, "ImpersonationLevel", c->impersonation_level);
	if (c->stopped)
		data_u(x, "RpcStatus", c->status);
	ro_rpc_text(ctx->c->m, index, buf, sizeof(buf));
	rm_xml_data_text(x, "Rpc", buf);
}

/* The WMI operation of a message as Data elements (when it has one). */
void
msg_wmi_xml(struct rm_ctx *ctx, struct xml_out *x, uint32_t index)
{
	bool as_provider;
	uint32_t op = alpcscope_model_message_wmi_operation(ctx->c->m, index, &as_provider);
	const struct alpcscope_wmi_operation *o = alpcscope_model_wmi_operation_at(ctx->c->m, op);
	char buf[1400];

	if (!o)
		return;
	data_u(x, "WmiOperationId", o->operation_id);
	rm_xml_data_text(x, "WmiRole", as_provider ? "provider-call" : "operation");
	ro_wmi_text(ctx->c->m, index, buf, sizeof(buf));
	rm_xml_data_text(x, "Wmi", buf);
}

static void
rpc_xml(struct rm_ctx *ctx, struct xml_out *x, const void *index)
{
	msg_rpc_xml(ctx, x, *(const uint32_t *)index);
}

static void
wmi_xml(struct rm_ctx *ctx, struct xml_out *x, const void *index)
{
	msg_wmi_xml(ctx, x, *(const uint32_t *)index);
}

const struct rm_custom msg_rpc_cell = {rpc_json, rpc_csv, rpc_xml};
const struct rm_custom msg_wmi_cell = {wmi_json, wmi_csv, wmi_xml};

/* ---- the table ---- */

#define SIDE(member) RM_AT(struct msg_side, member)
#define ROW(member)  RM_AT(struct msg_row, member)

static const struct rm_column side_columns[] = {
    {RM_KEY("time"), .xml = "Time", .type = RM_TIME, SIDE(time), .formats = RM_ALL},
    {RM_KEY("ordinal"), .xml = "Ordinal", .type = RM_U64, SIDE(ordinal), .formats = RM_ALL},
    {RM_KEY("file_offset"), .xml = "FileOffset", .type = RM_U64, SIDE(file_offset),
     .formats = RM_ALL},
    {RM_KEY("pid"), .type = RM_OPT_U32, SIDE(party.pid), .formats = RM_ANY_JSON},
    {RM_KEY("tid"), .type = RM_OPT_U32, SIDE(party.tid), .formats = RM_ANY_JSON},
    {RM_KEY("process"), .type = RM_LABEL, SIDE(party.process), .formats = RM_ANY_JSON},
    {RM_KEY("stack"), .type = RM_STACK, SIDE(stack), .formats = RM_ANY_JSON, .needs = RM_IF_STACKS},
    {RM_KEY("stack_frames"), .type = RM_FRAMES, SIDE(stack), .formats = RM_ANY_JSON,
     .needs = RM_IF_STACKS | RM_IF_SYMBOLS},
};
const struct rm_table msg_side_table = RM_TABLE(side_columns);

static const struct rm_column msg_columns[] = {
    /* Timesketch's keys first in JSON lines */
    {RM_KEY("message"), .type = RM_CUSTOM, .formats = RM_JSONL, .sub = &ts_message_cell},
    {RM_KEY("datetime"), .type = RM_TIME, ROW(time), .formats = RM_JSONL},
    {RM_KEY("timestamp"), .type = RM_I64, ROW(ts_timestamp), .formats = RM_JSONL},
    {RM_KEY("timestamp_desc"), .type = RM_WORD, ROW(ts_desc), .formats = RM_JSONL},
    {RM_KEY("index"), .xml = "Message", .type = RM_U32, ROW(index), .formats = RM_ALL},
    {RM_KEY("time"), .type = RM_TIME, ROW(time), .formats = RM_JSON | RM_CSV},
    {RM_KEY("kind"), .xml = "Kind", .type = RM_WORD, ROW(kind), .formats = RM_ALL},
    {RM_KEY("role"), .xml = "Role", .type = RM_WORD, ROW(role), .formats = RM_ALL},
    {RM_KEY("message_id"), .xml = "MessageID", .type = RM_U32, ROW(message_id),
     .formats = RM_ANY_JSON | RM_XML},
    {RM_KEY("message_id_hex"), .csv = "message_id", .xml = "MessageIDHex", .type = RM_HEX32,
     ROW(message_id), .formats = RM_ALL},
    {RM_KEY("client_pid"), .xml = "ClientPid", .type = RM_OPT_U32, ROW(client.pid),
     .formats = RM_ALL},
    {RM_KEY("client_tid"), .xml = "ClientTid", .type = RM_OPT_U32, ROW(client.tid),
     .formats = RM_ALL},
    {RM_KEY("client_process"), .xml = "ClientProcess", .type = RM_LABEL, ROW(client.process),
     .formats = RM_ALL},
    {RM_KEY("server_pid"), .xml = "ServerPid", .type = RM_OPT_U32, ROW(server.pid),
     .formats = RM_ALL},
    {RM_KEY("server_tid"), .xml = "ServerTid", .type = RM_OPT_U32, ROW(server.tid),
     .formats = RM_ALL},
    {RM_KEY("server_process"), .xml = "ServerProcess", .type = RM_LABEL, ROW(server.process),
     .formats = RM_ALL},
    {RM_KEY("port"), .xml = "Port", .type = RM_PORT, ROW(port_index), .formats = RM_ALL},
    {RM_KEY("latency_us"), .xml = "LatencyUs", .type = RM_LATENCY, ROW(latency_100ns),
     .formats = RM_ALL},
    {RM_KEY("evidence"), .xml = "Evidence", .type = RM_EVIDENCE, ROW(evidence), .formats = RM_ALL},
    {RM_KEY("related"), .xml = "Related", .type = RM_OPT_U32, ROW(related), .formats = RM_ALL},
    {RM_KEY("parent"), .xml = "Parent", .type = RM_OPT_U32, ROW(parent), .formats = RM_ALL},
    {RM_KEY("send"), .xml = "Send", .type = RM_GROUP, ROW(send), .formats = RM_ALL,
     .sub = &msg_side_table},
    {RM_KEY("receive"), .xml = "Receive", .type = RM_GROUP, ROW(receive), .formats = RM_ALL,
     .sub = &msg_side_table},
    {RM_KEY("rpc"), .type = RM_CUSTOM, ROW(index), .formats = RM_ALL, .needs = RM_IF_RPC,
     .sub = &msg_rpc_cell},
    {RM_KEY("wmi"), .type = RM_CUSTOM, ROW(index), .formats = RM_ALL, .needs = RM_IF_RPC,
     .sub = &msg_wmi_cell},
    {RM_KEY("send_stack"), .xml = "SendStack", .type = RM_STACK, ROW(send.stack),
     .formats = RM_CSV | RM_XML, .needs = RM_IF_STACKS},
    {RM_KEY("receive_stack"), .xml = "ReceiveStack", .type = RM_STACK, ROW(receive.stack),
     .formats = RM_CSV | RM_XML, .needs = RM_IF_STACKS},
};
const struct rm_table msg_row_table = RM_TABLE(msg_columns);
