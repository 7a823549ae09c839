/* SPDX-License-Identifier: MIT */
/*
 * Shared macros for the public alpcscope headers: symbol export and C++ guards.
 */
#ifndef ALPCSCOPE_COMMON_H
#define ALPCSCOPE_COMMON_H

#if defined(__GNUC__)
#define ALPCSCOPE_EXPORT __attribute__((visibility("default")))
#else
#define ALPCSCOPE_EXPORT
#endif

#ifdef __cplusplus
#define ALPCSCOPE_BEGIN_DECLS extern "C" {
#define ALPCSCOPE_END_DECLS   }
#else
#define ALPCSCOPE_BEGIN_DECLS
#define ALPCSCOPE_END_DECLS
#endif

#endif
