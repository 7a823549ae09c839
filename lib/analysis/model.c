/* SPDX-License-Identifier: MIT */
/*
 * Public entry points of the analysis model: creation, event dispatch to the
 * process table, pairing and stack modules, finish, and the read-only
 * accessors. No I/O and no formatting beyond the process label.
 */
#include <alpcscope/model.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/model_internal.h"
#include "analysis/rpc_calls.h"
#include "util/bytes.h"
#include "util/error.h"
#include "util/utf8.h"

bool
model_grow(void **arr, uint32_t *cap, uint32_t n, size_t elem)
{
	if (n < *cap)
		return true;
	uint64_t ncap = *cap ? (uint64_t)*cap * 2 : 16;

	while (ncap <= n)
		ncap *= 2;
	if (ncap > UINT32_MAX)
		ncap = UINT32_MAX;
	if (ncap <= n || ncap > SIZE_MAX / elem)
		return false;
	void *p = realloc(*arr, (size_t)ncap * elem);

	if (!p)
		return false;
	*arr = p;
	*cap = (uint32_t)ncap;
	return true;
}

enum alpcscope_status
alpcscope_model_new(struct alpcscope_model **out, const struct alpcscope_model_options *options,
		    struct alpcscope_error *err)
{
	struct alpcscope_model_options defaults = ALPCSCOPE_MODEL_OPTIONS_INIT;

	if (!out)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET, "NULL out");
	*out = NULL;
	if (options && options->version != ALPCSCOPE_MODEL_OPTIONS_VERSION)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 "unknown model options version %u", options->version);
	struct alpcscope_model *m = calloc(1, sizeof(*m));

	if (!m)
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	m->opt = options ? *options : defaults;
	m->pointer_size = 8;
	m->kref_free = ALPCSCOPE_NONE;
	arena_init(&m->arena);
	idmap_init(&m->pid_map);
	idmap_init(&m->tid_map);
	idmap_init(&m->port_map);
	idmap_init(&m->port_raw_map);
	idmap_init(&m->pending);
	idmap_init(&m->awaiting);
	idmap_init(&m->key_map);
	idmap_init(&m->farray_map);
	enum alpcscope_status st = alpcscope_decoder_new(&m->decoder, err);

	if (st != ALPCSCOPE_OK) {
		free(m);
		return st;
	}
	*out = m;
	return ALPCSCOPE_OK;
}

void
alpcscope_model_free(struct alpcscope_model *m)
{
	if (!m)
		return;
	alpcscope_decoder_free(m->decoder);
	rpc_state_free(m->rpc);
	free(m->procs);
	free(m->threads);
	free(m->tstate);
	free(m->images);
	free(m->image_ids);
	free(m->services);
	free(m->ports);
	free(m->msg_chunks);
	free(m->work_chunks);
	free(m->stacks);
	free(m->sbuild);
	free(m->farrays);
	idmap_free(&m->farray_map);
	free(m->krefs);
	free(m->nodes);
	free(m->chains);
	free(m->chain_bits);
	free(m->loss);
	free(m->served_fifo);
	idmap_free(&m->pid_map);
	idmap_free(&m->tid_map);
	idmap_free(&m->port_map);
	idmap_free(&m->port_raw_map);
	idmap_free(&m->pending);
	idmap_free(&m->awaiting);
	idmap_free(&m->key_map);
	arena_free(&m->arena);
	free(m);
}

#define GROUP_ALPC 0x1A
/* Marker for "no port name" in port_raw_map values (bit 31 holds IsServerPort). */
#define PORT_NO_NAME 0x7FFFFFFFu

