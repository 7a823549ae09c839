/* SPDX-License-Identifier: MIT */
/*
 * Inside of struct alpcscope_model, shared by the analysis modules:
 * process_table.c (processes, threads, images, services), alpc_pairing.c
 * (the per-message-ID state machine), stacks.c (stack attachment and key
 * resolution), chain_builder.c (chains, logical parents) and model.c (the
 * public entry points and event dispatch).
 */
#ifndef ALPCSCOPE_ANALYSIS_MODEL_INTERNAL_H
#define ALPCSCOPE_ANALYSIS_MODEL_INTERNAL_H

#include <alpcscope/decode.h>
#include <alpcscope/model.h>

#include <stdbool.h>
#include <stdint.h>

#include "analysis/arena.h"
#include "analysis/idmap.h"

/* Messages live in fixed-size chunks so that pointers stay put and growth never copies. */
#define MSG_CHUNK_SHIFT 12
#define MSG_CHUNK_SIZE  (1u << MSG_CHUNK_SHIFT)

/* Entries of the thread lookup cache (power of two). */
#define TID_CACHE_SIZE 2048u

/* Endpoint reference: message index * 2 + side (0 send, 1 receive). */
#define EP_SEND    0u
#define EP_RECEIVE 1u
#define EP_NONE    UINT32_MAX

/*
 * Where a message is in the pairing (alpc_pairing.c). Kept out of the public
 * struct alpcscope_message, whose kind only ever holds a public value.
 */
enum msg_state {
	MSG_CLASSIFIED = 0, /* kind is final (orphan receive, unmatched send, ...) */
	MSG_PENDING,        /* Sent, waiting for its Receive */
	MSG_DELIVERED,      /* Received; kind decided by alpc_pairing_finish() */
};

/* Pairing's working state of one message, same index as the message. */
struct msg_work {
	uint32_t link;   /* next in the pending FIFO of its ID or in its receiver's held stack */
	uint8_t state;   /* enum msg_state */
	bool has_child;  /* after pairing: a nested message or a created process hangs off it */
	bool reply_sent; /* a request whose candidate reply was sent (its Receive may be lost) */
	bool awaits;     /* in the model's `awaiting` map under its ID */
};

enum wait_state {
	WAIT_NONE = 0,
	WAIT_REPLY = 1,   /* last wait was Wait-For-Reply */
	WAIT_NEW_MSG = 2, /* last wait was Wait-For-New-Message: listening on a port */
};

/* Live pairing state of one thread instance (parallel to model->threads). */
struct thread_state {
	uint32_t held;           /* top of the stack of requests being served (message index) */
	uint32_t port;           /* port index from the last Wait-For-New-Message */
	uint32_t last_sent;      /* last message sent */
	uint32_t wait_reply_msg; /* message named by the last Wait-For-Reply */
	uint8_t wait;            /* enum wait_state */
	bool unwait;             /* Unwait seen since the last Receive */
	bool listen_server;      /* the last Wait-For-New-Message had IsServerPort set */
	int64_t last_ticks;      /* raw time of the last Send/Receive (stack matching) */
	uint32_t last_endpoint;  /* endpoint of that Send/Receive */
	uint32_t parked;         /* endpoint whose kernel-only stack awaits its user part */
};

/*
 * Stack under construction: kernel and user parts arrive separately. Each
 * part is an interned frame array (ALPCSCOPE_NONE while empty): the same call
 * sites send again and again, so a stack costs two indices, not its frames.
 */
struct stack_build {
	uint32_t kernel;
	uint32_t user;
	uint8_t sources; /* bit 0 walk, bit 1 keys */
};

/* One distinct frame array, stored once in the arena (hash-consed). */
struct frame_array {
	const uint64_t *frames;
	uint32_t count;
	uint32_t next; /* older array with the same hash, or ALPCSCOPE_NONE */
};

/* A stack-caching key reference waiting for its definition. */
struct key_ref {
	uint32_t endpoint;
	uint32_t next; /* next ref of the same key, or IDMAP_NONE; free-list link when free */
	bool is_user;
};

struct service_rec {
	uint32_t pid;
	uint32_t tag;
	const char *name;
};

struct alpcscope_model {
	struct alpcscope_model_options opt;
	struct alpcscope_decoder *decoder;
	struct arena arena;
	bool finished;
	uint8_t pointer_size; /* of the kernel events seen; 8 until one says otherwise */
	struct alpcscope_model_stats stats;

