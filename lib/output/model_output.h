/* SPDX-License-Identifier: MIT */
/*
 * Shared formatting for the model writers (messages_writer.c,
 * chains_writer.c): times, latencies, process/thread descriptions, evidence
 * strings, stack frames, CSV quoting and json-c helpers. Field names and
 * meanings: docs/output-schema.md.
 */
#ifndef ALPCSCOPE_OUTPUT_MODEL_OUTPUT_H
#define ALPCSCOPE_OUTPUT_MODEL_OUTPUT_H

#include <alpcscope/model.h>

#include <json-c/json.h>
#include <stdio.h>

#define MO_TIME_SIZE  40
#define MO_LABEL_SIZE 256

/* ISO-8601 UTC with 100 ns digits, or "-" for 0. */
const char *mo_time(char out[MO_TIME_SIZE], int64_t filetime_100ns);

/* Who took part in one message event. */
struct mo_party {
	uint32_t process; /* process index or NONE */
	uint32_t pid, tid;
	const char *image;
	char label[MO_LABEL_SIZE]; /* "svchost.exe (Winmgmt)" */
};

void mo_party(const struct alpcscope_model *m, const struct alpcscope_message_event *e,
	      struct mo_party *out);

/*
 * Client and server of a message: for a request the sender and receiver,
 * for a reply the receiver (the original requester) and the sender.
 */
void mo_client_server(const struct alpcscope_model *m, const struct alpcscope_message *msg,
		      struct mo_party *client, struct mo_party *server);

/* First time of a message (its Send, else its Receive). */
int64_t mo_message_time(const struct alpcscope_message *msg);

/*
 * Latency in 100 ns units: request with reply -> round trip (reply Receive
 * minus request Send); otherwise delivery (Receive minus Send); -1 when
 * one side is missing.
 */
int64_t mo_latency(const struct alpcscope_model *m, const struct alpcscope_message *msg);
/* "12.000 ms" style, or "-" for -1. */
const char *mo_latency_str(char *out, size_t size, int64_t latency_100ns);

/*
 * Evidence shown for a message: its own bits, and for a request with a
 * reply also the reply's pairing convention (same-id / new-id).
 */
uint16_t mo_shown_evidence(const struct alpcscope_model *m, const struct alpcscope_message *msg);

/* Evidence bits joined with '+', "-" when none. */
const char *mo_evidence(char *out, size_t size, uint16_t evidence);

/* Process label for an index, "?" for NONE. */
const char *mo_process_label(const struct alpcscope_model *m, uint32_t process, char *out,
			     size_t size);

/* One CSV field, quoted when needed (RFC 4180). */
void mo_csv_field(FILE *out, const char *s);

/* json-c helpers; a NULL string becomes JSON null. */
json_object *mo_jstr(const char *s);
json_object *mo_ju64(uint64_t v);
json_object *mo_ji64(int64_t v);
/* A PID/TID; JSON null for ALPCSCOPE_ID_UNKNOWN. */
json_object *mo_jid(uint32_t v);
/* Stack frames as a JSON array of "module!+0xoff" strings; NULL when no stack. */
json_object *mo_jstack(const struct alpcscope_model *m, uint32_t stack);
/* Add "send"/"receive" event objects (time, ordinal, file offset, pid, tid). */
json_object *mo_jevent(const struct alpcscope_model *m, const struct alpcscope_message_event *e,
		       bool stacks);
/* Write @p obj as one compact line (no newline). Returns false on a write error. */
bool mo_json_write(FILE *out, json_object *obj);

#endif