static bool
dispatch(struct alpcscope_model *m, const struct alpcscope_event *ev,
	 const struct alpcscope_decoded *d)
{
	switch (d->kind) {
	case ALPCSCOPE_DECODED_PROCESS: return process_table_on_process(m, ev, &d->as.process);
	case ALPCSCOPE_DECODED_THREAD: return process_table_on_thread(m, ev, &d->as.thread);
	case ALPCSCOPE_DECODED_THREAD_NAME:
		return process_table_on_thread_name(m, d->as.thread_name.process_id,
						    d->as.thread_name.thread_id,
						    d->as.thread_name.thread_name);
	case ALPCSCOPE_DECODED_IMAGE: return process_table_on_image(m, ev, &d->as.image);
	case ALPCSCOPE_DECODED_SERVICE:
		return process_table_on_service(m, d->as.service.process_id,
						d->as.service.sub_process_tag,
						d->as.service.service_name);
	case ALPCSCOPE_DECODED_STACK_WALK: return stacks_on_walk(m, &d->as.stack_walk);
	case ALPCSCOPE_DECODED_STACK_KEY: return stacks_on_key_def(m, &d->as.stack_key);
	case ALPCSCOPE_DECODED_STACK_KEY_REF: return stacks_on_key_ref(m, &d->as.stack_key_ref);
	default: return true;
	}
}

/* Only these kernel groups feed the model; everything else skips decoding. */
static bool
wanted(const struct alpcscope_event *ev)
{
	if (!ev->is_kernel)
		return false;
	switch (ev->group) {
	case 0x0B: /* SystemConfig: only Services */ return ev->opcode == 15;
	case 0x03: /* Process (and Image Load 0x030A) */
	case 0x05: /* Thread */
	case 0x14: /* Image */
	case 0x18: /* StackWalk */
	case 0x1A: /* ALPC */ return true;
	default: return false;
	}
}

