/* SPDX-License-Identifier: MIT */
/*
 * Event filter of `alpcscope dump --filter EXPR`: comma-separated terms
 * `key=value` or `key!=value`, alternatives with `|`, all terms must hold.
 * Keys: pid, tid, cpu, group, opcode, id, version, provider, event, kind.
 */
#ifndef ALPCSCOPE_CLI_EVENT_FILTER_H
#define ALPCSCOPE_CLI_EVENT_FILTER_H

#include <alpcscope/alpcscope.h>

#include <stdbool.h>

#include "options.h"

#define EVENT_FILTER_MAX_TERMS 16
#define EVENT_FILTER_MAX_ALTS  8

struct event_filter_alt {
	uint64_t num;
	bool is_num;
	bool prefix; /* value ended in '*' */
	struct alpcscope_guid guid;
	bool is_guid;
	char text[96];
};

struct event_filter_term {
	int key;
	bool negate;
	int nalts;
	struct event_filter_alt alts[EVENT_FILTER_MAX_ALTS];
};

struct event_filter {
	int nterms;
	struct event_filter_term terms[EVENT_FILTER_MAX_TERMS];
	struct cli_time from, to; /* --from/--to as parsed (text NULL: not given) */
	int64_t from_ft, to_ft;   /* absolute FILETIME bounds, by event_filter_bind() */
};

/* Parse and add one --filter expression; false with a message in @p why. */
bool event_filter_add(struct event_filter *f, const char *expr, char *why, size_t whylen);

/* Resolve relative times against the trace start (call once the reader is open). */
void event_filter_bind(struct event_filter *f, int64_t trace_start_ft);

/* True when @p ev (with optional @p d) passes every term. */
bool event_filter_match(const struct event_filter *f, const struct alpcscope_event *ev,
			const struct alpcscope_decoded *d);

#endif
