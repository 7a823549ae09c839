/* SPDX-License-Identifier: MIT */
/*
 * The analysis model: processes and threads over time (PIDs and TIDs are
 * reused), per-process image maps, ALPC messages paired by an explicit state
 * machine per message ID, call stacks attached to sends and receives, and
 * call chains (nested requests across processes, and the processes those
 * requests created). Fed event by event with alpcscope_model_add_event(),
 * completed by alpcscope_model_finish(), then immutable and readable from
 * many threads. The pairing rules are described in docs/analysis.md.
 *
 * Indices: every object is addressed by a 0-based index (uint32_t);
 * ALPCSCOPE_NONE means "no such object". Index order is stable and follows
 * the trace: processes and threads in order of first appearance, messages in
 * order of their first event (the Send, or the Receive when no Send was
 * seen). Output built on these indices is therefore deterministic.
 *
 * The writers for `alpcscope messages` and `alpcscope chains` are declared at
 * the end of this header (they live in the output layer).
 */
#ifndef ALPCSCOPE_MODEL_H
#define ALPCSCOPE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common.h"
#include "event.h"
#include "status.h"

ALPCSCOPE_BEGIN_DECLS

/** Index value meaning "none". */
#define ALPCSCOPE_NONE UINT32_MAX

/** The model. Not thread-safe while being built; read-only after finish. */
struct alpcscope_model;
struct alpcscope_symbolizer; /* include/alpcscope/symbols.h */

/** Options for alpcscope_model_new(); start from ALPCSCOPE_MODEL_OPTIONS_INIT. */
struct alpcscope_model_options {
	uint32_t version; /**< ALPCSCOPE_MODEL_OPTIONS_VERSION */
	/**
	 * A Send still waiting for its Receive this long (trace time, 100 ns
	 * units) is dropped from the pending state and classified as an
	 * unmatched send with ALPCSCOPE_EVIDENCE_EXPIRED. 0 = never expire.
	 */
	int64_t pending_expiry_100ns;
};

#define ALPCSCOPE_MODEL_OPTIONS_VERSION 1
/** Defaults: pending sends expire after 60 s of trace time. */
#define ALPCSCOPE_MODEL_OPTIONS_INIT                                                               \
	{                                                                                          \
		ALPCSCOPE_MODEL_OPTIONS_VERSION, 600000000                                         \
	}

/* ---- processes and threads ---------------------------------------------- */

/** One process instance: a PID between its start and end (PIDs are reused). */
struct alpcscope_process_instance {
	uint32_t pid;
	uint32_t parent_pid; /**< ParentId from the payload (can be chosen by the creator) */
	uint32_t session_id;
	int32_t exit_status;         /**< NTSTATUS from End/DCEnd; 0 when not seen */
	uint64_t unique_process_key; /**< kernel EPROCESS address; 0 when unknown */
	const char *image_name;      /**< short image name; "" when the trace never named it */
	const char *command_line;    /**< NULL when unknown */
	/**
	 * Services hosted by this process, comma separated in SystemConfig
	 * order ("Winmgmt" or "BITS, Schedule"), from SystemConfig Services
	 * or, failing that, an svchost "-s NAME" command line; NULL when none.
	 */
	const char *services;
	bool started_in_trace;        /**< a Process Start event created it */
	bool seen_in_rundown;         /**< a DCStart/DCEnd event named it */
	bool ended_in_trace;          /**< a Process End event was seen */
	bool from_other_events;       /**< created only because another event named its PID */
	int64_t start_filetime_100ns; /**< Start event time; 0 when it started before the trace */
	uint64_t start_ordinal;       /**< Start event record ordinal (when started_in_trace) */
	uint64_t start_file_offset;   /**< Start event file offset (when started_in_trace) */
	int64_t end_filetime_100ns;   /**< End event time; 0 when not seen */
	uint32_t creator_tid;         /**< Start header TID; ALPCSCOPE_ID_UNKNOWN otherwise */
	uint32_t creator_thread;      /**< thread index of the creator, or ALPCSCOPE_NONE */
	uint32_t os_parent; /**< process index of parent_pid alive at the start, or NONE */
	/**
	 * The request the creator thread was serving when it created this
	 * process (message index), or NONE. Set when the Start header TID is
	 * a thread that had received a request and not yet replied.
	 */
	uint32_t cause_message;
	/**
	 * The client at the root of the call chain that led to this process
	 * (process index), or NONE when no chain shows it.
	 */
	uint32_t logical_parent;
	uint32_t chain_node; /**< chain node of this process's creation, or NONE */
};

