/* SPDX-License-Identifier: MIT */
/*
 * `alpcscope summary`: the tables of include/alpcscope/conversations.h
 * (conversations busiest first with latency percentiles, processes with
 * their traffic and time waiting / serving) and the chains with the most
 * hops with the processes they created, as text, one JSON document or CSV
 * (one table per file: --table). Keys: docs/summary.md.
 */
#include <alpcscope/conversations.h>
#include <alpcscope/interfaces.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/model_output.h"
#include "util/error.h"
#include "util/strbuf.h"

struct sw {
	const struct alpcscope_model *m;
	const struct alpcscope_conversations *c;
	const struct alpcscope_write_options *o;
	const struct alpcscope_summary_options *so;
	struct mo_cache cache;
	struct strbuf sb;
};

/* 100 ns units as microseconds, shortest exact decimal ("1188.8", "12000"). */
static void
put_us(struct strbuf *sb, int64_t v)
{
	mo_sb_i64(sb, v / 10);
	if (v % 10) {
		mo_putc(sb, '.');
		mo_putc(sb, (char)('0' + (v < 0 ? -(v % 10) : v % 10)));
	}
}

static uint32_t
pid_of(const struct alpcscope_model *m, uint32_t process)
{
	const struct alpcscope_process_instance *p = alpcscope_model_process_at(m, process);

	return p ? p->pid : ALPCSCOPE_ID_UNKNOWN;
}

/* "IfaceName(uuid) Proc(opnum)" / "uuid opnum N" into @p out. */
static const char *
rpc_text(const struct alpcscope_model *m, const struct alpcscope_conversation *r, char *out,
	 size_t size)
{
	struct alpcscope_rpc_names n;
	char uuid[ALPCSCOPE_GUID_STR_SIZE];

	memset(&n, 0, sizeof(n));
	alpcscope_interface_db_lookup(alpcscope_model_interfaces(m), &r->interface_uuid,
				      ALPCSCOPE_IFACE_VERSION_ANY, r->opnum, &n);
	alpcscope_guid_format(uuid, &r->interface_uuid);
	if (n.interface_name && n.procedure_name)
		snprintf(out, size, "%s(%s) %s(%u)", n.interface_name, uuid, n.procedure_name,
			 r->opnum);
	else if (n.interface_name)
		snprintf(out, size, "%s(%s) opnum %u", n.interface_name, uuid, r->opnum);
	else
		snprintf(out, size, "%s opnum %u", uuid, r->opnum);
	return out;
}

/* Sort key of a chain: most messages first, then deepest, then index. */
struct chain_key {
	uint32_t messages, depth, index;
};

