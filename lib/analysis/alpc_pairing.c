/* SPDX-License-Identifier: MIT */
/*
 * ALPC message pairing: an explicit state machine per message ID plus a
 * little state per thread (docs/analysis.md §Pairing; docs/event-layouts.md#alpc-call-sequence).
 *
 *   Send(id)     -> new message, appended to pending[id] (FIFO)
 *   Receive(id)  -> oldest pending Send of id is delivered (ID_REUSE when
 *                   several were pending); no pending Send -> orphan receive.
 *                   A delivered message is the *reply* to request q when q is
 *                   being served by the sending thread and either carries the
 *                   same ID (SAME_ID) or was sent by the receiving thread
 *                   (NEW_ID). Otherwise it is a request, and the receiving
 *                   thread now serves it (pushed on its "held" stack).
 *   Wait-For-Reply(id)       -> the thread's last Send of id waited (evidence)
 *   Wait-For-New-Message     -> the thread listens on a port (name carried to
 *                   what it receives); requests it still held are abandoned
 *   Unwait       -> evidence on the thread's next Receive
 *
 * While a message is pending or held, its chain_node field links it into
 * the pending FIFO or the held stack; finish() resets it.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/model_internal.h"

/* After pairing, chain_node of a message with a nested child (same value in chain_builder.c). */
#define MSG_HAS_CHILD (UINT32_MAX - 1u)

#define OP_SEND       33
#define OP_RECEIVE    34
#define OP_WAIT_REPLY 35
#define OP_WAIT_NEW   36
#define OP_UNWAIT     37

/* Internal kind of a delivered message not yet classified. */
#define MSG_KIND_DELIVERED 0xFE

#define LINK(msg) ((msg)->chain_node)

static uint32_t
new_message(struct alpcscope_model *m, bool *oom)
{
	if ((m->nmsgs & (MSG_CHUNK_SIZE - 1)) == 0) {
		uint32_t chunk = m->nmsgs >> MSG_CHUNK_SHIFT;

		if (m->nmsgs == UINT32_MAX - MSG_CHUNK_SIZE ||
		    !model_grow((void **)&m->msg_chunks, &m->cap_msg_chunks, chunk,
				sizeof(*m->msg_chunks))) {
			*oom = true;
			return ALPCSCOPE_NONE;
		}
		m->msg_chunks[chunk] =
		    arena_alloc(&m->arena, MSG_CHUNK_SIZE * sizeof(struct alpcscope_message));
		if (!m->msg_chunks[chunk]) {
			*oom = true;
			return ALPCSCOPE_NONE;
		}
		m->nmsg_chunks = chunk + 1;
	}
	uint32_t idx = m->nmsgs++;
	struct alpcscope_message *msg = model_msg(m, idx);

	memset(msg, 0, sizeof(*msg));
	msg->send.thread = ALPCSCOPE_NONE;
	msg->send.stack = ALPCSCOPE_NONE;
	msg->receive.thread = ALPCSCOPE_NONE;
	msg->receive.stack = ALPCSCOPE_NONE;
	msg->port = ALPCSCOPE_NONE;
	msg->related = ALPCSCOPE_NONE;
	msg->parent = ALPCSCOPE_NONE;
	msg->chain_node = ALPCSCOPE_NONE;
	msg->role = ALPCSCOPE_ROLE_UNKNOWN;
	return idx;
}

static void
set_event(struct alpcscope_message_event *e, const struct alpcscope_event *ev, uint32_t thread)
{
	e->filetime_100ns = ev->filetime_100ns;
	e->ordinal = ev->ordinal;
	e->file_offset = ev->file_offset;
	e->thread = thread;
}