/** One thread instance: a TID inside one process between start and end. */
struct alpcscope_thread_instance {
	uint32_t tid;
	uint32_t process;         /**< process index */
	const char *name;         /**< thread name (Thread v4 / SetName); NULL when none */
	uint32_t sub_process_tag; /**< service tag from Thread events; 0 when none */
	const char *service;      /**< service named by sub_process_tag in SystemConfig; NULL */
	bool started_in_trace;
	bool ended_in_trace;
	int64_t start_filetime_100ns; /**< 0 when started before the trace */
	int64_t end_filetime_100ns;   /**< 0 when not seen */
};

/** Number of processes. */
ALPCSCOPE_EXPORT uint32_t alpcscope_model_process_count(const struct alpcscope_model *m);
/** Process @p index (borrowed, lives as long as @p m); NULL when out of range. */
ALPCSCOPE_EXPORT const struct alpcscope_process_instance *
alpcscope_model_process_at(const struct alpcscope_model *m, uint32_t index);
/** Number of threads. */
ALPCSCOPE_EXPORT uint32_t alpcscope_model_thread_count(const struct alpcscope_model *m);
/** Thread @p index (borrowed); NULL when out of range. */
ALPCSCOPE_EXPORT const struct alpcscope_thread_instance *
alpcscope_model_thread_at(const struct alpcscope_model *m, uint32_t index);

/**
 * Display name of a process: "svchost.exe (Winmgmt)" when it hosts
 * services, the image name otherwise, "pid N" when unnamed. Written into
 * @p out (truncated to @p size, always NUL-terminated); returns @p out.
 */
ALPCSCOPE_EXPORT const char *alpcscope_model_process_label(const struct alpcscope_model *m,
							   uint32_t process, char *out,
							   size_t size);

/* ---- images and addresses ------------------------------------------------ */

/** One loaded image (module). */
struct alpcscope_image_entry {
	uint32_t process; /**< process index; ALPCSCOPE_NONE for kernel modules (PID 0) */
	uint64_t base;
	uint64_t size;
	const char *path;              /**< file name as logged (NT device path) */
	const char *module;            /**< last path component, e.g. "rpcrt4.dll" */
	int64_t load_filetime_100ns;   /**< 0 when loaded before the trace (rundown) */
	int64_t unload_filetime_100ns; /**< 0 when not unloaded in the trace */
	/** PE TimeDateStamp (Image event v2+ or KernelTraceControl ImageID); 0 when unknown. */
	uint32_t time_date_stamp;
	/**
	 * PDB identity from the KernelTraceControl DbgID_RSDS record that
	 * xperf/WPR merge into the trace (docs/symbols.md §Matching).
	 */
	bool has_pdb_id;
	struct alpcscope_guid pdb_guid;
	uint32_t pdb_age;
	const char *pdb_name; /**< as linked, often a full build path; NULL when unknown */
};

/** Number of images, sorted by (process, base, load time) after finish. */
ALPCSCOPE_EXPORT uint32_t alpcscope_model_image_count(const struct alpcscope_model *m);
/** Image @p index (borrowed); NULL when out of range. */
ALPCSCOPE_EXPORT const struct alpcscope_image_entry *
alpcscope_model_image_at(const struct alpcscope_model *m, uint32_t index);

/**
 * Find the image of @p process (or a kernel module) holding @p address at
 * time @p filetime_100ns. Only valid after alpcscope_model_finish().
 *
 * @param[out] offset_out  address - image base, when found (may be NULL).
 * @return the image index, or ALPCSCOPE_NONE when no image covers it.
 */
ALPCSCOPE_EXPORT uint32_t alpcscope_model_resolve_address(const struct alpcscope_model *m,
							  uint32_t process, uint64_t address,
							  int64_t filetime_100ns,
							  uint64_t *offset_out);

/* ---- stacks -------------------------------------------------------------- */

/** Where a stack came from. */
enum alpcscope_stack_source {
	ALPCSCOPE_STACK_WALK = 0, /**< StackWalk 32 event(s) */
	ALPCSCOPE_STACK_KEYS = 1, /**< stack-caching references 37/38 resolved by 34-36 */
	ALPCSCOPE_STACK_MIXED = 2,
};

/** The call stack of one Send or Receive. */
struct alpcscope_stack {
	const uint64_t *frames; /**< innermost first: kernel frames, then user frames */
	uint32_t frame_count;
	uint32_t kernel_frame_count; /**< leading frames in kernel address space */
	uint32_t process;            /**< process index whose image map resolves user frames */
	uint8_t source;              /**< enum alpcscope_stack_source */
	int64_t filetime_100ns;      /**< time of the event it belongs to */
};

