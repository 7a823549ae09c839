/* SPDX-License-Identifier: MIT */
/*
 * Internal side of the interface database (include/alpcscope/interfaces.h):
 * the built-in copy of fixtures/interfaces/alpcscope-interfaces.json,
 * embedded at build time by lib/analysis/embed.py.
 */
#ifndef ALPCSCOPE_ANALYSIS_INTERFACE_DB_H
#define ALPCSCOPE_ANALYSIS_INTERFACE_DB_H

#include <stddef.h>

extern const unsigned char ifdb_builtin_json[];
extern const size_t ifdb_builtin_json_size;

#endif