static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* Intern a port name; ALPCSCOPE_NONE for an empty name or out of memory (*oom). */
uint32_t
alpc_pairing_intern_port(struct alpcscope_model *m, const char *name, bool *oom)
{
	if (!name || !name[0])
		return ALPCSCOPE_NONE;
	uint32_t h = fnv1a(name), idx = idmap_get(&m->port_map, h);

	if (idx != IDMAP_NONE) {
		if (strcmp(m->ports[idx], name) == 0)
			return idx;
		for (uint32_t i = 0; i < m->nports; i++) /* hash collision: rare */
			if (strcmp(m->ports[i], name) == 0)
				return i;
	}
	if (!model_grow((void **)&m->ports, &m->cap_ports, m->nports, sizeof(*m->ports))) {
		*oom = true;
		return ALPCSCOPE_NONE;
	}
	const char *copy = arena_strdup(&m->arena, name);

	if (!copy) {
		*oom = true;
		return ALPCSCOPE_NONE;
	}
	m->ports[m->nports] = copy;
	if (idx == IDMAP_NONE && !idmap_put(&m->port_map, h, m->nports)) {
		*oom = true;
		return ALPCSCOPE_NONE;
	}
	return m->nports++;
}

/* Remove @p idx from the pending FIFO of its ID. */
static void
pending_remove(struct alpcscope_model *m, uint32_t idx)
{
	struct alpcscope_message *msg = model_msg(m, idx);
	uint32_t head = idmap_get(&m->pending, msg->message_id);

	if (head == idx) {
		if (LINK(msg) == ALPCSCOPE_NONE)
			idmap_del(&m->pending, msg->message_id);
		else
			idmap_put(&m->pending, msg->message_id,
				  LINK(msg)); /* key exists: no alloc */
	} else {
		for (uint32_t i = head; i != ALPCSCOPE_NONE;) {
			struct alpcscope_message *p = model_msg(m, i);

			if (LINK(p) == idx) {
				LINK(p) = LINK(msg);
				break;
			}
			i = LINK(p);
		}
	}
	LINK(msg) = ALPCSCOPE_NONE;
	m->npending--;
}

/* Sends older than the expiry window leave the pending state (bounded live memory). */
static void
expire(struct alpcscope_model *m, int64_t now)
{
	if (m->opt.pending_expiry_100ns <= 0)
		return;
	while (m->expire_cursor < m->nmsgs) {
		struct alpcscope_message *msg = model_msg(m, m->expire_cursor);

		if (msg->kind == MSG_KIND_PENDING) {
			if (now - msg->send.filetime_100ns < m->opt.pending_expiry_100ns)
				return;
			pending_remove(m, m->expire_cursor);
			msg->kind = ALPCSCOPE_MESSAGE_UNMATCHED_SEND;
			msg->evidence |= ALPCSCOPE_EVIDENCE_EXPIRED;
			m->stats.pending_expired++;
		}
		m->expire_cursor++;
	}
}

static void
held_push(struct alpcscope_model *m, struct thread_state *ts, uint32_t idx)
{
	LINK(model_msg(m, idx)) = ts->held;
	ts->held = idx;
}

static void
held_remove(struct alpcscope_model *m, struct thread_state *ts, uint32_t idx)
{
	uint32_t *pp = &ts->held;

	while (*pp != ALPCSCOPE_NONE) {
		struct alpcscope_message *q = model_msg(m, *pp);

		if (*pp == idx) {
			*pp = LINK(q);
			LINK(q) = ALPCSCOPE_NONE;
			return;
		}
		pp = &LINK(q);
	}
}

/* A synchronous request, or a request received while listening whose Send we missed. */
static bool
can_cause(const struct alpcscope_message *msg)
{
	if (msg->evidence & ALPCSCOPE_EVIDENCE_WAIT_FOR_REPLY)
		return true;
	return msg->kind == ALPCSCOPE_MESSAGE_ORPHAN_RECEIVE &&
	       (msg->evidence & ALPCSCOPE_EVIDENCE_LISTENING);
}