/** Number of stacks. */
ALPCSCOPE_EXPORT uint32_t alpcscope_model_stack_count(const struct alpcscope_model *m);
/** Stack @p index (borrowed); NULL when out of range. */
ALPCSCOPE_EXPORT const struct alpcscope_stack *
alpcscope_model_stack_at(const struct alpcscope_model *m, uint32_t index);

/* ---- ALPC messages ------------------------------------------------------- */

/** Classification of a message (docs/analysis.md §Classification). */
enum alpcscope_message_kind {
	ALPCSCOPE_MESSAGE_REQUEST = 0,      /**< delivered request whose reply was paired */
	ALPCSCOPE_MESSAGE_REQUEST_NO_REPLY, /**< sender waited for a reply; none was seen */
	ALPCSCOPE_MESSAGE_ONE_WAY,          /**< delivered, sender did not wait, no reply */
	ALPCSCOPE_MESSAGE_REPLY,            /**< the answer to a request (see @c related) */
	ALPCSCOPE_MESSAGE_UNMATCHED_SEND,   /**< Send without a Receive */
	ALPCSCOPE_MESSAGE_ORPHAN_RECEIVE,   /**< Receive whose Send precedes the trace */
	ALPCSCOPE_MESSAGE_AMBIGUOUS, /**< paired FIFO while several Sends of the ID were pending */
	ALPCSCOPE_MESSAGE_KIND_COUNT
};

/** Lower-case name of a kind: "request", "request-no-reply", "one-way", "reply", ... */
ALPCSCOPE_EXPORT const char *alpcscope_message_kind_name(enum alpcscope_message_kind kind);

/** Role a message played, independent of how sure the pairing is. */
enum alpcscope_message_role {
	ALPCSCOPE_ROLE_REQUEST = 0, /**< a request or one-way message */
	ALPCSCOPE_ROLE_REPLY = 1,   /**< an answer to @c related */
	ALPCSCOPE_ROLE_UNKNOWN = 2, /**< only one side seen */
};

/** Evidence bits: which events support a message's pairing and classification. */
enum alpcscope_evidence {
	/** Reply carries the request's message ID (convention "reply reuses ID"). */
	ALPCSCOPE_EVIDENCE_SAME_ID = 1u << 0,
	/**
	 * Reply carries its own ID: paired because its sender thread was serving
	 * the request and its receiver is the request's sending thread.
	 */
	ALPCSCOPE_EVIDENCE_NEW_ID = 1u << 1,
	/** The sender logged Wait-For-Reply with this message ID after the Send. */
	ALPCSCOPE_EVIDENCE_WAIT_FOR_REPLY = 1u << 2,
	/** Reply: its receiver had logged Wait-For-Reply for the request. */
	ALPCSCOPE_EVIDENCE_CLIENT_WAITED = 1u << 3,
	/** The receiver logged Unwait before the Receive. */
	ALPCSCOPE_EVIDENCE_UNWAIT = 1u << 4,
	/** The receiver logged Wait-For-New-Message before the Receive (port known). */
	ALPCSCOPE_EVIDENCE_LISTENING = 1u << 5,
	/** Several Sends of this ID could have been taken at the Receive (kind ambiguous). */
	ALPCSCOPE_EVIDENCE_ID_REUSE = 1u << 6,
	/** Unmatched Send dropped from the pending state after the expiry window. */
	ALPCSCOPE_EVIDENCE_EXPIRED = 1u << 7,
	/** Receive with no pending Send of the ID: the Send precedes the trace (or was lost). */
	ALPCSCOPE_EVIDENCE_SEND_BEFORE_TRACE = 1u << 8,
	/** Request abandoned: the server thread listened again or ended without replying. */
	ALPCSCOPE_EVIDENCE_ABANDONED = 1u << 9,
	/** The trace ended while the request was still being served (or the Send pending). */
	ALPCSCOPE_EVIDENCE_TRACE_END = 1u << 10,
	/**
	 * Reply sent by another thread of the server process than the one that
	 * received the request (thread pools, asynchronous RPC).
	 */
	ALPCSCOPE_EVIDENCE_HANDOFF = 1u << 11,
	/**
	 * One of its events lies in a time window where the trace is known to
	 * have lost events (a gap in a processor's buffer sequence numbers).
	 */
	ALPCSCOPE_EVIDENCE_NEAR_LOSS = 1u << 12,
	/**
	 * Unmatched Send: a later Send of the same message ID was seen. IDs are
	 * not reused while a message lives, so this one was dropped or its
	 * Receive was lost.
	 */
	ALPCSCOPE_EVIDENCE_SUPERSEDED = 1u << 13,
	/**
	 * Unmatched Send: its sender waited for a reply and then went on (sent,
	 * received or ended), so the message can no longer be received; its
	 * Receive (and maybe its reply) was lost.
	 */
	ALPCSCOPE_EVIDENCE_SENDER_MOVED_ON = 1u << 14,
	/**
	 * The pairing rests on a guess: later events contradicted the first
	 * pairing of this message and it was repaired (docs/analysis.md §Loss).
	 */
	ALPCSCOPE_EVIDENCE_GUESS = 1u << 15,
};

