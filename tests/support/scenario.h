/* SPDX-License-Identifier: MIT */
/*
 * Scenario language for the trace writer: a line-based text file that
 * declares trace settings, processes, threads, images and services, and
 * lists timed events (ALPC, stacks, RPC, WMI-Activity, generic providers)
 * plus macros (`call`, `noise alpc`). See docs/scenario-format.md.
 *
 * Loading expands macros and sorts everything by time; emitting writes the
 * rundown at trace start, the timed events, and the rundown/SystemConfig at
 * trace end through an etl_writer.
 */
#ifndef ALPCSCOPE_TEST_SCENARIO_H
#define ALPCSCOPE_TEST_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "etl_writer.h"

struct scenario;

/*
 * Parse @text (@len bytes, @name used in messages). On failure returns -1
 * and writes "name:line: message" into @err.
 */
int scenario_parse(struct scenario **out, const char *name, const char *text, size_t len, char *err,
		   size_t errsz);
int scenario_load_file(struct scenario **out, const char *path, char *err, size_t errsz);

/* Writer settings from the `trace` line (defaults: etl_writer_config_init). */
void scenario_config(const struct scenario *sc, struct etl_writer_config *cfg);

/* Write every record of the scenario and finish the writer. */
int scenario_emit(const struct scenario *sc, struct etl_writer *w, char *err, size_t errsz);

/* Number of timed events after macro expansion (rundown not included). */
size_t scenario_event_count(const struct scenario *sc);

void scenario_free(struct scenario *sc);

#endif