static void
held_abandon(struct alpcscope_model *m, struct thread_state *ts, uint16_t why)
{
	while (ts->held != ALPCSCOPE_NONE) {
		struct alpcscope_message *q = model_msg(m, ts->held);

		if (can_cause(q))
			q->evidence |= why;
		ts->held = LINK(q);
		LINK(q) = ALPCSCOPE_NONE;
	}
}

/*
 * The innermost request the thread is serving that can cause work: one whose
 * sender waited for the reply (a synchronous call), or one received while
 * listening whose Send precedes the trace. One-way messages cause nothing.
 */
static uint32_t
serving(const struct alpcscope_model *m, const struct thread_state *ts)
{
	for (uint32_t q = ts->held; q != ALPCSCOPE_NONE; q = LINK(model_msg(m, q))) {
		const struct alpcscope_message *msg = model_msg(m, q);

		if (can_cause(msg))
			return q;
	}
	return ALPCSCOPE_NONE;
}

/* Drop held one-way messages: a thread that receives again is done with them. */
static void
drop_one_way(struct alpcscope_model *m, struct thread_state *ts)
{
	uint32_t *pp = &ts->held;

	while (*pp != ALPCSCOPE_NONE) {
		struct alpcscope_message *q = model_msg(m, *pp);

		if (!can_cause(q) && q->kind != ALPCSCOPE_MESSAGE_ORPHAN_RECEIVE) {
			*pp = LINK(q);
			LINK(q) = ALPCSCOPE_NONE;
		} else {
			pp = &LINK(q);
		}
	}
}

static uint32_t
thread_process(const struct alpcscope_model *m, uint32_t thread)
{
	return thread == ALPCSCOPE_NONE ? ALPCSCOPE_NONE : m->threads[thread].process;
}

/*
 * Decide whether the delivered message @p idx (sent by @p sender, received
 * by @p receiver) answers a request. Two conventions, both evidence-based:
 *  - same ID: at its Send the sender was serving a request with this very ID
 *    (noted in msg->related); confirmed when the receiver is that request's
 *    sending thread, its process, or unknown (request Send before the trace);
 *  - new ID: at its Send the sender was serving request q (msg->parent), and
 *    the receiver is q's sending thread, q is unanswered, and the sender did
 *    not wait for a reply itself (then it would be a callback, not a reply).
 * Returns the request or NONE.
 */
static uint32_t
find_request(struct alpcscope_model *m, uint32_t idx, uint32_t receiver, uint16_t *how)
{
	struct alpcscope_message *msg = model_msg(m, idx);

	if (msg->related != ALPCSCOPE_NONE) {
		const struct alpcscope_message *q = model_msg(m, msg->related);

		if (q->send.thread == receiver || q->send.thread == ALPCSCOPE_NONE ||
		    thread_process(m, q->send.thread) == thread_process(m, receiver)) {
			*how = ALPCSCOPE_EVIDENCE_SAME_ID;
			return msg->related;
		}
		msg->related = ALPCSCOPE_NONE;
		return ALPCSCOPE_NONE;
	}
	if (msg->parent != ALPCSCOPE_NONE) {
		const struct alpcscope_message *q = model_msg(m, msg->parent);

		if (q->send.thread == receiver && q->related == ALPCSCOPE_NONE &&
		    !(msg->evidence & ALPCSCOPE_EVIDENCE_WAIT_FOR_REPLY)) {
			*how = ALPCSCOPE_EVIDENCE_NEW_ID;
			return msg->parent;
		}
	}
	return ALPCSCOPE_NONE;
}

/*
 * Choose the pending Send a Receive takes. Never the receiver's own Send,
 * never a reply on its way to another process. Rank the rest: a reply whose
 * request came from the receiving thread (3), another reply to this process
 * or to a request whose Send we missed (2), a request (1). Take the best,
 * oldest first among equals; mark ID_REUSE (ambiguous) when several were
 * possible and the best rank is shared or is not a reply to this thread.
 * NONE when nothing fits: the Receive is then an orphan.
 */