/* Hash of a raw payload, 8 bytes per step (WFNM payloads repeat verbatim). */
static uint64_t
payload_hash(const uint8_t *p, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
	size_t i = 0;

	for (; i + 8 <= n; i += 8)
		h = (h ^ le64_load(p + i)) * 0xff51afd7ed558ccdull, h ^= h >> 32;
	for (; i < n; i++)
		h = (h ^ p[i]) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

/*
 * ALPC is the hot path (millions of events): Send, Receive, Wait-For-Reply
 * and Unwait carry one u32 at offset 0 (docs/event-layouts.md#alpc; any longer
 * tail of a newer version is ignored, as the decoder does), read here
 * without the generic decoder. Wait-For-New-Message goes through the decoder
 * (PortName encoding rule) once per distinct payload; repeats are looked up
 * by a hash of the raw bytes.
 */
static enum alpcscope_status
add_alpc(struct alpcscope_model *m, const struct alpcscope_event *ev, struct alpcscope_error *err)
{
	uint32_t value = 0, port = ALPCSCOPE_NONE;
	bool oom = false;

	switch (ev->opcode) {
	case ALPCSCOPE_ALPC_SEND:
	case ALPCSCOPE_ALPC_RECEIVE:
	case ALPCSCOPE_ALPC_WAIT_FOR_REPLY:
	case ALPCSCOPE_ALPC_UNWAIT:
		if (!ev->payload || ev->payload_size < 4) {
			m->stats.decode_errors++;
			return ALPCSCOPE_OK;
		}
		value = le32_load(ev->payload);
		break;
	case ALPCSCOPE_ALPC_WAIT_FOR_NEW: {
		/* Cached per raw payload: port index (PORT_NO_NAME: none) | IsServerPort << 31. */
		const struct alpcscope_decoded *d = NULL;
		uint64_t h = ev->payload ? payload_hash(ev->payload, ev->payload_size) : 0;
		uint32_t cached = idmap_get(&m->port_raw_map, h);

		if (cached != IDMAP_NONE) {
			value = cached >> 31;
			port = cached & PORT_NO_NAME;
			port = port == PORT_NO_NAME ? ALPCSCOPE_NONE : port;
			break;
		}
		enum alpcscope_status st = alpcscope_decode(m->decoder, ev, &d, NULL);

		if (st == ALPCSCOPE_E_NOMEM)
			return error_set(err, st, ALPCSCOPE_NO_OFFSET, "out of memory decoding");
		if (st != ALPCSCOPE_OK || !d || d->kind != ALPCSCOPE_DECODED_ALPC) {
			m->stats.decode_errors++;
			return ALPCSCOPE_OK;
		}
		port = alpc_pairing_intern_port(m, d->as.alpc.port_name, &oom);
		value = d->as.alpc.is_server_port != 0;
		cached = (port == ALPCSCOPE_NONE || port >= PORT_NO_NAME ? PORT_NO_NAME : port) |
			 value << 31;
		if (oom || !idmap_put(&m->port_raw_map, h, cached))
			return error_set(err, ALPCSCOPE_E_NOMEM, ev->file_offset, "out of memory");
		break;
	}
	default: break;
	}
	if (!alpc_pairing_on_event(m, ev, value, port))
		return error_set(err, ALPCSCOPE_E_NOMEM, ev->file_offset, "out of memory");
	return ALPCSCOPE_OK;
}

enum alpcscope_status
alpcscope_model_add_event(struct alpcscope_model *m, const struct alpcscope_event *ev,
			  struct alpcscope_error *err)
{
	const struct alpcscope_decoded *d = NULL;

	if (!m || !ev || m->finished)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 m && m->finished ? "model already finished" : "NULL argument");
	m->stats.events++;
	if (!ev->is_kernel && rpc_wanted(ev)) /* Microsoft-Windows-RPC, WMI-Activity: rpc_calls.c */
		return rpc_on_event(m, ev, err);
	if (!ev->is_kernel && ev->has_provider &&
	    alpcscope_guid_equal(&ev->provider, alpcscope_image_id_guid())) {
		enum alpcscope_status ist = alpcscope_decode(m->decoder, ev, &d, NULL);

		if (ist == ALPCSCOPE_OK && d && !image_ids_on_event(m, ev, d))
			return error_set(err, ALPCSCOPE_E_NOMEM, ev->file_offset, "out of memory");
		return ALPCSCOPE_OK;
	}
	if (!wanted(ev))
		return ALPCSCOPE_OK;
	if (ev->pointer_size == 4 || ev->pointer_size == 8)
		m->pointer_size = ev->pointer_size;
	if (ev->group == GROUP_ALPC)
		return add_alpc(m, ev, err);
	enum alpcscope_status st = alpcscope_decode(m->decoder, ev, &d, NULL);

	if (st == ALPCSCOPE_E_NOMEM)
		return error_set(err, st, ALPCSCOPE_NO_OFFSET, "out of memory decoding");
	if (st != ALPCSCOPE_OK || !d) {
		m->stats.decode_errors++;
		return ALPCSCOPE_OK;
	}
	if (!dispatch(m, ev, d))
		return error_set(err, ALPCSCOPE_E_NOMEM, ev->file_offset, "out of memory");
	return ALPCSCOPE_OK;
}

enum alpcscope_status
alpcscope_model_finish(struct alpcscope_model *m, struct alpcscope_error *err)
{
	if (!m || m->finished)
		return error_set(err, ALPCSCOPE_E_INVALID_ARG, ALPCSCOPE_NO_OFFSET,
				 m ? "model already finished" : "NULL model");
	m->finished = true;
	alpc_pairing_finish(m);
	if (!stacks_finish(m) || !process_table_finish(m) || !image_ids_finish(m) ||
	    !chain_builder_finish(m) || !rpc_finish(m))
		return error_set(err, ALPCSCOPE_E_NOMEM, ALPCSCOPE_NO_OFFSET, "out of memory");
	/* Live state is no longer needed. */
	free(m->tstate);
	m->tstate = NULL;
	free(m->sbuild);
	m->sbuild = NULL;
	free(m->krefs);
	m->krefs = NULL;
	m->nkrefs = m->cap_krefs = 0;
	alpcscope_decoder_free(m->decoder);
	m->decoder = NULL;
	return ALPCSCOPE_OK;
}