	/* processes: pid -> current instance */
	struct alpcscope_process_instance *procs;
	uint32_t nprocs, cap_procs;
	struct idmap pid_map;

	/* threads: tid -> current instance; state parallel to threads */
	struct alpcscope_thread_instance *threads;
	struct thread_state *tstate;
	uint32_t nthreads, cap_threads;
	struct idmap tid_map;
	/*
	 * Direct-mapped cache in front of tid_map for the per-event lookup: slot
	 * (tid >> 2) & (TID_CACHE_SIZE - 1) holds tid, its tid_map value + 1
	 * (0 = empty) and the PID of that thread's process (a thread without a
	 * process is not cached). new_thread() keeps it in step with tid_map.
	 */
	struct tid_cache_entry {
		uint32_t tid;
		uint32_t pid;
		uint32_t idx1;
	} tid_cache[TID_CACHE_SIZE];

	struct alpcscope_image_entry *images;
	uint32_t nimages, cap_images;
	/* KernelTraceControl ImageID / DbgID_RSDS records, joined to images at finish */
	struct image_id_rec *image_ids;
	uint32_t nimage_ids, cap_image_ids;

	struct service_rec *services;
	uint32_t nservices, cap_services;

	/* ports: interned names */
	const char **ports;
	uint32_t nports, cap_ports;
	struct idmap port_map;     /* string hash -> first port index with that hash */
	struct idmap port_raw_map; /* hash of a raw Wait-For-New-Message payload -> port */

	/* messages */
	struct alpcscope_message **msg_chunks;
	struct msg_work **work_chunks; /* pairing's private state, chunked like msg_chunks */
	uint32_t nmsg_chunks, cap_msg_chunks, cap_work_chunks;
	uint32_t nmsgs;
	struct idmap pending; /* message ID -> its pending Send (message index) */
	/*
	 * message ID -> the message that awaits its reply under that ID: held by
	 * its receiving thread, or left unanswered by it (listened again, ended).
	 * A Send with that ID by its process is its reply (by another thread: a
	 * hand-off reply); by another process, it shows the message is over.
	 * served_fifo holds the ones left unanswered in the order they came, for
	 * expiry.
	 */
	struct idmap awaiting;
	uint32_t *served_fifo;
	uint32_t nserved_fifo, cap_served_fifo, served_head;
	uint64_t npending;
	uint32_t expire_cursor; /* messages below this index are past the expiry check */
	/* time windows where events were lost (alpcscope_model_add_loss_window) */
	struct loss_span {
		int64_t start, end;
	} * loss;
	uint32_t nloss, cap_loss;

	/* stacks */
	struct alpcscope_stack *stacks;
	struct stack_build *sbuild;
	uint32_t nstacks, cap_stacks;
	struct frame_array *farrays; /* interned frame arrays */
	uint32_t nfarrays, cap_farrays;
	struct idmap farray_map; /* hash of a frame array -> newest array with that hash */
	struct key_ref *krefs;
	uint32_t nkrefs, cap_krefs, kref_free;
	struct idmap key_map; /* stack key -> first waiting ref */

	/*
	 * Between alpc_pairing_finish() and chain_builder_finish(): one bit per
	 * message that has a parent or is one (a chain node), so that the chain
	 * builder visits only those instead of scanning every message again.
	 * NULL when it could not be allocated (the builder then scans).
	 */
	uint64_t *chain_bits;

	/* chains (built by finish) */
	struct alpcscope_chain_node *nodes;
	uint32_t nnodes, cap_nodes;
	struct alpcscope_chain *chains;
	uint32_t nchains, cap_chains;

	/* RPC calls and WMI operations (rpc_calls.c, wmi_activity.c); NULL until used */
	struct rpc_state *rpc;
};

static inline struct alpcscope_message *
model_msg(const struct alpcscope_model *m, uint32_t i)
{
	return &m->msg_chunks[i >> MSG_CHUNK_SHIFT][i & (MSG_CHUNK_SIZE - 1)];
}

static inline struct msg_work *
model_work(const struct alpcscope_model *m, uint32_t i)
{
	return &m->work_chunks[i >> MSG_CHUNK_SHIFT][i & (MSG_CHUNK_SIZE - 1)];
}

static inline struct alpcscope_message_event *
model_endpoint(const struct alpcscope_model *m, uint32_t ep)
{
	struct alpcscope_message *msg = model_msg(m, ep >> 1);

	return (ep & 1u) ? &msg->receive : &msg->send;
}