static uint32_t
choose_pending(struct alpcscope_model *m, uint32_t head, uint32_t receiver, uint16_t *ctx)
{
	uint32_t best = ALPCSCOPE_NONE, n = 0, ties = 0;
	int best_rank = 0;

	for (uint32_t i = head; i != ALPCSCOPE_NONE; i = LINK(model_msg(m, i))) {
		const struct alpcscope_message *c = model_msg(m, i);
		int rank = 1;

		if (c->send.thread == receiver)
			continue;
		if (c->related != ALPCSCOPE_NONE) {
			uint32_t client = model_msg(m, c->related)->send.thread;

			if (client != receiver && client != ALPCSCOPE_NONE &&
			    thread_process(m, client) != thread_process(m, receiver))
				continue; /* a reply on its way to another process */
			rank = client == receiver ? 3 : 2;
		}
		n++;
		if (rank > best_rank) {
			best_rank = rank;
			best = i;
			ties = 1;
		} else if (rank == best_rank) {
			ties++;
		}
	}
	if (n > 1 && (ties > 1 || best_rank < 3))
		*ctx |= ALPCSCOPE_EVIDENCE_ID_REUSE;
	return best;
}

static bool
on_send(struct alpcscope_model *m, const struct alpcscope_event *ev, uint32_t thread, uint32_t id)
{
	bool oom = false;
	struct thread_state *ts = &m->tstate[thread];

	expire(m, ev->filetime_100ns);
	uint32_t idx = new_message(m, &oom);

	if (oom)
		return false;
	ts = &m->tstate[thread];
	struct alpcscope_message *msg = model_msg(m, idx);

	set_event(&msg->send, ev, thread);
	msg->message_id = id;
	msg->kind = MSG_KIND_PENDING;
	/*
	 * Sent while serving a request: the answer to it when it reuses its ID
	 * (confirmed at the Receive), else a child of the innermost one.
	 */
	for (uint32_t q = ts->held; q != ALPCSCOPE_NONE; q = LINK(model_msg(m, q)))
		if (model_msg(m, q)->message_id == id) {
			msg->related = q;
			held_remove(m, ts, q);
			break;
		}
	if (msg->related == ALPCSCOPE_NONE)
		msg->parent = serving(m, ts);

	uint32_t head = idmap_get(&m->pending, id);

	if (head == IDMAP_NONE) {
		if (!idmap_put(&m->pending, id, idx))
			return false;
	} else {
		uint32_t i = head;

		while (LINK(model_msg(m, i)) != ALPCSCOPE_NONE)
			i = LINK(model_msg(m, i));
		LINK(model_msg(m, i)) = idx;
	}
	if (++m->npending > m->stats.pending_peak)
		m->stats.pending_peak = m->npending;
	ts->last_sent = idx;
	ts->last_ticks = ev->timestamp_ticks;
	ts->last_endpoint = idx * 2u + EP_SEND;
	m->stats.alpc_sends++;
	return true;
}

