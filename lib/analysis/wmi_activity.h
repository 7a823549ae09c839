/* SPDX-License-Identifier: MIT */
/*
 * WMI-Activity operations joined to chains (wmi_activity.c); called by
 * rpc_calls.c, which owns the decoder and the shared state (rpc_calls.h).
 */
#ifndef ALPCSCOPE_ANALYSIS_WMI_ACTIVITY_H
#define ALPCSCOPE_ANALYSIS_WMI_ACTIVITY_H

#include <alpcscope/decode.h>
#include <alpcscope/model.h>

#include <stdbool.h>

struct rpc_state;

/* One decoded WMI-Activity event; false on out of memory. */
bool wmi_on_decoded(struct alpcscope_model *m, struct rpc_state *s,
		    const struct alpcscope_event *ev, const struct alpcscope_decoded *d);
/* Check operations against the finished messages and link them; false on out of memory. */
bool wmi_finish(struct alpcscope_model *m, struct rpc_state *s);

#endif