/** Number of evidence bits (for iteration). */
#define ALPCSCOPE_EVIDENCE_BITS 16

/** Short name of one evidence bit ("same-id", "wait-for-reply", ...); NULL for others. */
ALPCSCOPE_EXPORT const char *alpcscope_evidence_name(uint32_t bit);

/** One ALPC event of a message (its Send or its Receive). */
struct alpcscope_message_event {
	int64_t filetime_100ns; /**< UTC, 100 ns since 1601 */
	uint64_t ordinal;       /**< record ordinal in delivery order */
	uint64_t file_offset;   /**< record (or compressed buffer) offset in the file */
	uint32_t thread;        /**< thread index; ALPCSCOPE_NONE when the event was not seen */
	uint32_t stack;         /**< stack index; ALPCSCOPE_NONE when none was attached */
};

/** One ALPC message: a Send, its Receive, or both. */
struct alpcscope_message {
	struct alpcscope_message_event send;
	struct alpcscope_message_event receive;
	uint32_t message_id;
	uint8_t kind;      /**< enum alpcscope_message_kind */
	uint8_t role;      /**< enum alpcscope_message_role */
	uint16_t evidence; /**< enum alpcscope_evidence bits */
	uint32_t port;     /**< port name index (alpcscope_model_port_name()); NONE */
	uint32_t related;  /**< request: its reply; reply: its request; else NONE */
	/** The request its sending thread was serving when it sent this one, or NONE. */
	uint32_t parent;
	uint32_t chain_node; /**< chain node of this message, or NONE */
};

/** Number of messages. */
ALPCSCOPE_EXPORT uint32_t alpcscope_model_message_count(const struct alpcscope_model *m);
/** Message @p index (borrowed); NULL when out of range. */
ALPCSCOPE_EXPORT const struct alpcscope_message *
alpcscope_model_message_at(const struct alpcscope_model *m, uint32_t index);
/** Port name @p index (borrowed UTF-8), NULL when out of range or ALPCSCOPE_NONE. */
ALPCSCOPE_EXPORT const char *alpcscope_model_port_name(const struct alpcscope_model *m,
						       uint32_t index);
/**
 * Process index of a message event's thread, or ALPCSCOPE_NONE when the
 * event was not seen.
 */
ALPCSCOPE_EXPORT uint32_t alpcscope_model_event_process(const struct alpcscope_model *m,
							const struct alpcscope_message_event *e);

/* ---- call chains ----------------------------------------------------------- */

/** What a chain node stands for. */
enum alpcscope_chain_node_kind {
	ALPCSCOPE_NODE_MESSAGE = 0, /**< a request (or one-way message), see @c message */
	ALPCSCOPE_NODE_PROCESS = 1, /**< a process created while the parent was served */
};

/**
 * One node of a call-chain tree. The edge from @c parent to this node is
 * proved by: for a message node, its Send (thread, time, ordinal) falling
 * between the parent request's Receive and its reply's Send on the same
 * thread; for a process node, the Process Start whose header TID is that
 * thread, in the same window.
 */
struct alpcscope_chain_node {
	uint8_t kind;          /**< enum alpcscope_chain_node_kind */
	uint32_t message;      /**< message index (NODE_MESSAGE), else NONE */
	uint32_t process;      /**< created process index (NODE_PROCESS), else NONE */
	uint32_t parent;       /**< node index, or NONE for a root */
	uint32_t first_child;  /**< node index, or NONE; children are in trace order */
	uint32_t next_sibling; /**< node index, or NONE */
	uint32_t depth;        /**< 0 for the root */
	uint32_t chain;        /**< chain index */
};

/** One call chain: a tree rooted at a request no other request caused. */
struct alpcscope_chain {
	uint32_t root_node;     /**< node index of the root message */
	uint32_t node_count;    /**< nodes in the tree, root included */
	uint32_t message_count; /**< message nodes */
	uint32_t process_count; /**< processes created inside the chain */
	uint32_t max_depth;     /**< deepest node's depth */
	uint32_t root_process;  /**< the client at the root (process index) or NONE */
	uint32_t process_span;  /**< distinct processes taking part */
};