void
alpcscope_model_set_loss(struct alpcscope_model *m, uint64_t events_lost, uint64_t buffers_lost,
			 uint64_t sequence_gaps)
{
	if (!m || m->finished)
		return;
	m->stats.events_lost = events_lost;
	m->stats.buffers_lost = buffers_lost;
	m->stats.sequence_gaps = sequence_gaps;
}

enum alpcscope_status
alpcscope_model_add_loss_window(struct alpcscope_model *m, int64_t start_filetime_100ns,
				int64_t end_filetime_100ns)
{
	if (!m || m->finished || end_filetime_100ns < start_filetime_100ns)
		return ALPCSCOPE_E_INVALID_ARG;
	if (!model_grow((void **)&m->loss, &m->cap_loss, m->nloss, sizeof(*m->loss)))
		return ALPCSCOPE_E_NOMEM;
	m->loss[m->nloss++] = (struct loss_span){start_filetime_100ns, end_filetime_100ns};
	m->stats.loss_windows++;
	return ALPCSCOPE_OK;
}

/* ---- accessors ---- */

uint32_t
alpcscope_model_process_count(const struct alpcscope_model *m)
{
	return m ? m->nprocs : 0;
}

const struct alpcscope_process_instance *
alpcscope_model_process_at(const struct alpcscope_model *m, uint32_t index)
{
	return m && index < m->nprocs ? &m->procs[index] : NULL;
}

uint32_t
alpcscope_model_thread_count(const struct alpcscope_model *m)
{
	return m ? m->nthreads : 0;
}

const struct alpcscope_thread_instance *
alpcscope_model_thread_at(const struct alpcscope_model *m, uint32_t index)
{
	return m && index < m->nthreads ? &m->threads[index] : NULL;
}

uint32_t
alpcscope_model_image_count(const struct alpcscope_model *m)
{
	return m ? m->nimages : 0;
}

const struct alpcscope_image_entry *
alpcscope_model_image_at(const struct alpcscope_model *m, uint32_t index)
{
	return m && index < m->nimages ? &m->images[index] : NULL;
}

uint32_t
alpcscope_model_stack_count(const struct alpcscope_model *m)
{
	return m ? m->nstacks : 0;
}

const struct alpcscope_stack *
alpcscope_model_stack_at(const struct alpcscope_model *m, uint32_t index)
{
	return m && index < m->nstacks ? &m->stacks[index] : NULL;
}

uint32_t
alpcscope_model_message_count(const struct alpcscope_model *m)
{
	return m ? m->nmsgs : 0;
}

const struct alpcscope_message *
alpcscope_model_message_at(const struct alpcscope_model *m, uint32_t index)
{
	return m && index < m->nmsgs ? model_msg(m, index) : NULL;
}

const char *
alpcscope_model_port_name(const struct alpcscope_model *m, uint32_t index)
{
	return m && index < m->nports ? m->ports[index] : NULL;
}

uint32_t
alpcscope_model_event_process(const struct alpcscope_model *m,
			      const struct alpcscope_message_event *e)
{
	if (!m || !e || e->thread >= m->nthreads)
		return ALPCSCOPE_NONE;
	return m->threads[e->thread].process;
}

uint32_t
alpcscope_model_chain_count(const struct alpcscope_model *m)
{
	return m ? m->nchains : 0;
}

const struct alpcscope_chain *
alpcscope_model_chain_at(const struct alpcscope_model *m, uint32_t index)
{
	return m && index < m->nchains ? &m->chains[index] : NULL;
}

uint32_t
alpcscope_model_chain_node_count(const struct alpcscope_model *m)
{
	return m ? m->nnodes : 0;
}

const struct alpcscope_chain_node *
alpcscope_model_chain_node_at(const struct alpcscope_model *m, uint32_t index)
{
	return m && index < m->nnodes ? &m->nodes[index] : NULL;
}

const struct alpcscope_model_stats *
alpcscope_model_stats(const struct alpcscope_model *m)
{
	return m ? &m->stats : NULL;
}