/*
 * process_table_thread()'s common case, inline for the per-event path: the
 * cached thread instance of @p tid when it belongs to a process with @p pid;
 * ALPCSCOPE_NONE otherwise (then call process_table_thread()).
 */
static inline uint32_t
model_thread_cached(const struct alpcscope_model *m, uint32_t pid, uint32_t tid)
{
	const struct tid_cache_entry *e = &m->tid_cache[(tid >> 2) & (TID_CACHE_SIZE - 1)];

	return e->idx1 && e->tid == tid && e->pid == pid ? e->idx1 - 1 : ALPCSCOPE_NONE;
}

/* Record tid -> thread instance @p idx in the cache (or drop the slot: no process). */
static inline void
model_thread_cache_put(struct alpcscope_model *m, uint32_t tid, uint32_t idx)
{
	struct tid_cache_entry *e = &m->tid_cache[(tid >> 2) & (TID_CACHE_SIZE - 1)];
	uint32_t p = m->threads[idx].process;

	e->tid = tid;
	e->idx1 = p == ALPCSCOPE_NONE ? 0 : idx + 1;
	e->pid = p == ALPCSCOPE_NONE ? 0 : m->procs[p].pid;
}

/* Grow a realloc'd array to hold one more element; false on out of memory. */
bool model_grow(void **arr, uint32_t *cap, uint32_t n, size_t elem);

/* process_table.c */
uint32_t process_table_current(struct alpcscope_model *m, uint32_t pid, bool *oom);
uint32_t process_table_thread(struct alpcscope_model *m, uint32_t pid, uint32_t tid, bool *oom);
bool process_table_on_process(struct alpcscope_model *m, const struct alpcscope_event *ev,
			      const struct alpcscope_process *rec);
bool process_table_on_thread(struct alpcscope_model *m, const struct alpcscope_event *ev,
			     const struct alpcscope_thread *rec);
bool process_table_on_thread_name(struct alpcscope_model *m, uint32_t pid, uint32_t tid,
				  const char *name);
bool process_table_on_image(struct alpcscope_model *m, const struct alpcscope_event *ev,
			    const struct alpcscope_image *rec);
bool process_table_on_service(struct alpcscope_model *m, uint32_t pid, uint32_t tag,
			      const char *name);
bool process_table_finish(struct alpcscope_model *m);

/* image_ids.c: KernelTraceControl image identities (PDB GUID, age, time stamp) */
struct image_id_rec;
bool image_ids_on_event(struct alpcscope_model *m, const struct alpcscope_event *ev,
			const struct alpcscope_decoded *d);
/* After process_table_finish() (images sorted): copy identities into images. */
bool image_ids_finish(struct alpcscope_model *m);

/* alpc_pairing.c */
/*
 * One ALPC event: @p value is the MessageID (Send, Receive, Wait-For-Reply),
 * the Status (Unwait) or IsServerPort (Wait-For-New-Message); @p port the interned PortName of a
 * Wait-For-New-Message (ALPCSCOPE_NONE when empty).
 */
bool alpc_pairing_on_event(struct alpcscope_model *m, const struct alpcscope_event *ev,
			   uint32_t value, uint32_t port);
/* Intern a port name; ALPCSCOPE_NONE for an empty name or on out of memory (*oom). */
uint32_t alpc_pairing_intern_port(struct alpcscope_model *m, const char *name, bool *oom);
void alpc_pairing_finish(struct alpcscope_model *m);
/* alpc_loss.c: merge the loss windows (at finish), then mark a message near one. */
void alpc_loss_merge(struct alpcscope_model *m);
void alpc_loss_mark(struct alpcscope_model *m, struct alpcscope_message *msg);
bool alpc_pairing_on_process_start(struct alpcscope_model *m, uint32_t process,
				   uint32_t creator_thread);
bool alpc_pairing_on_thread_end(struct alpcscope_model *m, uint32_t thread);

/* stacks.c */
bool stacks_on_walk(struct alpcscope_model *m, const struct alpcscope_stack_walk *sw);
bool stacks_on_key_ref(struct alpcscope_model *m, const struct alpcscope_stack_key_ref *ref);
bool stacks_on_key_def(struct alpcscope_model *m, const struct alpcscope_stack_key *def);
bool stacks_finish(struct alpcscope_model *m);
bool stacks_is_kernel_address(const struct alpcscope_model *m, uint64_t addr);

/* chain_builder.c */
bool chain_builder_finish(struct alpcscope_model *m);

#endif
