/* SPDX-License-Identifier: MIT */
/*
 * ALPC message pairing: an explicit state machine per message ID plus a
 * little state per thread (docs/analysis.md §Pairing; docs/event-layouts.md#alpc-call-sequence).
 *
 *   Send(id)     -> new message, now the one pending Send of id (an older one
 *                   is superseded). When a message that awaits its reply
 *                   under id (`awaiting`) was received by a thread of the
 *                   sender's process, this is its candidate reply (SAME_ID,
 *                   HANDOFF from another thread); else that message is over.
 *   Receive(id)  -> takes the pending Send of id; none -> orphan receive.
 *                   A delivered message is the *reply* to request q when it
 *                   is q's candidate reply confirmed by its receiver, or was
 *                   sent while its sender served q and reaches q's sender
 *                   (NEW_ID), or reaches a thread waiting for q from q's
 *                   server process. Otherwise it is a request, and the
 *                   receiving thread now serves it (its "held" stack).
 *   Wait-For-Reply(id)       -> the thread's last Send of id waited (evidence)
 *   Wait-For-New-Message     -> the thread listens on a port (name carried to
 *                   what it receives); requests it still held are abandoned
 *   Unwait       -> evidence on the thread's next Receive
 *
 * A message's pairing state (pending, delivered) and the link of its
 * receiver's held stack live in a private struct msg_work (model_internal.h),
 * not in the public struct alpcscope_message.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/model_internal.h"

/* The working link of message @p idx in its receiver's held stack. */
#define LINK(m, idx) (model_work((m), (idx))->link)

