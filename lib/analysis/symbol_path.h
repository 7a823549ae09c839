/* SPDX-License-Identifier: MIT */
/*
 * A Windows-style symbol path reduced to the local directories it names
 * (docs/symbols.md §Symbol path), and the search for a file in them: the
 * symbol-store layouts (one-tier NAME/KEY/NAME and two-tier, marked by
 * index2.txt, NA/NAME/KEY/NAME), then flat NAME. Names are matched without
 * regard to case, as Windows does.
 */
#ifndef ALPCSCOPE_ANALYSIS_SYMBOL_PATH_H
#define ALPCSCOPE_ANALYSIS_SYMBOL_PATH_H

#include <stdbool.h>
#include <stddef.h>

struct symbol_path {
	char **dirs;
	size_t count;
	signed char *two_tier; /* per dir: -1 not checked yet, 0, 1 */
};

/* Parse @p text (NULL or "" = no directories). False on allocation failure. */
bool symbol_path_parse(struct symbol_path *sp, const char *text);
void symbol_path_free(struct symbol_path *sp);

/* Called for each existing candidate file; return false to stop the search. */
typedef bool (*symbol_path_visit_fn)(void *ctx, const char *path);

/*
 * Visit the files named @p name on the path: with @p key (store index such
 * as GUIDAGE), store layouts first; then the flat file in each directory.
 */
void symbol_path_find(struct symbol_path *sp, const char *name, const char *key,
		      symbol_path_visit_fn visit, void *ctx);

#endif