static bool
on_receive(struct alpcscope_model *m, const struct alpcscope_event *ev, uint32_t thread,
	   uint32_t id)
{
	bool oom = false;
	struct thread_state *rs = &m->tstate[thread];
	uint16_t ctx = 0;
	uint32_t idx = idmap_get(&m->pending, id);

	if (idx != IDMAP_NONE)
		idx = choose_pending(m, idx, thread, &ctx);
	if (rs->unwait)
		ctx |= ALPCSCOPE_EVIDENCE_UNWAIT;
	if (rs->wait == WAIT_NEW_MSG)
		ctx |= ALPCSCOPE_EVIDENCE_LISTENING;
	m->stats.alpc_receives++;
	drop_one_way(m, rs);

	if (idx == IDMAP_NONE) {
		idx = new_message(m, &oom);
		if (oom)
			return false;
		rs = &m->tstate[thread];
		struct alpcscope_message *msg = model_msg(m, idx);

		set_event(&msg->receive, ev, thread);
		msg->message_id = id;
		msg->kind = ALPCSCOPE_MESSAGE_ORPHAN_RECEIVE;
		msg->evidence = ctx | ALPCSCOPE_EVIDENCE_SEND_BEFORE_TRACE;
		if (rs->wait == WAIT_REPLY) {
			msg->role = ALPCSCOPE_ROLE_REPLY;
		} else {
			/*
			 * Probably a request whose Send we missed: hold it so that a
			 * Send of the same ID by this thread pairs as its reply. Only
			 * one received while listening may parent nested work.
			 */
			if (rs->wait == WAIT_NEW_MSG) {
				msg->role = ALPCSCOPE_ROLE_REQUEST;
				msg->port = rs->port;
			}
			held_push(m, rs, idx);
		}
	} else {
		struct alpcscope_message *msg = model_msg(m, idx);

		pending_remove(m, idx);
		set_event(&msg->receive, ev, thread);
		msg->kind = MSG_KIND_DELIVERED;
		msg->evidence |= ctx;

		uint16_t how = 0;
		uint32_t sender = msg->send.thread;
		uint32_t q = find_request(m, idx, thread, &how);

		if (q != ALPCSCOPE_NONE) {
			struct alpcscope_message *req = model_msg(m, q);

			held_remove(m, &m->tstate[sender], q);
			/* Listening again after answering is not abandoning. */
			req->evidence &= (uint16_t) ~(ALPCSCOPE_EVIDENCE_ABANDONED |
						      ALPCSCOPE_EVIDENCE_TRACE_END);
			msg->role = ALPCSCOPE_ROLE_REPLY;
			msg->related = q;
			msg->parent = ALPCSCOPE_NONE;
			msg->port = req->port;
			msg->evidence |= how;
			if (rs->wait_reply_msg == q)
				msg->evidence |= ALPCSCOPE_EVIDENCE_CLIENT_WAITED;
			req->related = idx;
			if (how == ALPCSCOPE_EVIDENCE_SAME_ID)
				m->stats.replies_same_id++;
			else
				m->stats.replies_new_id++;
		} else {
			msg->role = ALPCSCOPE_ROLE_REQUEST;
			if (rs->wait == WAIT_NEW_MSG)
				msg->port = rs->port;
			held_push(m, rs, idx);
		}
	}
	rs->unwait = false;
	rs->wait = WAIT_NONE;
	rs->wait_reply_msg = ALPCSCOPE_NONE;
	rs->last_ticks = ev->timestamp_ticks;
	rs->last_endpoint = idx * 2u + EP_RECEIVE;
	return true;
}

bool
alpc_pairing_on_event(struct alpcscope_model *m, const struct alpcscope_event *ev, uint32_t value,
		      uint32_t port)
{
	bool oom = false;

	if (ev->opcode < OP_SEND || ev->opcode > OP_UNWAIT) {
		m->stats.alpc_other++;
		return true;
	}
	uint32_t thread = model_thread_cached(m, ev->process_id, ev->thread_id);

	if (thread == ALPCSCOPE_NONE)
		thread = process_table_thread(m, ev->process_id, ev->thread_id, &oom);
	if (oom)
		return false;
	struct thread_state *ts = &m->tstate[thread];

	switch (ev->opcode) {
	case OP_SEND: return on_send(m, ev, thread, value);
	case OP_RECEIVE: return on_receive(m, ev, thread, value);
	case OP_WAIT_REPLY:
		m->stats.alpc_wait_for_reply++;
		ts->wait = WAIT_REPLY;
		ts->wait_reply_msg = ALPCSCOPE_NONE;
		if (ts->last_sent != ALPCSCOPE_NONE) {
			struct alpcscope_message *msg = model_msg(m, ts->last_sent);

			if (msg->message_id == value) {
				msg->evidence |= ALPCSCOPE_EVIDENCE_WAIT_FOR_REPLY;
				ts->wait_reply_msg = ts->last_sent;
			}
		}
		return true;
	case OP_WAIT_NEW: {
		m->stats.alpc_wait_for_new_message++;
		ts = &m->tstate[thread];
		if (port != ALPCSCOPE_NONE)
			ts->port = port;
		ts->wait = WAIT_NEW_MSG;
		/* Listening again: whatever it still served gets no reply from it. */
		held_abandon(m, ts, ALPCSCOPE_EVIDENCE_ABANDONED);
		return true;
	}
	case OP_UNWAIT:
		m->stats.alpc_unwaits++;
		ts->unwait = true;
		return true;
	default: return true;
	}
}