uint32_t
alpcscope_model_resolve_address(const struct alpcscope_model *m, uint32_t process, uint64_t address,
				int64_t filetime_100ns, uint64_t *offset_out)
{
	if (!m || !m->finished)
		return ALPCSCOPE_NONE;
	if (stacks_is_kernel_address(m, address))
		process = ALPCSCOPE_NONE; /* kernel modules are logged with PID 0 */
	/* First image of @p process with base > address; candidates precede it. */
	uint32_t lo = 0, hi = m->nimages;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct alpcscope_image_entry *im = &m->images[mid];

		if (im->process < process || (im->process == process && im->base <= address))
			lo = mid + 1;
		else
			hi = mid;
	}
	uint32_t best = ALPCSCOPE_NONE;

	for (uint32_t i = lo; i-- > 0;) {
		const struct alpcscope_image_entry *im = &m->images[i];

		if (im->process != process)
			break;
		if (address - im->base >= im->size)
			continue;
		bool live =
		    im->load_filetime_100ns <= filetime_100ns &&
		    (!im->unload_filetime_100ns || im->unload_filetime_100ns >= filetime_100ns);

		if (live) {
			best = i;
			break;
		}
		if (best == ALPCSCOPE_NONE)
			best = i;
	}
	if (best != ALPCSCOPE_NONE && offset_out)
		*offset_out = address - m->images[best].base;
	return best;
}

const char *
alpcscope_model_process_label(const struct alpcscope_model *m, uint32_t process, char *out,
			      size_t size)
{
	const struct alpcscope_process_instance *p = alpcscope_model_process_at(m, process);

	if (!out || !size)
		return out;
	if (!p)
		snprintf(out, size, "?");
	else if (p->image_name[0] && p->services)
		snprintf(out, size, "%s (%s)", p->image_name, p->services);
	else if (p->image_name[0])
		snprintf(out, size, "%s", p->image_name);
	else
		snprintf(out, size, "pid %u", p->pid);
	utf8_trim_partial(out); /* a long name cut by snprintf must stay valid UTF-8 */
	return out;
}

const char *
alpcscope_message_kind_name(enum alpcscope_message_kind kind)
{
	switch (kind) {
	case ALPCSCOPE_MESSAGE_REQUEST: return "request";
	case ALPCSCOPE_MESSAGE_REQUEST_NO_REPLY: return "request-no-reply";
	case ALPCSCOPE_MESSAGE_ONE_WAY: return "one-way";
	case ALPCSCOPE_MESSAGE_REPLY: return "reply";
	case ALPCSCOPE_MESSAGE_UNMATCHED_SEND: return "unmatched-send";
	case ALPCSCOPE_MESSAGE_ORPHAN_RECEIVE: return "orphan-receive";
	case ALPCSCOPE_MESSAGE_AMBIGUOUS: return "ambiguous";
	case ALPCSCOPE_MESSAGE_KIND_COUNT: break;
	}
	return "unknown";
}

const char *
alpcscope_evidence_name(uint32_t bit)
{
	static const char *const names[] = {
	    "same-id",   "new-id",   "wait-for-reply", "client-waited",     "unwait",
	    "listening", "id-reuse", "expired",        "send-before-trace", "abandoned",
	    "trace-end", "handoff",  "near-loss",      "superseded",        "sender-moved-on",
	    "guess",
	};
	/* One name per evidence bit, and ALPCSCOPE_EVIDENCE_BITS ends at the highest bit. */
	_Static_assert(sizeof(names) / sizeof(names[0]) == ALPCSCOPE_EVIDENCE_BITS,
		       "one name per evidence bit");
	_Static_assert(ALPCSCOPE_EVIDENCE_GUESS == 1u << (ALPCSCOPE_EVIDENCE_BITS - 1),
		       "ALPCSCOPE_EVIDENCE_BITS counts up to the highest evidence bit");
	for (uint32_t i = 0; i < ALPCSCOPE_EVIDENCE_BITS; i++)
		if (bit == 1u << i)
			return names[i];
	return NULL;
}
