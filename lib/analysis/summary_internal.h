/* SPDX-License-Identifier: MIT */
/*
 * The summary's tables, shared between the collector (analysis/summary.c)
 * and its writers (output/info_writer.c). Not part of the public API.
 */
#ifndef ALPCSCOPE_ANALYSIS_SUMMARY_INTERNAL_H
#define ALPCSCOPE_ANALYSIS_SUMMARY_INTERNAL_H

#include <alpcscope/decode.h>
#include <alpcscope/summary.h>

#include <stdbool.h>
#include <stdint.h>

/* One (event id, opcode) kind of a provider; classic events use id 0. */
struct summary_kind {
	uint16_t event_id;
	uint8_t opcode;
	bool is_classic; /* FULL/INSTANCE framing: shown as "opN" */
	uint64_t count;
};

struct summary_provider {
	struct alpcscope_guid guid;
	bool is_wpp;
	uint64_t count;
	uint32_t nkinds, kinds_cap;
	struct summary_kind *kinds;
};

/* Kept per diagnostic ID: the count and the first few messages. */
#define SUMMARY_DIAG_SAMPLES 3
struct summary_diag {
	char id[24];
	enum alpcscope_severity severity;
	uint64_t count;
	uint32_t nsamples;
	struct {
		uint64_t file_offset;
		uint32_t buffer_index;
		char message[200];
	} samples[SUMMARY_DIAG_SAMPLES];
};

struct summary_process {
	uint32_t pid;
	uint32_t parent_pid;
	uint32_t session_id;
	int64_t first_filetime;
	bool started_in_trace; /* Start seen, not only rundown */
	bool ended_in_trace;
	char image[64];
	char command_line[160];
};

/*
 * One process event as delivered. The table of processes depends on event
 * order (a Start after an End of the same PID is a new process), and the
 * reader may deliver in buffer order: the events are kept and replayed in
 * time order by summary_processes().
 */
struct summary_process_event {
	int64_t ticks;
	int64_t filetime;
	uint64_t ordinal;
	uint32_t processor;
	uint32_t buffer_index;
	uint32_t buffer_offset;
	uint32_t pid;
	uint32_t parent_pid;
	uint32_t session_id;
	uint8_t opcode;
	char image[64];
	char command_line[160];
};

struct alpcscope_summary {
	uint64_t kernel[256][256]; /* [group][opcode] */
	uint64_t kernel_by_group[256];
	struct summary_provider *providers;
	uint32_t nproviders, providers_cap;
	uint32_t last_provider;
	struct summary_diag *diags;
	uint32_t ndiags, diags_cap;
	struct summary_process_event *pevents; /* in delivery order */
	uint32_t npevents, pevents_cap;
	struct alpcscope_decoder *decoder;
	uint64_t decode_failures;

	int64_t first_filetime, last_filetime;
	bool have_time;

	/* Capability check inputs. */
	uint64_t alpc_events;
	uint64_t alpc_stacks; /* StackWalk 32 / key refs whose (thread, time) is an ALPC event */
	uint64_t stack_walks, stack_key_refs, stack_ext_items;
	uint64_t rpc_events, wmi_events, image_id_events;
	uint32_t alpc_tid_slots[1024]; /* thread -> time of its last ALPC event (hashed) */
	int64_t alpc_tid_ticks[1024];
};

/*
 * The processes seen: the process events replayed in time order, as a new
 * array (*out, free() it; NULL when there are none) of *count entries in
 * first-seen order. False when out of memory.
 */
bool summary_processes(const struct alpcscope_summary *s, struct summary_process **out,
		       uint32_t *count);

#endif