/**
 * Number of chains. A chain exists for every request that caused at least
 * one nested request or process creation; lone messages are not chains.
 * Chains are ordered by their root message index.
 */
ALPCSCOPE_EXPORT uint32_t alpcscope_model_chain_count(const struct alpcscope_model *m);
/** Chain @p index (borrowed); NULL when out of range. */
ALPCSCOPE_EXPORT const struct alpcscope_chain *
alpcscope_model_chain_at(const struct alpcscope_model *m, uint32_t index);
/** Number of chain nodes (all chains). */
ALPCSCOPE_EXPORT uint32_t alpcscope_model_chain_node_count(const struct alpcscope_model *m);
/** Chain node @p index (borrowed); NULL when out of range. */
ALPCSCOPE_EXPORT const struct alpcscope_chain_node *
alpcscope_model_chain_node_at(const struct alpcscope_model *m, uint32_t index);

/* ---- counters ---------------------------------------------------------------- */

/** What the model saw and how much of it it could use. */
struct alpcscope_model_stats {
	uint64_t events; /**< events added */
	uint64_t alpc_sends;
	uint64_t alpc_receives;
	uint64_t alpc_wait_for_reply;
	uint64_t alpc_wait_for_new_message;
	uint64_t alpc_unwaits;
	uint64_t alpc_other;    /**< opcodes 38-41 (layout unknown, counted only) */
	uint64_t decode_errors; /**< events whose payload could not be decoded */
	uint64_t messages_by_kind[ALPCSCOPE_MESSAGE_KIND_COUNT];
	uint64_t replies_same_id;       /**< replies paired by the same-ID convention */
	uint64_t replies_new_id;        /**< replies paired by the new-ID convention */
	uint64_t pending_expired;       /**< sends expired from the pending state */
	uint64_t pending_peak;          /**< largest number of pending sends at once */
	uint64_t stacks_attached;       /**< stack fragments attached to a Send/Receive */
	uint64_t stacks_unmatched;      /**< stack events for other (non-ALPC) events */
	uint64_t stack_refs_unresolved; /**< key references without a definition at the end */
	uint64_t processes_caused;      /**< processes created inside a served request */
	uint64_t replies_handoff;       /**< replies sent by another thread of the server process */
	uint64_t sends_superseded;      /**< unmatched sends retired by a later Send of their ID */
	uint64_t sends_sender_moved_on; /**< unmatched sends retired because the sender went on */
	uint64_t pairings_repaired;     /**< pairings undone by later evidence (the reply path) */
	/** Loss reported by the trace (alpcscope_model_set_loss()): EventsLost. */
	uint64_t events_lost;
	uint64_t buffers_lost;       /**< BuffersLost from the log-file header */
	uint64_t sequence_gaps;      /**< missing buffer sequence numbers */
	uint64_t loss_windows;       /**< time windows with a known position of lost buffers */
	uint64_t messages_near_loss; /**< messages with evidence near-loss */
};

/** Counters; complete after alpcscope_model_finish(). Borrowed. */
ALPCSCOPE_EXPORT const struct alpcscope_model_stats *
alpcscope_model_stats(const struct alpcscope_model *m);

/* ---- building ---------------------------------------------------------------- */

/**
 * Create an empty model.
 * @param[out] out  New model; free with alpcscope_model_free().
 * @param options   Optional (NULL = defaults).
 * @param err       Optional error details.
 * @return ALPCSCOPE_OK, ALPCSCOPE_E_INVALID_ARG (NULL @p out or unknown
 *         options version) or ALPCSCOPE_E_NOMEM.
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_model_new(struct alpcscope_model **out, const struct alpcscope_model_options *options,
		    struct alpcscope_error *err);

/**
 * Add one event, in delivery (time) order. The model decodes the payload
 * itself and copies what it keeps into its arena; @p ev may be reused by
 * the caller afterwards. Undecodable payloads are counted
 * (stats.decode_errors), not returned as errors.
 *
 * @return ALPCSCOPE_OK; ALPCSCOPE_E_NOMEM; ALPCSCOPE_E_INVALID_ARG (NULL
 *         argument, or the model is already finished).
 */
ALPCSCOPE_EXPORT enum alpcscope_status alpcscope_model_add_event(struct alpcscope_model *m,
								 const struct alpcscope_event *ev,
								 struct alpcscope_error *err);