/* Message @p idx is Sent and waiting for its Receive. */
static bool
is_pending(const struct alpcscope_model *m, uint32_t idx)
{
	return model_work(m, idx)->state == MSG_PENDING;
}

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
		if (!model_grow((void **)&m->work_chunks, &m->cap_work_chunks, chunk,
				sizeof(*m->work_chunks))) {
			*oom = true;
			return ALPCSCOPE_NONE;
		}
		m->msg_chunks[chunk] =
		    arena_alloc(&m->arena, MSG_CHUNK_SIZE * sizeof(struct alpcscope_message));
		m->work_chunks[chunk] =
		    arena_alloc(&m->arena, MSG_CHUNK_SIZE * sizeof(struct msg_work));
		if (!m->msg_chunks[chunk] || !m->work_chunks[chunk]) {
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
	*model_work(m, idx) =
	    (struct msg_work){ALPCSCOPE_NONE, MSG_CLASSIFIED, false, false, false};
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

/* Remove @p idx from the pending state (one pending Send per message ID). */
static void
pending_remove(struct alpcscope_model *m, uint32_t idx)
{
	struct alpcscope_message *msg = model_msg(m, idx);

	if (idmap_get(&m->pending, msg->message_id) == idx)
		idmap_del(&m->pending, msg->message_id);
	m->npending--;
}

/* A pending Send that can no longer be received leaves as an unmatched send with @p why. */
static void
retire(struct alpcscope_model *m, uint32_t idx, uint16_t why)
{
	struct alpcscope_message *msg = model_msg(m, idx);

	pending_remove(m, idx);
	model_work(m, idx)->state = MSG_CLASSIFIED;
	msg->kind = ALPCSCOPE_MESSAGE_UNMATCHED_SEND;
	msg->evidence |= why;
	if (why == ALPCSCOPE_EVIDENCE_SUPERSEDED)
		m->stats.sends_superseded++;
	else if (why == ALPCSCOPE_EVIDENCE_SENDER_MOVED_ON)
		m->stats.sends_sender_moved_on++;
	else
		m->stats.pending_expired++;
}

/* Message @p q no longer awaits a reply under its ID. */
static void
awaiting_forget(struct alpcscope_model *m, uint32_t q)
{
	struct msg_work *w = model_work(m, q);

	if (w->awaits) {
		idmap_del(&m->awaiting, model_msg(m, q)->message_id);
		w->awaits = false;
	}
}

/*
 * Requests that left their receiving thread unanswered (it listened again or
 * ended) stay in `awaiting` for a hand-off reply; the FIFO, in the order they
 * entered, lets them expire like pending Sends.
 */
static void
expire_served(struct alpcscope_model *m, int64_t now)
{
	while (m->served_head < m->nserved_fifo) {
		uint32_t q = m->served_fifo[m->served_head];
		const struct alpcscope_message *msg = model_msg(m, q);

		if (now - msg->receive.filetime_100ns < m->opt.pending_expiry_100ns)
			return;
		awaiting_forget(m, q);
		m->served_head++;
	}
}

/*
 * Sends older than the expiry window leave the pending state, and requests
 * that old stop waiting for a reply (bounded live memory).
 */
static void
expire(struct alpcscope_model *m, int64_t now)
{
	if (m->opt.pending_expiry_100ns <= 0)
		return;
	while (m->expire_cursor < m->nmsgs) {
		struct alpcscope_message *msg = model_msg(m, m->expire_cursor);

		if (is_pending(m, m->expire_cursor)) {
			if (now - msg->send.filetime_100ns < m->opt.pending_expiry_100ns)
				break;
			retire(m, m->expire_cursor, ALPCSCOPE_EVIDENCE_EXPIRED);
		}
		m->expire_cursor++;
	}
	if (m->served_head < m->nserved_fifo)
		expire_served(m, now);
}

/* Request @p q, left unanswered by its thread, stays in `awaiting` until it expires. */
static bool
note_served(struct alpcscope_model *m, uint32_t q)
{
	if (m->nserved_fifo == m->cap_served_fifo && m->served_head > 0) {
		memmove(m->served_fifo, m->served_fifo + m->served_head,
			(m->nserved_fifo - m->served_head) * sizeof(*m->served_fifo));
		m->nserved_fifo -= m->served_head;
		m->served_head = 0;
	}
	if (!model_grow((void **)&m->served_fifo, &m->cap_served_fifo, m->nserved_fifo,
			sizeof(*m->served_fifo)))
		return false;
	m->served_fifo[m->nserved_fifo++] = q;
	return true;
}

static void
held_remove(struct alpcscope_model *m, struct thread_state *ts, uint32_t idx)
{
	uint32_t *pp = &ts->held;

	while (*pp != ALPCSCOPE_NONE) {
		uint32_t q = *pp;

		if (q == idx) {
			*pp = LINK(m, q);
			LINK(m, q) = ALPCSCOPE_NONE;
			return;
		}
		pp = &LINK(m, q);
	}
}

static bool
held_has(const struct alpcscope_model *m, const struct thread_state *ts, uint32_t idx)
{
	for (uint32_t q = ts->held; q != ALPCSCOPE_NONE; q = LINK(m, q))
		if (q == idx)
			return true;
	return false;
}

/*
 * Request @p q is over: its ID names another message now (an ID is not
 * reused while its message lives), so its thread no longer serves it.
 */
static void
awaiting_over(struct alpcscope_model *m, uint32_t q)
{
	uint32_t t = model_msg(m, q)->receive.thread;

	awaiting_forget(m, q);
	if (t != ALPCSCOPE_NONE)
		held_remove(m, &m->tstate[t], q);
}

/*
 * The thread now serves message @p idx, which awaits its reply under its ID;
 * an older message awaiting under that ID is over. False on out of memory.
 */
static bool
held_push(struct alpcscope_model *m, struct thread_state *ts, uint32_t idx)
{
	uint32_t old;

	LINK(m, idx) = ts->held;
	ts->held = idx;
	if (!idmap_exchange(&m->awaiting, model_msg(m, idx)->message_id, idx, &old))
		return false;
	model_work(m, idx)->awaits = true;
	if (old != IDMAP_NONE && old != idx) {
		model_work(m, old)->awaits = false;
		awaiting_over(m, old);
	}
	return true;
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

/*
 * The thread stops serving what it holds (it listens again, ends, or the
 * trace ends: @p why). An unanswered request may still be answered by
 * another thread of the process (hand-off): it stays in `awaiting` (not at
 * trace end). False on out of memory.
 */
static bool
held_abandon(struct alpcscope_model *m, struct thread_state *ts, uint16_t why)
{
	bool ok = true;

	while (ts->held != ALPCSCOPE_NONE) {
		uint32_t qi = ts->held;
		struct alpcscope_message *q = model_msg(m, qi);

		ts->held = LINK(m, qi);
		LINK(m, qi) = ALPCSCOPE_NONE;
		if (!can_cause(q)) {
			awaiting_forget(m, qi);
			continue;
		}
		q->evidence |= why;
		if (why != ALPCSCOPE_EVIDENCE_TRACE_END && q->related == ALPCSCOPE_NONE && ok)
			ok = note_served(m, qi);
		else
			awaiting_forget(m, qi);
	}
	return ok;
}

/*
 * The innermost request the thread is serving that can cause work: one whose
 * sender waited for the reply (a synchronous call), or one received while
 * listening whose Send precedes the trace. One-way messages cause nothing.
 */
static uint32_t
serving(const struct alpcscope_model *m, const struct thread_state *ts)
{
	for (uint32_t q = ts->held; q != ALPCSCOPE_NONE; q = LINK(m, q)) {
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
		uint32_t qi = *pp;
		const struct alpcscope_message *q = model_msg(m, qi);

		/*
		 * Kept: one received while listening (its ID may come back as a
		 * reply, which shows it was no datagram; dropped at the next listen).
		 */
		if (!can_cause(q) && q->kind != ALPCSCOPE_MESSAGE_ORPHAN_RECEIVE &&
		    !(q->evidence & ALPCSCOPE_EVIDENCE_LISTENING)) {
			*pp = LINK(m, qi);
			LINK(m, qi) = ALPCSCOPE_NONE;
			awaiting_forget(m, qi);
		} else {
			pp = &LINK(m, qi);
		}
	}
}

static uint32_t
thread_process(const struct alpcscope_model *m, uint32_t thread)
{
	return thread == ALPCSCOPE_NONE ? ALPCSCOPE_NONE : m->threads[thread].process;
}

/* A synchronous Send still pending when its sender goes on can no longer be received. */
static void
sender_moves_on(struct alpcscope_model *m, const struct thread_state *ts)
{
	if (ts->last_sent == ALPCSCOPE_NONE)
		return;
	const struct alpcscope_message *msg = model_msg(m, ts->last_sent);

	if (is_pending(m, ts->last_sent) && (msg->evidence & ALPCSCOPE_EVIDENCE_WAIT_FOR_REPLY))
		retire(m, ts->last_sent, ALPCSCOPE_EVIDENCE_SENDER_MOVED_ON);
}

static void
relink_thread(struct alpcscope_model *m, uint32_t thread, uint32_t from, uint32_t to)
{
	if (thread == ALPCSCOPE_NONE)
		return;
	struct thread_state *ts = &m->tstate[thread];

	if (ts->last_sent == from)
		ts->last_sent = to;
	if (ts->wait_reply_msg == from)
		ts->wait_reply_msg = to;
}

#define SEND_SIDE_EVIDENCE ALPCSCOPE_EVIDENCE_WAIT_FOR_REPLY

/*
 * The reply path contradicts request @p q: its reply (the one live message
 * with q's ID) reached @p receiver, not q's sender. So the Receive in q was
 * not of q's Send. When @p waited (the receiver's own request with that ID,
 * never received) exists, the two Sends change places; otherwise the
 * receiver's Send was lost: q's Send moves to a new message (appended, so
 * its index is out of time order) and q becomes an orphan receive.
 * docs/analysis.md §Loss. False on out of memory.
 */
static bool
repair(struct alpcscope_model *m, uint32_t q, uint32_t waited)
{
	struct alpcscope_message *qm = model_msg(m, q);
	uint32_t to = waited;

	if (waited != ALPCSCOPE_NONE && waited != q) {
		struct alpcscope_message *wm = model_msg(m, waited);

		if (wm->message_id != qm->message_id || wm->receive.thread != ALPCSCOPE_NONE ||
		    wm->related != ALPCSCOPE_NONE)
			to = ALPCSCOPE_NONE;
		else if (is_pending(m, waited))
			retire(m, waited, ALPCSCOPE_EVIDENCE_SUPERSEDED);
	} else {
		to = ALPCSCOPE_NONE;
	}
	if (to == ALPCSCOPE_NONE) {
		bool oom = false;

		to = new_message(m, &oom);
		if (oom)
			return false;
		qm = model_msg(m, q);
		struct alpcscope_message *nm = model_msg(m, to);

		nm->message_id = qm->message_id;
		nm->kind = ALPCSCOPE_MESSAGE_UNMATCHED_SEND;
		nm->role = ALPCSCOPE_ROLE_REQUEST;
		nm->evidence = ALPCSCOPE_EVIDENCE_SUPERSEDED;
		m->stats.sends_superseded++;
		qm->evidence |= ALPCSCOPE_EVIDENCE_SEND_BEFORE_TRACE;
		/* Now a request received while listening: what its server sent since is nested. */
		if (qm->evidence & ALPCSCOPE_EVIDENCE_LISTENING)
			for (uint32_t i = q + 1; i < to; i++) {
				struct alpcscope_message *c = model_msg(m, i);

				if (c->send.thread == qm->receive.thread &&
				    c->parent == ALPCSCOPE_NONE &&
				    c->role != ALPCSCOPE_ROLE_REPLY &&
				    !(is_pending(m, i) && c->related != ALPCSCOPE_NONE) &&
				    c->send.ordinal > qm->receive.ordinal)
					c->parent = q;
			}
	}
	struct alpcscope_message *wm = model_msg(m, to);
	struct alpcscope_message_event e = qm->send;
	uint32_t parent = qm->parent;
	uint16_t ev = qm->evidence & SEND_SIDE_EVIDENCE;

	qm->send = wm->send;
	qm->parent = wm->parent;
	qm->evidence = (uint16_t)((qm->evidence & ~SEND_SIDE_EVIDENCE) |
				  (wm->evidence & SEND_SIDE_EVIDENCE) | ALPCSCOPE_EVIDENCE_GUESS);
	wm->send = e;
	wm->parent = parent;
	wm->evidence =
	    (uint16_t)((wm->evidence & ~SEND_SIDE_EVIDENCE) | ev | ALPCSCOPE_EVIDENCE_GUESS);
	relink_thread(m, wm->send.thread, q, to);
	relink_thread(m, qm->send.thread, to, q);
	m->stats.pairings_repaired++;
	return true;
}

/*
 * Request @p w, which a thread waits for, can still be answered by a message
 * with ID @p id: not when answered already (its reply was sent, that reply's
 * Receive lost), nor when its ID named another message since (over; a reply
 * with its own ID supersedes it when its Receive was lost).
 */
static bool
still_awaited(const struct alpcscope_model *m, uint32_t w, uint32_t id)
{
	const struct alpcscope_message *wm = model_msg(m, w);

	if (wm->related != ALPCSCOPE_NONE || model_work(m, w)->reply_sent)
		return false;
	if (wm->receive.thread == ALPCSCOPE_NONE)
		return is_pending(m, w) || wm->message_id == id;
	return idmap_get(&m->awaiting, wm->message_id) == w;
}

/*
 * Decide whether the delivered message @p idx (sent by @p sender, received
 * by @p receiver, which waited for @p waited or NONE) answers a request.
 * Conventions, all evidence-based:
 *  - same ID: at its Send the sender's process was serving a request with
 *    this very ID (msg->related; by the receiving thread itself, or by
 *    another thread of the process: HANDOFF); confirmed when the receiver
 *    is that request's sending thread, its process, or unknown (request Send
 *    before the trace). When the reply reaches someone else, the request's
 *    pairing was wrong and is repaired (the reply is the one live message
 *    with that ID, so its receiver is the true client);
 *  - new ID: at its Send the sender was serving request q (msg->parent), and
 *    the receiver is q's sending thread (anyone when q's Send precedes the
 *    trace), q is unanswered, and the sender did
 *    not wait for a reply itself (then it would be a callback, not a reply);
 *  - the receiver waits for @p waited (a thread in Wait-For-Reply gets its
 *    reply, or a callback whose sender waits in turn): a message from a
 *    thread that did not wait answers it when waited's Receive was lost, or
 *    when it comes from the process that received it (HANDOFF when from
 *    another thread).
 * Returns the request or NONE; false on out of memory.
 */
static bool
find_request(struct alpcscope_model *m, uint32_t idx, uint32_t receiver, uint32_t waited,
	     uint32_t *found, uint16_t *how)
{
	struct alpcscope_message *msg = model_msg(m, idx);
	bool no_wait = !(msg->evidence & ALPCSCOPE_EVIDENCE_WAIT_FOR_REPLY);

	*found = ALPCSCOPE_NONE;
	if (msg->related != ALPCSCOPE_NONE) {
		uint32_t q = msg->related;
		const struct alpcscope_message *qm = model_msg(m, q);

		bool fits = qm->send.thread == receiver || qm->send.thread == ALPCSCOPE_NONE ||
			    thread_process(m, qm->send.thread) == thread_process(m, receiver);

		/*
		 * A request its sender was not serving at the Send (msg->parent is
		 * only set then): when the request the sender was serving came
		 * from the receiver itself, the message is that one's new-ID reply.
		 */
		if (qm->send.thread != receiver && msg->parent != ALPCSCOPE_NONE &&
		    model_msg(m, msg->parent)->send.thread == receiver &&
		    model_msg(m, msg->parent)->related == ALPCSCOPE_NONE && no_wait) {
			msg->related = ALPCSCOPE_NONE;
			model_work(m, q)->reply_sent = false;
		} else {
			*how = ALPCSCOPE_EVIDENCE_SAME_ID;
			if (qm->receive.thread != msg->send.thread)
				*how |= ALPCSCOPE_EVIDENCE_HANDOFF;
			if (!fits) {
				if (!repair(m, q, waited))
					return false;
				*how |= ALPCSCOPE_EVIDENCE_GUESS;
			}
			*found = q;
			return true;
		}
	}
	if (msg->parent != ALPCSCOPE_NONE) {
		const struct alpcscope_message *q = model_msg(m, msg->parent);

		/* A request whose Send precedes the trace may be answered to anyone. */
		bool client = q->send.thread == receiver || (q->send.thread == ALPCSCOPE_NONE &&
							     q->role == ALPCSCOPE_ROLE_REQUEST);

		if (client && q->related == ALPCSCOPE_NONE && no_wait) {
			*how = ALPCSCOPE_EVIDENCE_NEW_ID;
			*found = msg->parent;
			return true;
		}
	}
	if (waited != ALPCSCOPE_NONE && no_wait) {
		const struct alpcscope_message *w = model_msg(m, waited);

		uint16_t id = w->message_id == msg->message_id ? ALPCSCOPE_EVIDENCE_SAME_ID
							       : ALPCSCOPE_EVIDENCE_NEW_ID;

		if (!still_awaited(m, waited, msg->message_id))
			return true;
		if (w->receive.thread == ALPCSCOPE_NONE) { /* its Receive was lost */
			*how = id;
			*found = waited;
		} else if (thread_process(m, w->receive.thread) ==
			   thread_process(m, msg->send.thread)) {
			*how = id;
			if (w->receive.thread != msg->send.thread)
				*how |= ALPCSCOPE_EVIDENCE_HANDOFF;
			*found = waited;
		}
	}
	return true;
}

/* Link the delivered message @p idx as the reply to request @p q. */
static void
link_reply(struct alpcscope_model *m, uint32_t idx, uint32_t q, uint16_t how,
	   const struct thread_state *rs)
{
	struct alpcscope_message *msg = model_msg(m, idx), *req = model_msg(m, q);

	awaiting_over(m, q);
	/* Listening again after answering (or letting another thread answer) is not abandoning. */
	req->evidence &= (uint16_t) ~(ALPCSCOPE_EVIDENCE_ABANDONED | ALPCSCOPE_EVIDENCE_TRACE_END);
	msg->role = ALPCSCOPE_ROLE_REPLY;
	msg->related = q;
	msg->parent = ALPCSCOPE_NONE;
	msg->port = req->port;
	msg->evidence |= how;
	if (rs->wait_reply_msg == q)
		msg->evidence |= ALPCSCOPE_EVIDENCE_CLIENT_WAITED;
	req->related = idx;
	req->role = ALPCSCOPE_ROLE_REQUEST;
	if (how & ALPCSCOPE_EVIDENCE_HANDOFF)
		m->stats.replies_handoff++;
	if (how & ALPCSCOPE_EVIDENCE_SAME_ID)
		m->stats.replies_same_id++;
	else
		m->stats.replies_new_id++;
}

static bool
on_send(struct alpcscope_model *m, const struct alpcscope_event *ev, uint32_t thread, uint32_t id)
{
	bool oom = false;
	struct thread_state *ts = &m->tstate[thread];

	expire(m, ev->filetime_100ns);
	sender_moves_on(m, ts);
	uint32_t idx = new_message(m, &oom);

	if (oom)
		return false;
	ts = &m->tstate[thread];
	struct alpcscope_message *msg = model_msg(m, idx);

	set_event(&msg->send, ev, thread);
	msg->message_id = id;
	model_work(m, idx)->state = MSG_PENDING;
	/*
	 * A request with this very ID awaits its reply: as an ID is not reused
	 * while its message lives, this Send is that reply when it comes from
	 * the request's process (its own thread, or another one: hand-off;
	 * confirmed at the Receive), and otherwise shows that the request is
	 * over. Else the message is a child of the request the thread serves.
	 */
	uint32_t q = m->awaiting.count ? idmap_get(&m->awaiting, id) : IDMAP_NONE;
	bool weak = false;

	if (q != IDMAP_NONE) {
		const struct alpcscope_message *qm = model_msg(m, q);
		uint32_t qt = qm->receive.thread;

		if (qm->related == ALPCSCOPE_NONE &&
		    thread_process(m, qt) == thread_process(m, thread) &&
		    (qt == thread || can_cause(qm))) {
			msg->related = q;
			model_work(m, q)->reply_sent = true;
			/* Not served by this thread right now: the receiver confirms it. */
			weak = !held_has(m, ts, q);
		}
		awaiting_over(m, q);
	}
	if (msg->related == ALPCSCOPE_NONE || weak)
		msg->parent = serving(m, ts);

	/* IDs are not reused while a message lives: an older pending Send of it is dead. */
	uint32_t old = idmap_get(&m->pending, id);

	if (old != IDMAP_NONE)
		retire(m, old, ALPCSCOPE_EVIDENCE_SUPERSEDED);
	if (!idmap_put(&m->pending, id, idx))
		return false;
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
	uint32_t waited = rs->wait == WAIT_REPLY ? rs->wait_reply_msg : ALPCSCOPE_NONE;

	/* Never the receiver's own Send (its Receive and the reply were lost). */
	if (idx != IDMAP_NONE && model_msg(m, idx)->send.thread == thread)
		idx = IDMAP_NONE;
	/*
	 * A thread listening on a server port receives requests, never a reply:
	 * a pending reply to another client's synchronous request (that client
	 * waits for it) is stale (its Receive was lost) and this message's Send
	 * was lost. When the request's Send was not seen, or its sender did not
	 * wait, the listener may be the real client (its own Receive, Send and
	 * Wait-For-Reply lost together): it takes the reply (and the reply path
	 * repairs the request's pairing).
	 */
	if (idx != IDMAP_NONE && rs->wait == WAIT_NEW_MSG && rs->listen_server &&
	    model_msg(m, idx)->related != ALPCSCOPE_NONE) {
		const struct alpcscope_message *q = model_msg(m, model_msg(m, idx)->related);

		if (q->send.thread != ALPCSCOPE_NONE && q->send.thread != thread &&
		    (q->evidence & ALPCSCOPE_EVIDENCE_WAIT_FOR_REPLY)) {
			retire(m, idx, ALPCSCOPE_EVIDENCE_SUPERSEDED);
			idx = IDMAP_NONE;
		}
	}
	/* A message with this ID is delivered: whatever awaited under it is over. */
	if (idx == IDMAP_NONE && m->awaiting.count) {
		uint32_t a = idmap_get(&m->awaiting, id);

		if (a != IDMAP_NONE)
			awaiting_over(m, a);
	}
	/*
	 * Likewise a thread waiting for the reply to its own request with
	 * another ID takes no candidate reply to someone else's request from
	 * another process than its server: that reply's Receive was lost, and
	 * this message's Send.
	 */
	if (idx != IDMAP_NONE && waited != ALPCSCOPE_NONE &&
	    model_msg(m, waited)->message_id != id &&
	    model_msg(m, idx)->related != ALPCSCOPE_NONE && model_msg(m, idx)->related != waited &&
	    model_msg(m, idx)->parent != waited &&
	    thread_process(m, model_msg(m, waited)->receive.thread) !=
		thread_process(m, model_msg(m, idx)->send.thread) &&
	    still_awaited(m, waited, id)) {
		uint32_t client = model_msg(m, model_msg(m, idx)->related)->send.thread;

		if (client != ALPCSCOPE_NONE && client != thread &&
		    thread_process(m, client) != thread_process(m, thread)) {
			retire(m, idx, ALPCSCOPE_EVIDENCE_SUPERSEDED);
			idx = IDMAP_NONE;
		}
	}
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
			/* The answer to the request this thread waits for, whose Send we missed. */
			if (waited != ALPCSCOPE_NONE && model_msg(m, waited)->message_id == id &&
			    model_msg(m, waited)->related == ALPCSCOPE_NONE) {
				msg->related = waited;
				msg->evidence |= ALPCSCOPE_EVIDENCE_SAME_ID;
				model_msg(m, waited)->related = idx;
				model_msg(m, waited)->role = ALPCSCOPE_ROLE_REQUEST;
			}
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
			if (!held_push(m, rs, idx))
				return false;
		}
	} else {
		struct alpcscope_message *msg = model_msg(m, idx);

		pending_remove(m, idx);
		set_event(&msg->receive, ev, thread);
		model_work(m, idx)->state = MSG_DELIVERED;
		msg->evidence |= ctx;

		uint16_t how = 0;
		uint32_t q;

		if (!find_request(m, idx, thread, waited, &q, &how))
			return false;
		rs = &m->tstate[thread];
		msg = model_msg(m, idx);
		if (q != ALPCSCOPE_NONE) {
			link_reply(m, idx, q, how, rs);
		} else if (msg->role == ALPCSCOPE_ROLE_REPLY) {
			/* a reply-and-receive Send: the answer to a request not in the trace */
			msg->parent = ALPCSCOPE_NONE;
			msg->evidence |= ALPCSCOPE_EVIDENCE_GUESS;
		} else {
			msg->role = ALPCSCOPE_ROLE_REQUEST;
			msg->related = ALPCSCOPE_NONE;
			if (rs->wait == WAIT_NEW_MSG)
				msg->port = rs->port;
			if (!held_push(m, rs, idx))
				return false;
		}
	}
	sender_moves_on(m, rs);
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

	if (ev->opcode < ALPCSCOPE_ALPC_SEND || ev->opcode > ALPCSCOPE_ALPC_UNWAIT) {
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
	case ALPCSCOPE_ALPC_SEND: return on_send(m, ev, thread, value);
	case ALPCSCOPE_ALPC_RECEIVE: return on_receive(m, ev, thread, value);
	case ALPCSCOPE_ALPC_WAIT_FOR_REPLY:
		m->stats.alpc_wait_for_reply++;
		ts->wait = WAIT_REPLY;
		ts->wait_reply_msg = ALPCSCOPE_NONE;
		if (ts->last_sent != ALPCSCOPE_NONE) {
			struct alpcscope_message *msg = model_msg(m, ts->last_sent);

			if (msg->message_id == value) {
				msg->evidence |= ALPCSCOPE_EVIDENCE_WAIT_FOR_REPLY;
				ts->wait_reply_msg = ts->last_sent;
				/* A reply is never waited for: this candidate reply is a request.
				 */
				if (msg->related != ALPCSCOPE_NONE &&
				    is_pending(m, ts->last_sent)) {
					model_work(m, msg->related)->reply_sent = false;
					msg->related = ALPCSCOPE_NONE;
					if (msg->parent == ALPCSCOPE_NONE)
						msg->parent = serving(m, ts);
				}
			}
		}
		return true;
	case ALPCSCOPE_ALPC_WAIT_FOR_NEW: {
		m->stats.alpc_wait_for_new_message++;
		ts = &m->tstate[thread];
		if (port != ALPCSCOPE_NONE)
			ts->port = port;
		ts->wait = WAIT_NEW_MSG;
		ts->listen_server = value != 0;
		/*
		 * Send then listen at once, without waiting for an answer: the
		 * reply-and-receive of a server. Its request may not be in the
		 * trace (both its events lost): it is still a reply, not a request.
		 */
		if (ts->last_sent != ALPCSCOPE_NONE &&
		    ts->last_endpoint == ts->last_sent * 2u + EP_SEND) {
			struct alpcscope_message *msg = model_msg(m, ts->last_sent);

			if (is_pending(m, ts->last_sent) && msg->related == ALPCSCOPE_NONE &&
			    !(msg->evidence & ALPCSCOPE_EVIDENCE_WAIT_FOR_REPLY))
				msg->role = ALPCSCOPE_ROLE_REPLY;
		}
		/* Listening again: whatever it still served gets no reply from it. */
		return held_abandon(m, ts, ALPCSCOPE_EVIDENCE_ABANDONED);
	}
	case ALPCSCOPE_ALPC_UNWAIT:
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

bool
alpc_pairing_on_thread_end(struct alpcscope_model *m, uint32_t thread)
{
	bool ok = held_abandon(m, &m->tstate[thread], ALPCSCOPE_EVIDENCE_ABANDONED);

	sender_moves_on(m, &m->tstate[thread]);
	m->tstate[thread].parked = EP_NONE;
	return ok;
}

void
alpc_pairing_finish(struct alpcscope_model *m)
{
	for (uint32_t t = 0; t < m->nthreads; t++)
		held_abandon(m, &m->tstate[t], ALPCSCOPE_EVIDENCE_TRACE_END);
	idmap_free(&m->pending);
	idmap_free(&m->awaiting);
	free(m->served_fifo);
	m->served_fifo = NULL;
	m->nserved_fifo = m->cap_served_fifo = m->served_head = 0;
	m->npending = 0;
	alpc_loss_merge(m);
	free(m->chain_bits);
	m->chain_bits = calloc((size_t)m->nmsgs / 64 + 1, sizeof(uint64_t));
	for (uint32_t i = 0; i < m->nmsgs; i++) {
		struct alpcscope_message *msg = model_msg(m, i);

		struct msg_work *w = model_work(m, i);

		if (msg->parent != ALPCSCOPE_NONE) {
			model_work(m, msg->parent)->has_child = true;
			if (m->chain_bits) {
				m->chain_bits[i >> 6] |= 1ull << (i & 63);
				m->chain_bits[msg->parent >> 6] |= 1ull << (msg->parent & 63);
			}
		}
		if (w->state == MSG_PENDING) {
			msg->kind = ALPCSCOPE_MESSAGE_UNMATCHED_SEND;
			msg->evidence |= ALPCSCOPE_EVIDENCE_TRACE_END;
		} else if (w->state == MSG_DELIVERED && msg->send.thread == ALPCSCOPE_NONE) {
			msg->kind = ALPCSCOPE_MESSAGE_ORPHAN_RECEIVE; /* its Send was split off */
		} else if (w->state == MSG_DELIVERED) {
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
		w->state = MSG_CLASSIFIED;
		if (msg->kind < ALPCSCOPE_MESSAGE_KIND_COUNT)
			m->stats.messages_by_kind[msg->kind]++;
		if (m->nloss)
			alpc_loss_mark(m, msg);
	}
}
