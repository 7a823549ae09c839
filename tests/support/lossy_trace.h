/* SPDX-License-Identifier: MIT */
/*
 * A long ALPC trace of a busy machine, with its ground truth: synchronous
 * calls (reply with the request's ID or with a fresh one), nested calls,
 * one-way messages, replies sent by another worker of the server (hand-off),
 * one-way messages dropped because their server's port is gone, message IDs
 * handed out like the kernel's handle table (lowest free first, so the same
 * few IDs are reused all the time), and events lost in bursts (all events of
 * one CPU for 0.3-3 ms) until the requested share is gone, with EventsLost
 * set in the header. The truth records what the writer intended for every
 * message and which of its events survived, so a test can compare pairing
 * results with it (tests/unit/analysis/test_lossy_pairing.c).
 */
#ifndef ALPCSCOPE_TEST_LOSSY_TRACE_H
#define ALPCSCOPE_TEST_LOSSY_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOSSY_NONE UINT32_MAX

enum lossy_kind {
	LOSSY_REQUEST = 0, /* synchronous request (the sender waits for the reply) */
	LOSSY_ONE_WAY = 1,
	LOSSY_REPLY = 2,
	LOSSY_DROPPED = 3, /* one-way, never received (the server's port is gone) */
};

/* One message as the writer intended it. Times are raw ticks (10 MHz). */
struct lossy_truth {
	uint32_t id;
	uint8_t kind; /* enum lossy_kind */
	bool handoff; /* reply sent by another worker than the receiving one */
	bool send_lost, receive_lost, wait_lost; /* which of its events were lost */
	uint32_t send_tid, receive_tid;          /* receive_tid 0 for dropped messages */
	int64_t send_ticks, receive_ticks;
	uint32_t reply;   /* request: its reply (truth index) */
	uint32_t request; /* reply: its request */
	uint32_t parent;  /* the request its sender was serving, or LOSSY_NONE */
};

struct lossy_config {
	uint32_t conversations; /* calls, one-way and dropped messages (nested calls come on top) */
	uint64_t seed;
	uint32_t loss_per_mille; /* share of ALPC events to lose in bursts (10 = 1%) */
	uint32_t cpus;
};

struct lossy_result {
	struct lossy_truth *truth; /* malloc'd; free() it */
	uint32_t ntruth;
	uint64_t events, events_lost;
	uint32_t bursts;
	uint32_t distinct_ids;
	uint32_t max_id_uses; /* how often the most used ID was handed out */
	int64_t start_ticks;
	int64_t start_filetime;
};

/* Write the trace to @p path; 0 on success, -1 with a message in @p err. */
int lossy_trace_write(const struct lossy_config *cfg, const char *path, struct lossy_result *out,
		      char *err, size_t errsz);

#endif