/**
 * Close the model: classify messages still pending, resolve stack keys,
 * name services, link OS and logical parents, sort the image map and build
 * the chains. After this call the model is immutable.
 *
 * @return ALPCSCOPE_OK, ALPCSCOPE_E_NOMEM, ALPCSCOPE_E_INVALID_ARG (called twice).
 */
ALPCSCOPE_EXPORT enum alpcscope_status alpcscope_model_finish(struct alpcscope_model *m,
							      struct alpcscope_error *err);

/**
 * Tell the model what the trace lost (the log-file header's EventsLost and
 * BuffersLost, the reader's missing sequence numbers), for its statistics
 * and the writers' headers. Call before alpcscope_model_finish().
 */
ALPCSCOPE_EXPORT void alpcscope_model_set_loss(struct alpcscope_model *m, uint64_t events_lost,
					       uint64_t buffers_lost, uint64_t sequence_gaps);
/**
 * A time window where events were lost (alpcscope_reader_loss_window_at()).
 * At finish, messages with an event in a window, or spanning one, get
 * ALPCSCOPE_EVIDENCE_NEAR_LOSS. Returns ALPCSCOPE_E_NOMEM or ALPCSCOPE_OK.
 */
ALPCSCOPE_EXPORT enum alpcscope_status alpcscope_model_add_loss_window(struct alpcscope_model *m,
								       int64_t start_filetime_100ns,
								       int64_t end_filetime_100ns);

/** Release @p m and everything it lent out. Accepts NULL. */
ALPCSCOPE_EXPORT void alpcscope_model_free(struct alpcscope_model *m);

/* ---- RPC calls and WMI operations (lib/analysis/rpc_calls.c, wmi_activity.c) ---- */

struct alpcscope_interface_db;

/** RPC transport of a call (Microsoft-Windows-RPC Protocol field). */
enum alpcscope_rpc_protocol {
	ALPCSCOPE_RPC_PROTOCOL_UNKNOWN = 0,
	ALPCSCOPE_RPC_PROTOCOL_TCP = 1,
	ALPCSCOPE_RPC_PROTOCOL_NAMED_PIPES = 2,
	ALPCSCOPE_RPC_PROTOCOL_LRPC = 3, /**< local RPC, carried by ALPC */
	ALPCSCOPE_RPC_PROTOCOL_HTTP = 4,
};

/**
 * One side of an RPC call: Microsoft-Windows-RPC client (5/7) or server
 * (6/8) call start and its stop (paired by ActivityId on the same thread).
 * For LRPC calls the ALPC request the same thread carried inside the call's
 * time window is @c message: for a client call the request its thread sent
 * between start and stop, for a server call the request its thread was
 * serving (received before the start, replied to after the stop).
 */
struct alpcscope_rpc_call {
	struct alpcscope_guid interface_uuid;
	uint32_t opnum;
	uint32_t protocol;           /**< enum alpcscope_rpc_protocol (or the raw value) */
	const char *network_address; /**< "" for local calls */
	const char *endpoint;        /**< LRPC: the ALPC port name under \RPC Control\ */
	const char *options;
	uint32_t authentication_level;
	uint32_t authentication_service; /**< 9 Negotiate, 10 NTLM, 16 Kerberos, 20 Kernel, ... */
	uint32_t impersonation_level;
	bool server;     /**< server side (event 6) rather than client side (event 5) */
	bool stopped;    /**< its stop event (7/8) was seen */
	uint32_t status; /**< stop Status (RPC status / Win32 error); 0 when not stopped */
	uint32_t thread; /**< thread index of the calling / dispatching thread */
	int64_t start_filetime_100ns, stop_filetime_100ns;
	uint64_t start_ordinal, stop_ordinal;
	uint32_t message; /**< ALPC request carrying the call, or ALPCSCOPE_NONE */
};

/** Number of RPC call sides seen. */
ALPCSCOPE_EXPORT uint32_t alpcscope_model_rpc_call_count(const struct alpcscope_model *m);
/** RPC call side @p index (borrowed); NULL when out of range. */
ALPCSCOPE_EXPORT const struct alpcscope_rpc_call *
alpcscope_model_rpc_call_at(const struct alpcscope_model *m, uint32_t index);
/**
 * The RPC call carried by ALPC request @p message, from the client side
 * (@p server false) or the server side; ALPCSCOPE_NONE when none.
 */
ALPCSCOPE_EXPORT uint32_t alpcscope_model_message_rpc_call(const struct alpcscope_model *m,
							   uint32_t message, bool server);

/**
 * Name interfaces and procedures with @p db (borrowed: it must outlive the
 * model; NULL = no names). May be called at any time before the writers run.
 */