bool
alpc_pairing_on_process_start(struct alpcscope_model *m, uint32_t process, uint32_t creator)
{
	uint32_t q = serving(m, &m->tstate[creator]);

	if (q != ALPCSCOPE_NONE) {
		m->procs[process].cause_message = q;
		m->stats.processes_caused++;
	}
	return true;
}

void
alpc_pairing_on_thread_end(struct alpcscope_model *m, uint32_t thread)
{
	held_abandon(m, &m->tstate[thread], ALPCSCOPE_EVIDENCE_ABANDONED);
	m->tstate[thread].parked = EP_NONE;
}

void
alpc_pairing_finish(struct alpcscope_model *m)
{
	for (uint32_t t = 0; t < m->nthreads; t++)
		held_abandon(m, &m->tstate[t], ALPCSCOPE_EVIDENCE_TRACE_END);
	idmap_free(&m->pending);
	m->npending = 0;
	free(m->chain_bits);
	m->chain_bits = calloc((size_t)m->nmsgs / 64 + 1, sizeof(uint64_t));
	for (uint32_t i = 0; i < m->nmsgs; i++) {
		struct alpcscope_message *msg = model_msg(m, i);

		/* chain_node was a list link; from now on it marks chain parents */
		if (msg->chain_node != MSG_HAS_CHILD)
			msg->chain_node = ALPCSCOPE_NONE;
		if (msg->parent != ALPCSCOPE_NONE) {
			model_msg(m, msg->parent)->chain_node = MSG_HAS_CHILD;
			if (m->chain_bits) {
				m->chain_bits[i >> 6] |= 1ull << (i & 63);
				m->chain_bits[msg->parent >> 6] |= 1ull << (msg->parent & 63);
			}
		}
		if (msg->kind == MSG_KIND_PENDING) {
			msg->kind = ALPCSCOPE_MESSAGE_UNMATCHED_SEND;
		} else if (msg->kind == MSG_KIND_DELIVERED) {
			if (msg->role == ALPCSCOPE_ROLE_REPLY)
				msg->kind = ALPCSCOPE_MESSAGE_REPLY;
			else if (msg->related != ALPCSCOPE_NONE)
				msg->kind = ALPCSCOPE_MESSAGE_REQUEST;
			else if (msg->evidence & ALPCSCOPE_EVIDENCE_WAIT_FOR_REPLY)
				msg->kind = ALPCSCOPE_MESSAGE_REQUEST_NO_REPLY;
			else
				msg->kind = ALPCSCOPE_MESSAGE_ONE_WAY;
			if (msg->evidence & ALPCSCOPE_EVIDENCE_ID_REUSE)
				msg->kind = ALPCSCOPE_MESSAGE_AMBIGUOUS;
		}
		if (msg->kind == ALPCSCOPE_MESSAGE_UNMATCHED_SEND &&
		    msg->role == ALPCSCOPE_ROLE_UNKNOWN)
			msg->role = msg->related != ALPCSCOPE_NONE ? ALPCSCOPE_ROLE_REPLY
								   : ALPCSCOPE_ROLE_REQUEST;
		if (msg->kind < ALPCSCOPE_MESSAGE_KIND_COUNT)
			m->stats.messages_by_kind[msg->kind]++;
	}
}
