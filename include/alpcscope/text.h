/* SPDX-License-Identifier: MIT */
/*
 * Safe display of untrusted text: every name inside a trace (image names,
 * command lines, port, thread and service names) is attacker-controlled.
 * The library's text writers already use this escape (docs/hostile-input.md);
 * callers that print names themselves use it too.
 */
#ifndef ALPCSCOPE_TEXT_H
#define ALPCSCOPE_TEXT_H

#include <stddef.h>

#include "common.h"

ALPCSCOPE_BEGIN_DECLS

/**
 * Write @p in (NULL = "") into @p out as safe one-line text: valid UTF-8
 * (invalid sequences become U+FFFD), C0 controls and DEL as "\xNN", C1
 * controls, bidirectional formatting characters and the line/paragraph
 * separators as "\uNNNN". Truncated to @p size - 1 bytes without splitting
 * a character; always NUL-terminated when @p size > 0.
 * @return @p out.
 */
ALPCSCOPE_EXPORT const char *alpcscope_safe_text(char *out, size_t size, const char *in);

ALPCSCOPE_END_DECLS

#endif