ALPCSCOPE_EXPORT void alpcscope_model_set_interfaces(struct alpcscope_model *m,
						     const struct alpcscope_interface_db *db);
/** The database set with alpcscope_model_set_interfaces(), or NULL. */
ALPCSCOPE_EXPORT const struct alpcscope_interface_db *
alpcscope_model_interfaces(const struct alpcscope_model *m);

/** How a WMI-created process relates to the model's logical parent. */
enum alpcscope_wmi_corroboration {
	ALPCSCOPE_WMI_NO_PROCESS = 0, /**< no created process (or not in the trace) */
	ALPCSCOPE_WMI_AGREES = 1,     /**< WMI's client is the chain's logical parent */
	ALPCSCOPE_WMI_DIFFERS = 2,    /**< the chain names another logical parent */
	ALPCSCOPE_WMI_ONLY = 3, /**< no chain explains the process; WMI alone names the client */
};

/**
 * One WMI operation from Microsoft-Windows-WMI-Activity, joined by
 * OperationId (11 start, 22 method, 23 process created, 13 end) and
 * GroupOperationId (12 provider call). Logged by the WMI service, so
 * @c thread is a Winmgmt thread; @c message is the ALPC request that thread
 * was serving when the operation started.
 */
struct alpcscope_wmi_operation {
	uint32_t operation_id, group_operation_id;
	const char *correlation_id;     /**< NULL when not logged */
	const char *operation;          /**< event 11 Operation text, or NULL */
	const char *namespace_name;     /**< NULL when not logged */
	const char *user;               /**< NULL when not logged */
	const char *class_name;         /**< event 22, or NULL */
	const char *method_name;        /**< event 22, or NULL */
	const char *provider_name;      /**< event 12, or NULL */
	const char *provider_operation; /**< event 12 Operation text, or NULL */
	const char *command_line;       /**< event 23 Commandline, or NULL */
	uint32_t client_pid;        /**< ClientProcessId; ALPCSCOPE_ID_UNKNOWN when not logged */
	uint32_t client_process;    /**< process index of client_pid at the time, or NONE */
	uint32_t provider_host_pid; /**< event 12 HostId; ALPCSCOPE_ID_UNKNOWN when not logged */
	uint32_t created_pid;       /**< event 23 CreatedProcessId; ID_UNKNOWN when none */
	uint32_t created_process;   /**< process index of created_pid, or NONE */
	uint8_t corroboration;      /**< enum alpcscope_wmi_corroboration */
	bool ended;                 /**< event 13 seen */
	uint32_t result_code;       /**< event 13 ResultCode */
	uint32_t thread;            /**< thread index that logged the start, or NONE */
	int64_t start_filetime_100ns, end_filetime_100ns;
	uint64_t start_ordinal;
	uint32_t message;          /**< request served by @c thread at the start, or NONE */
	uint32_t provider_message; /**< request from that one to the provider host, or NONE */
};

/** Number of WMI operations. */
ALPCSCOPE_EXPORT uint32_t alpcscope_model_wmi_operation_count(const struct alpcscope_model *m);
/** WMI operation @p index (borrowed); NULL when out of range. */
ALPCSCOPE_EXPORT const struct alpcscope_wmi_operation *
alpcscope_model_wmi_operation_at(const struct alpcscope_model *m, uint32_t index);
/**
 * The WMI operation whose request is @p message (its @c message or
 * @c provider_message), or ALPCSCOPE_NONE. @p as_provider tells which.
 */
ALPCSCOPE_EXPORT uint32_t alpcscope_model_message_wmi_operation(const struct alpcscope_model *m,
								uint32_t message,
								bool *as_provider);
/** The WMI operation that reports creating process @p process, or ALPCSCOPE_NONE. */
ALPCSCOPE_EXPORT uint32_t alpcscope_model_process_wmi_operation(const struct alpcscope_model *m,
								uint32_t process);

/* ---- writers (output layer) ------------------------------------------------------ */

/** Output formats of the message and chain writers (docs/output-schema.md). */
enum alpcscope_output_format {
	ALPCSCOPE_OUTPUT_TEXT = 0,
	ALPCSCOPE_OUTPUT_JSON = 1,  /**< one JSON document */
	ALPCSCOPE_OUTPUT_JSONL = 2, /**< one JSON object per line, Timesketch-ready */
	ALPCSCOPE_OUTPUT_CSV = 3,
	ALPCSCOPE_OUTPUT_XML = 4, /**< Windows event XML, one <Event> per row (docs/xml.md) */
	/** chains only: one Mermaid sequence diagram per chain, in fenced Markdown blocks */
	ALPCSCOPE_OUTPUT_MERMAID = 5,
};

