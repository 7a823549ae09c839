/* SPDX-License-Identifier: MIT */
/*
 * MSVC decorated names (docs/symbols.md §Undecoration) -> the qualified
 * function name a debugger shows: "?f@C@google_breakpad@@QEAAXXZ" ->
 * "google_breakpad::C::f". Parameter and return types are not printed
 * (a frame names a function, not an overload); template arguments are.
 */
#ifndef ALPCSCOPE_DECODE_MSVC_UNDECORATE_H
#define ALPCSCOPE_DECODE_MSVC_UNDECORATE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Undecorate @p name into @p out (@p size bytes). @p x86 selects the 32-bit
 * C conventions ("_f" cdecl, "_f@8" stdcall, "@f@8" fastcall). Returns false
 * for forms it does not know (or that do not fit), leaving @p out empty:
 * the caller prints the decorated name then, never a half-decoded one.
 * Names without decoration are copied unchanged (true).
 */
bool msvc_undecorate(const char *name, bool x86, char *out, size_t size);

#endif
