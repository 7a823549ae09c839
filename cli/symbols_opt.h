/* SPDX-License-Identifier: MIT */
/*
 * --symbols PATH / --symbols-verbose, shared by every command that prints
 * stacks: the symbol path (default: _NT_SYMBOL_PATH), the symbolizer built
 * from it, and the per-module report on stderr after the output.
 */
#ifndef ALPCSCOPE_CLI_SYMBOLS_OPT_H
#define ALPCSCOPE_CLI_SYMBOLS_OPT_H

#include <alpcscope/symbols.h>

#include <stdbool.h>

#include "options.h"

struct cli_symbols {
	const char *path; /* --symbols value, NULL when not given */
	bool verbose;
};

/* The two options (the group's struct is a struct cli_symbols). */
extern const struct cli_opt cli_symbols_opts[];

/*
 * The symbolizer for the path given or in _NT_SYMBOL_PATH; NULL when there
 * is none (frames stay module!+0xoff) or after printing an error.
 */
struct alpcscope_symbolizer *cli_symbols_open(const struct cli_symbols *cs, const char *cmd);

/*
 * One stderr line per module whose frames stayed unnamed (missing, GUID/age
 * mismatch, damaged file); with --symbols-verbose, every module.
 */
void cli_symbols_report(const struct cli_symbols *cs, const struct alpcscope_symbolizer *s,
			const char *cmd);

#endif
