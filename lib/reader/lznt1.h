/* SPDX-License-Identifier: MIT */
/*
 * MS-XCA LZNT1 (COMPRESSION_FORMAT_LZNT1 = 2) decompression, one of the
 * formats a compressed ETL buffer may name (docs/etl-layout.md#compression). Written from
 * the MS-XCA §2.5 description; every input and output access is
 * bounds-checked, nothing is allocated.
 */
#ifndef ALPCSCOPE_READER_LZNT1_H
#define ALPCSCOPE_READER_LZNT1_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decompress @p in_size bytes into @p out, which must receive exactly
 * @p out_size bytes. Returns 0 on success, -1 on a malformed stream or a
 * size mismatch (stream ends early or would overflow @p out).
 */
int lznt1_decompress(const uint8_t *in, size_t in_size, uint8_t *out, size_t out_size);

#endif