static int
cmp_chain(const void *pa, const void *pb)
{
	const struct chain_key *x = pa, *y = pb;

	if (x->messages != y->messages)
		return x->messages > y->messages ? -1 : 1;
	if (x->depth != y->depth)
		return x->depth > y->depth ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

/* Process labels from the root to the first deepest node of chain @p ci, joined by " -> ". */
static void
chain_path(struct sw *w, struct strbuf *sb, uint32_t ci)
{
	const struct alpcscope_model *m = w->m;
	const struct alpcscope_chain *c = alpcscope_model_chain_at(m, ci);
	uint32_t n = c->root_node, deepest = c->root_node, path[256];
	size_t np = 0;

	/* pre-order walk for the first node at max_depth */
	while (n != ALPCSCOPE_NONE) {
		const struct alpcscope_chain_node *nd = alpcscope_model_chain_node_at(m, n);

		if (nd->depth == c->max_depth) {
			deepest = n;
			break;
		}
		if (nd->first_child != ALPCSCOPE_NONE) {
			n = nd->first_child;
			continue;
		}
		while (n != c->root_node &&
		       alpcscope_model_chain_node_at(m, n)->next_sibling == ALPCSCOPE_NONE)
			n = alpcscope_model_chain_node_at(m, n)->parent;
		n = n == c->root_node ? ALPCSCOPE_NONE
				      : alpcscope_model_chain_node_at(m, n)->next_sibling;
	}
	for (uint32_t i = deepest; i != ALPCSCOPE_NONE && np < 256;
	     i = alpcscope_model_chain_node_at(m, i)->parent)
		path[np++] = i;
	mo_sb_text(sb, mo_label(&w->cache, c->root_process));
	for (size_t k = np; k-- > 0;) {
		const struct alpcscope_chain_node *nd = alpcscope_model_chain_node_at(m, path[k]);
		uint32_t proc = nd->process;

		if (nd->kind == ALPCSCOPE_NODE_MESSAGE)
			proc = alpcscope_model_event_process(
			    m, &alpcscope_model_message_at(m, nd->message)->receive);
		MO_LIT(sb, " -> ");
		mo_sb_text(sb, mo_label(&w->cache, proc));
	}
}

/* ---- text ---- */

static void
text_conversation(struct sw *w, uint32_t rank, const struct alpcscope_conversation *r)
{
	struct strbuf *sb = &w->sb;
	const char *port = alpcscope_model_port_name(w->m, r->port);
	char rpc[700];

	strbuf_printf(sb, "%4u. ", rank);
	mo_sb_text(sb, mo_label(&w->cache, r->client_process));
	strbuf_printf(sb, " (pid %u) -> ", pid_of(w->m, r->client_process));
	mo_sb_text(sb, mo_label(&w->cache, r->server_process));
	strbuf_printf(sb, " (pid %u)", pid_of(w->m, r->server_process));
	if (port) {
		MO_LIT(sb, "  port ");
		mo_sb_text(sb, port);
	}
	if (r->has_rpc) {
		MO_LIT(sb, "  rpc ");
		mo_sb_text(sb, rpc_text(w->m, r, rpc, sizeof(rpc)));
	}
	strbuf_printf(sb,
		      "\n      requests %" PRIu64 ", one-way %" PRIu64 ", replies %" PRIu64
		      ", no reply %" PRIu64 ", unmatched %" PRIu64,
		      r->requests, r->one_way, r->replies, r->no_reply, r->unmatched);
	if (r->latency_count) {
		MO_LIT(sb, "\n      latency min ");
		mo_sb_latency(sb, r->latency_min);
		MO_LIT(sb, ", p50 ");
		mo_sb_latency(sb, r->latency_p50);
		MO_LIT(sb, ", p95 ");
		mo_sb_latency(sb, r->latency_p95);
		MO_LIT(sb, ", p99 ");
		mo_sb_latency(sb, r->latency_p99);
		MO_LIT(sb, ", max ");
		mo_sb_latency(sb, r->latency_max);
		MO_LIT(sb, "; waited ");
		mo_sb_latency(sb, r->latency_total);
		strbuf_printf(sb, " in %" PRIu64 " round trips", r->latency_count);
	}
	mo_putc(sb, '\n');
}

static void
text_process(struct sw *w, uint32_t rank, const struct alpcscope_process_traffic *t)
{
	struct strbuf *sb = &w->sb;

	strbuf_printf(sb, "%4u. ", rank);
	mo_sb_text(sb, mo_label(&w->cache, t->process));
	strbuf_printf(sb,
		      " (pid %u): sent %" PRIu64 ", received %" PRIu64 "; requests out %" PRIu64
		      ", in %" PRIu64 "; waiting on others ",
		      pid_of(w->m, t->process), t->sent, t->received, t->requests_out,
		      t->requests_in);
	mo_sb_latency(sb, t->waiting_100ns);
	MO_LIT(sb, ", serving others ");
	mo_sb_latency(sb, t->serving_100ns);
	mo_putc(sb, '\n');
}

/* Created processes of chain @p ci: "notepad.exe (pid 7064), ..." or JSON objects. */
static uint32_t
chain_created(struct sw *w, uint32_t ci, bool json)
{
	const struct alpcscope_model *m = w->m;
	uint32_t nn = alpcscope_model_chain_node_count(m), k = 0;
	const struct alpcscope_chain *c = alpcscope_model_chain_at(m, ci);

	if (!c->process_count)
		return 0;
	for (uint32_t i = c->root_node; i < nn && k < c->process_count; i++) {
		const struct alpcscope_chain_node *nd = alpcscope_model_chain_node_at(m, i);

		if (nd->chain != ci || nd->kind != ALPCSCOPE_NODE_PROCESS)
			continue;
		if (json) {
			mo_puts(&w->sb, k ? ",{\"pid\":" : "{\"pid\":");
			mo_sb_u64(&w->sb, pid_of(m, nd->process));
			MO_LIT(&w->sb, ",\"process\":");
			mo_sb_jlabel(&w->cache, &w->sb, nd->process);
			mo_putc(&w->sb, '}');
		} else {
			if (k)
				MO_LIT(&w->sb, ", ");
			mo_sb_text(&w->sb, mo_label(&w->cache, nd->process));
			strbuf_printf(&w->sb, " (pid %u)", pid_of(m, nd->process));
		}
		k++;
	}
	return k;
}

static uint32_t
limit(uint32_t n, uint32_t top)
{
	return top && top < n ? top : n;
}

static void
write_text(struct sw *w, const uint32_t *chains, uint32_t nchains)
{
	struct strbuf *sb = &w->sb;
	uint64_t total, kept = alpcscope_conversations_messages(w->c, &total);
	uint32_t nc = alpcscope_conversations_count(w->c);
	uint32_t np = alpcscope_conversations_process_count(w->c);

	MO_LIT(sb, "# alpcscope summary");
	if (w->o->trace_path) {
		MO_LIT(sb, ": ");
		mo_sb_text(sb, w->o->trace_path);
	}
	if (w->o->message_filter)
		strbuf_printf(sb, "\n# %" PRIu64 " of %" PRIu64 " messages match the filters", kept,
			      total);
	else
		strbuf_printf(sb, "\n# %" PRIu64 " messages", total);
	strbuf_printf(sb, " in %u conversations between %u processes\n", nc, np);
	strbuf_printf(sb,
		      "\nconversations, busiest first (%u of %u; latency: request Send to reply "
		      "Receive):\n",
		      limit(nc, w->so->top), nc);
	for (uint32_t i = 0; i < limit(nc, w->so->top); i++)
		text_conversation(w, i + 1, alpcscope_conversations_at(w->c, i));
	strbuf_printf(sb, "\nprocesses, busiest first (%u of %u):\n", limit(np, w->so->top), np);
	for (uint32_t i = 0; i < limit(np, w->so->top); i++)
		text_process(w, i + 1, alpcscope_conversations_process_at(w->c, i));
	strbuf_printf(sb, "\nchains with the most hops (%u of %u):\n",
		      limit(nchains, w->so->top_chains), nchains);
	if (!nchains)
		MO_LIT(sb, "  (none: no request caused another request or a process)\n");
	for (uint32_t i = 0; i < limit(nchains, w->so->top_chains); i++) {
		const struct alpcscope_chain *c = alpcscope_model_chain_at(w->m, chains[i]);

		strbuf_printf(sb, "%4u. chain %u: ", i + 1, chains[i]);
		chain_path(w, sb, chains[i]);
		strbuf_printf(sb, "\n      %u messages, depth %u, %u processes", c->message_count,
			      c->max_depth, c->process_span);
		if (c->process_count) {
			MO_LIT(sb, "; created ");
			chain_created(w, chains[i], false);
		}
		mo_putc(sb, '\n');
	}
}

/* ---- json ---- */

static void
json_latency(struct strbuf *sb, const struct alpcscope_conversation *r)
{
	if (!r->latency_count) {
		MO_LIT(sb, "null");
		return;
	}
	MO_LIT(sb, "{\"count\":");
	mo_sb_u64(sb, r->latency_count);
	MO_LIT(sb, ",\"min\":");
	put_us(sb, r->latency_min);
	MO_LIT(sb, ",\"p50\":");
	put_us(sb, r->latency_p50);
	MO_LIT(sb, ",\"p95\":");
	put_us(sb, r->latency_p95);
	MO_LIT(sb, ",\"p99\":");
	put_us(sb, r->latency_p99);
	MO_LIT(sb, ",\"max\":");
	put_us(sb, r->latency_max);
	MO_LIT(sb, ",\"total\":");
	put_us(sb, r->latency_total);
	mo_putc(sb, '}');
}

static void
json_conversation(struct sw *w, const struct alpcscope_conversation *r)
{
	struct strbuf *sb = &w->sb;
	char rpc[700], uuid[ALPCSCOPE_GUID_STR_SIZE];

	MO_LIT(sb, "{\"client_pid\":");
	mo_sb_jid(sb, pid_of(w->m, r->client_process));
	MO_LIT(sb, ",\"client_process\":");
	mo_sb_jlabel(&w->cache, sb, r->client_process);
	MO_LIT(sb, ",\"server_pid\":");
	mo_sb_jid(sb, pid_of(w->m, r->server_process));
	MO_LIT(sb, ",\"server_process\":");
	mo_sb_jlabel(&w->cache, sb, r->server_process);
	MO_LIT(sb, ",\"port\":");
	mo_sb_jstr(sb, alpcscope_model_port_name(w->m, r->port));
	MO_LIT(sb, ",\"rpc\":");
	if (r->has_rpc) {
		alpcscope_guid_format(uuid, &r->interface_uuid);
		MO_LIT(sb, "{\"interface\":");
		mo_sb_jstr(sb, uuid);
		MO_LIT(sb, ",\"opnum\":");
		mo_sb_u64(sb, r->opnum);
		MO_LIT(sb, ",\"text\":");
		mo_sb_jstr(sb, rpc_text(w->m, r, rpc, sizeof(rpc)));
		mo_putc(sb, '}');
	} else {
		MO_LIT(sb, "null");
	}
	strbuf_printf(sb,
		      ",\"requests\":%" PRIu64 ",\"one_way\":%" PRIu64 ",\"replies\":%" PRIu64
		      ",\"no_reply\":%" PRIu64 ",\"unmatched\":%" PRIu64 ",\"latency_us\":",
		      r->requests, r->one_way, r->replies, r->no_reply, r->unmatched);
	json_latency(sb, r);
	mo_putc(sb, '}');
}

static void
json_process(struct sw *w, const struct alpcscope_process_traffic *t)
{
	struct strbuf *sb = &w->sb;

	MO_LIT(sb, "{\"pid\":");
	mo_sb_jid(sb, pid_of(w->m, t->process));
	MO_LIT(sb, ",\"process\":");
	mo_sb_jlabel(&w->cache, sb, t->process);
	strbuf_printf(sb,
		      ",\"sent\":%" PRIu64 ",\"received\":%" PRIu64 ",\"requests_out\":%" PRIu64
		      ",\"requests_in\":%" PRIu64 ",\"waiting_us\":",
		      t->sent, t->received, t->requests_out, t->requests_in);
	put_us(sb, t->waiting_100ns);
	MO_LIT(sb, ",\"serving_us\":");
	put_us(sb, t->serving_100ns);
	mo_putc(sb, '}');
}

static void
write_json(struct sw *w, const uint32_t *chains, uint32_t nchains)
{
	struct strbuf *sb = &w->sb;
	uint64_t total, kept = alpcscope_conversations_messages(w->c, &total);
	uint32_t nc = alpcscope_conversations_count(w->c);
	uint32_t np = alpcscope_conversations_process_count(w->c);

	MO_LIT(sb, "{\"trace\":");
	mo_sb_jstr(sb, w->o->trace_path);
	strbuf_printf(sb,
		      ",\"stats\":{\"messages\":%" PRIu64 ",\"matching\":%" PRIu64
		      ",\"conversations\":%u,\"processes\":%u,\"chains\":%u},\"conversations\":[",
		      total, kept, nc, np, nchains);
	for (uint32_t i = 0; i < limit(nc, w->so->top); i++) {
		mo_puts(sb, i ? ",\n" : "\n");
		json_conversation(w, alpcscope_conversations_at(w->c, i));
	}
	MO_LIT(sb, "\n],\"processes\":[");
	for (uint32_t i = 0; i < limit(np, w->so->top); i++) {
		mo_puts(sb, i ? ",\n" : "\n");
		json_process(w, alpcscope_conversations_process_at(w->c, i));
	}
	MO_LIT(sb, "\n],\"chains\":[");
	for (uint32_t i = 0; i < limit(nchains, w->so->top_chains); i++) {
		const struct alpcscope_chain *c = alpcscope_model_chain_at(w->m, chains[i]);
		struct strbuf path = {0};

		chain_path(w, &path, chains[i]);
		mo_puts(sb, i ? ",\n" : "\n");
		strbuf_printf(sb, "{\"chain\":%u,\"root_process\":", chains[i]);
		mo_sb_jlabel(&w->cache, sb, c->root_process);
		strbuf_printf(
		    sb, ",\"message_count\":%u,\"max_depth\":%u,\"process_span\":%u,\"path\":",
		    c->message_count, c->max_depth, c->process_span);
		mo_sb_jstr(sb, path.data ? path.data : "");
		MO_LIT(sb, ",\"created\":[");
		chain_created(w, chains[i], true);
		MO_LIT(sb, "]}");
		w->sb.oom |= path.oom;
		strbuf_free(&path);
	}
	MO_LIT(sb, "\n]}\n");
}

/* ---- csv: one table ---- */

static void
write_csv(struct sw *w, const uint32_t *chains, uint32_t nchains)
{
	struct strbuf *sb = &w->sb;
	char rpc[700];

	switch (w->so->table) {
	case ALPCSCOPE_SUMMARY_TABLE_CONVERSATIONS:
		MO_LIT(sb, "rank,client_pid,client_process,server_pid,server_process,port,rpc,"
			   "requests,one_way,replies,no_reply,unmatched,round_trips,latency_min_us,"
			   "latency_p50_us,latency_p95_us,latency_p99_us,latency_max_us,"
			   "waited_us\n");
		for (uint32_t i = 0; i < limit(alpcscope_conversations_count(w->c), w->so->top);
		     i++) {
			const struct alpcscope_conversation *r =
			    alpcscope_conversations_at(w->c, i);

			strbuf_printf(sb, "%u,%u,", i + 1, pid_of(w->m, r->client_process));
			mo_sb_csv(&w->cache, sb, mo_label(&w->cache, r->client_process));
			strbuf_printf(sb, ",%u,", pid_of(w->m, r->server_process));
			mo_sb_csv(&w->cache, sb, mo_label(&w->cache, r->server_process));
			mo_putc(sb, ',');
			mo_sb_csv(&w->cache, sb, alpcscope_model_port_name(w->m, r->port));
			mo_putc(sb, ',');
			if (r->has_rpc)
				mo_sb_csv(&w->cache, sb, rpc_text(w->m, r, rpc, sizeof(rpc)));
			strbuf_printf(sb,
				      ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
				      ",%" PRIu64 ",",
				      r->requests, r->one_way, r->replies, r->no_reply,
				      r->unmatched, r->latency_count);
			if (r->latency_count) {
				const int64_t v[] = {r->latency_min, r->latency_p50, r->latency_p95,
						     r->latency_p99, r->latency_max};

				for (size_t k = 0; k < 5; k++) {
					put_us(sb, v[k]);
					mo_putc(sb, ',');
				}
				put_us(sb, r->latency_total);
			} else {
				MO_LIT(sb, ",,,,,");
			}
			mo_putc(sb, '\n');
		}
		break;
	case ALPCSCOPE_SUMMARY_TABLE_PROCESSES:
		MO_LIT(sb, "rank,pid,process,sent,received,requests_out,requests_in,waiting_us,"
			   "serving_us\n");
		for (uint32_t i = 0;
		     i < limit(alpcscope_conversations_process_count(w->c), w->so->top); i++) {
			const struct alpcscope_process_traffic *t =
			    alpcscope_conversations_process_at(w->c, i);

			strbuf_printf(sb, "%u,%u,", i + 1, pid_of(w->m, t->process));
			mo_sb_csv(&w->cache, sb, mo_label(&w->cache, t->process));
			strbuf_printf(sb, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",",
				      t->sent, t->received, t->requests_out, t->requests_in);
			put_us(sb, t->waiting_100ns);
			mo_putc(sb, ',');
			put_us(sb, t->serving_100ns);
			mo_putc(sb, '\n');
		}
		break;
	case ALPCSCOPE_SUMMARY_TABLE_CHAINS:
		MO_LIT(sb, "rank,chain,root_process,message_count,max_depth,process_span,path,"
			   "created\n");
		for (uint32_t i = 0; i < limit(nchains, w->so->top_chains); i++) {
			const struct alpcscope_chain *c = alpcscope_model_chain_at(w->m, chains[i]);
			struct strbuf t = {0};

			strbuf_printf(sb, "%u,%u,", i + 1, chains[i]);
			mo_sb_csv(&w->cache, sb, mo_label(&w->cache, c->root_process));
			strbuf_printf(sb, ",%u,%u,%u,", c->message_count, c->max_depth,
				      c->process_span);
			chain_path(w, &t, chains[i]);
			mo_sb_csv(&w->cache, sb, t.data ? t.data : "");
			mo_putc(sb, ',');
			/* created list: built in the main buffer, then quoted */
			size_t at = sb->len;

			chain_created(w, chains[i], false);
			strbuf_reset(&t);
			mo_puts(&t, sb->data ? sb->data + at : "");
			sb->len = at;
			if (sb->data)
				sb->data[at] = '\0';
			mo_sb_csv(&w->cache, sb, t.data ? t.data : "");
			mo_putc(sb, '\n');
			w->sb.oom |= t.oom;
			strbuf_free(&t);
		}
		break;
	}
}

enum alpcscope_status
alpcscope_summary_tables_write(const struct alpcscope_model *m,
			       const struct alpcscope_conversations *c,
			       const struct alpcscope_write_options *o,
			       const struct alpcscope_summary_options *so, FILE *out,
			       struct alpcscope_error *err)
{
	static const struct alpcscope_summary_options default_so = {
	    20, 10, ALPCSCOPE_SUMMARY_TABLE_CONVERSATIONS};
	struct sw w;
	uint32_t nall, nchains = 0, *chains;
	struct chain_key *keys;
	bool ok;

	enum alpcscope_status st = mo_check_write_args(m, &o, out, err);

	if (st != ALPCSCOPE_OK)
		return st;
	if (!c || o->format == ALPCSCOPE_OUTPUT_JSONL || o->format == ALPCSCOPE_OUTPUT_XML)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 c ? "summary formats: text, json, csv" : "NULL argument");
	nall = alpcscope_model_chain_count(m);
	chains = malloc((nall ? nall : 1) * sizeof(*chains));
	keys = malloc((nall ? nall : 1) * sizeof(*keys));
	if (!chains || !keys) {
		free(chains);
		free(keys);
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	}
	for (uint32_t i = 0; i < nall; i++) {
		const struct alpcscope_chain *ch = alpcscope_model_chain_at(m, i);

		if (!o->chain_filter || o->chain_filter(o->filter_ctx, m, i))
			keys[nchains++] = (struct chain_key){ch->message_count, ch->max_depth, i};
	}
	qsort(keys, nchains, sizeof(*keys), cmp_chain);
	for (uint32_t i = 0; i < nchains; i++)
		chains[i] = keys[i].index;
	free(keys);
	memset(&w, 0, sizeof(w));
	w.m = m;
	w.c = c;
	w.o = o;
	w.so = so ? so : &default_so;
	mo_cache_init(&w.cache, m);
	w.cache.csv_raw = mo_csv_raw(o);
	switch (o->format) {
	case ALPCSCOPE_OUTPUT_JSON: write_json(&w, chains, nchains); break;
	case ALPCSCOPE_OUTPUT_CSV: write_csv(&w, chains, nchains); break;
	default: write_text(&w, chains, nchains); break;
	}
	ok = !w.sb.oom && mo_sb_flush(&w.sb, out);
	bool oom = w.sb.oom;

	strbuf_free(&w.sb);
	mo_cache_free(&w.cache);
	free(chains);
	if (oom)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	if (!ok || fflush(out) != 0 || ferror(out))
		return error_set(err, ALPCSCOPE_E_IO, ALPCSCOPE_NO_OFFSET, "write error");
	return ALPCSCOPE_OK;
}
