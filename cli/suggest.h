/* SPDX-License-Identifier: MIT */
/*
 * "Did you mean": process names of a trace close to a name that matched
 * nothing, so a typo or a missing ".exe" gets an answer instead of silence.
 */
#ifndef ALPCSCOPE_CLI_SUGGEST_H
#define ALPCSCOPE_CLI_SUGGEST_H

#include <alpcscope/model.h>

#include <stddef.h>

/*
 * Write up to five distinct image or service names of @p m close to
 * @p name (edit distance, case-insensitive, ".exe" ignored, or one name
 * containing the other), comma separated, closest first, into @p out.
 * Returns the number of names written (0: @p out is "").
 */
size_t suggest_process_names(const struct alpcscope_model *m, const char *name, char *out,
			     size_t size);

#endif