/** Select a message by index; return true to write it. */
typedef bool (*alpcscope_message_filter_fn)(void *ctx, const struct alpcscope_model *m,
					    uint32_t message);
/** Select a chain by index; return true to write it. */
typedef bool (*alpcscope_chain_filter_fn)(void *ctx, const struct alpcscope_model *m,
					  uint32_t chain);
/** Select a chain node by index; return true when the node matches. */
typedef bool (*alpcscope_node_filter_fn)(void *ctx, const struct alpcscope_model *m, uint32_t node);
/** Select a process by index; return true to explain it. */
typedef bool (*alpcscope_process_filter_fn)(void *ctx, const struct alpcscope_model *m,
					    uint32_t process);

/** Options of the writers; start from ALPCSCOPE_WRITE_OPTIONS_INIT. */
struct alpcscope_write_options {
	uint32_t version; /**< ALPCSCOPE_WRITE_OPTIONS_VERSION */
	enum alpcscope_output_format format;
	bool stacks;                  /**< include resolved stacks */
	const char *trace_path;       /**< shown in headers and JSON; may be NULL */
	int64_t trace_start_filetime; /**< for "seconds since trace start" columns; 0 = none */
	/** messages: rows to write (NULL = all). */
	alpcscope_message_filter_fn message_filter;
	/** chains: chains to write (NULL = all). */
	alpcscope_chain_filter_fn chain_filter;
	/**
	 * chains with @c caused_process_only: which created-process nodes to
	 * explain (NULL = all). For each, the path from the chain root to the
	 * process is written, hop by hop with its evidence, instead of trees.
	 */
	alpcscope_node_filter_fn node_filter;
	void *filter_ctx;
	bool caused_process_only;
	/**
	 * chains with @c caused_process_only: which processes to explain, by
	 * process index (takes precedence over @c node_filter). Every selected
	 * process gets an answer: created inside a call chain (the path, hop by
	 * hop), created directly by a thread that was serving no ALPC request
	 * ("direct": the creator process and thread), or already running when
	 * the trace started ("before-trace"). When both this and @c node_filter
	 * are NULL, every process started in the trace is explained.
	 */
	alpcscope_process_filter_fn process_filter;
	/**
	 * CSV: keep cells that start with = + - @ as they are (version 3).
	 * By default such a cell gets a leading ' so spreadsheets do not run
	 * it as a formula (docs/hostile-input.md).
	 */
	bool csv_raw;
	/**
	 * Names stack frames (include/alpcscope/symbols.h); NULL = frames stay
	 * module!+0xoff. With one, JSON events also carry "stack_frames" and
	 * chains name each hop's call site (docs/output-schema.md).
	 */
	struct alpcscope_symbolizer *symbolizer;
};

/* Versions 1 and 2 (without process_filter / csv_raw) are still accepted. */
#define ALPCSCOPE_WRITE_OPTIONS_VERSION 3
#define ALPCSCOPE_WRITE_OPTIONS_INIT                                                               \
	{                                                                                          \
		ALPCSCOPE_WRITE_OPTIONS_VERSION, ALPCSCOPE_OUTPUT_TEXT, false, NULL, 0, NULL,      \
		    NULL, NULL, NULL, false, NULL, false, NULL                                     \
	}

/**
 * Write the messages of a finished model, one row per message, in index
 * order. Schema: docs/output-schema.md.
 * @return ALPCSCOPE_OK, ALPCSCOPE_E_IO (write error), ALPCSCOPE_E_NOMEM,
 *         ALPCSCOPE_E_INVALID_ARG (model not finished, bad options).
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_messages_write(const struct alpcscope_model *m,
			 const struct alpcscope_write_options *options, FILE *out,
			 struct alpcscope_error *err);

/**
 * Write the call chains of a finished model as indented trees (text) or
 * node rows (json, jsonl, csv), each edge with the events that prove it.
 * @return as alpcscope_messages_write().
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_chains_write(const struct alpcscope_model *m,
		       const struct alpcscope_write_options *options, FILE *out,
		       struct alpcscope_error *err);

/**
 * Format a stack frame as "module!+0x1234" (or "0xADDRESS" when no image
 * covers it) into @p out; returns @p out.
 */
ALPCSCOPE_EXPORT const char *alpcscope_model_format_frame(const struct alpcscope_model *m,
							  const struct alpcscope_stack *stack,
							  uint32_t frame, char *out, size_t size);

ALPCSCOPE_END_DECLS

#endif
