/* SPDX-License-Identifier: MIT */
/*
 * Umbrella header for libalpcscope: offline reader and ALPC analyser for
 * Windows ETW trace files.
 *
 * Thread safety: there is no global mutable state. A reader or model must not
 * be used from two threads at once; different objects may be used
 * concurrently.
 */
#ifndef ALPCSCOPE_H
#define ALPCSCOPE_H

#include "common.h"
#include "conversations.h"
#include "decode.h"
#include "dump.h"
#include "event.h"
#include "graph.h"
#include "interfaces.h"
#include "model.h"
#include "reader.h"
#include "schema.h"
#include "status.h"
#include "summary.h"
#include "symbols.h"
#include "text.h"
#include "xml.h"
#include <alpcscope/version.h>

ALPCSCOPE_BEGIN_DECLS

/** Runtime library version, "MAJOR.MINOR.PATCH". */
ALPCSCOPE_EXPORT const char *alpcscope_version(void);

ALPCSCOPE_END_DECLS

#endif
